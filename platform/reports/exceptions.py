"""Domain errors of reports from the public; each means nothing was stored or changed."""

from core import errors
from core.errors import DomainError


class ReportError(DomainError):
    pass


class NotAllowed(ReportError, errors.NotAllowed):
    pass


class InvalidTransition(ReportError, errors.InvalidTransition):
    pass


class Incomplete(ReportError):
    """Something the step needs is missing (an outcome, a public text, a reason)."""


class Duplicate(ReportError):
    """The same report, word for word, was received recently."""


class ReportClosed(ReportError):
    """Information can no longer be added: the report is closed."""
