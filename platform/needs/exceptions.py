"""Domain errors of needs; each means the operation was refused and nothing changed."""


class NeedError(Exception):
    pass


class InvalidTransition(NeedError):
    pass


class NotAllowed(NeedError):
    pass


class SeparationOfDuties(NotAllowed):
    pass


class GapGateNotPassed(NeedError):
    """The statutory-aid check is incomplete or routes the case to a scheme first."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class IdentityLeak(NeedError):
    """A text others read identifies the person; ``field`` names the text."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class NeverPurchased(NeedError):
    pass


class ReasonRequired(NeedError):
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
