"""Domain errors of imports; each means the operation was refused and nothing changed."""

from core import errors
from core.errors import DomainError


class ImportRefused(DomainError):
    pass


class NotAllowed(ImportRefused, errors.NotAllowed):
    pass


class InvalidState(ImportRefused):
    """The import is not in a state that allows this step (e.g. a second commit)."""
