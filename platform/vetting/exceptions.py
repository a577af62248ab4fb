"""Domain errors of vetting; each means the operation was refused and nothing changed."""

from core import errors
from core.errors import DomainError


class VettingError(DomainError):
    pass


class InvalidTransition(VettingError, errors.InvalidTransition):
    pass


class NotAllowed(VettingError, errors.NotAllowed):
    pass


class ConflictOfInterest(NotAllowed):
    pass


class Incomplete(VettingError):
    """Something required is missing; ``missing`` (also ``problems``) lists what, in words."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message, problems=missing)
        self.missing = self.problems


class ReasonRequired(VettingError, errors.ReasonRequired):
    pass


class Locked(VettingError):
    pass
