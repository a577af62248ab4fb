"""Domain errors of vetting; each means the operation was refused and nothing changed."""


class VettingError(Exception):
    pass


class InvalidTransition(VettingError):
    pass


class NotAllowed(VettingError):
    pass


class ConflictOfInterest(NotAllowed):
    pass


class Incomplete(VettingError):
    """Something required is missing; ``missing`` lists what, in words."""

    def __init__(self, message: str, missing: list[str] | None = None) -> None:
        super().__init__(message)
        self.missing = missing or []


class ReasonRequired(VettingError):
    pass


class Locked(VettingError):
    pass
