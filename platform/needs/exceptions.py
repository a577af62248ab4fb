"""Domain errors of needs; each means the operation was refused and nothing changed."""

from core import errors
from core.errors import DomainError


class NeedError(DomainError):
    pass


class InvalidTransition(NeedError, errors.InvalidTransition):
    pass


class NotAllowed(NeedError, errors.NotAllowed):
    pass


class SeparationOfDuties(NotAllowed):
    pass


class GapGateNotPassed(NeedError):
    """The statutory-aid check is incomplete or routes the case to a scheme first."""


class IdentityLeak(NeedError, errors.IdentityLeak):
    """A text others read identifies the person; ``field`` names the text."""


class NeverPurchased(NeedError):
    pass


class ReasonRequired(NeedError, errors.ReasonRequired):
    pass


class ConflictOfInterest(NotAllowed):
    pass


class DuplicatesNeedReason(NeedError):
    """The same person has other open needs; going ahead needs a reason."""

    def __init__(self, message: str, duplicates: list[tuple[str, str]]) -> None:
        super().__init__(message)
        self.duplicates = duplicates


class ConsentInvalid(NeedError):
    pass


class AlreadyTaken(InvalidTransition):
    pass


class NotEligible(NotAllowed):
    pass


class ProposalsSealed(InvalidTransition):
    """Nobody outside the proposing organisation reads a proposal before the deadline."""


class ProposalRefused(NeedError):
    pass
