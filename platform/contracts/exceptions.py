"""Domain errors of contracts; each means the operation was refused and nothing changed."""


class ContractError(Exception):
    pass


class InvalidTransition(ContractError):
    pass


class NotAllowed(ContractError):
    pass


class SeparationOfDuties(NotAllowed):
    pass


class ReasonRequired(ContractError):
    pass


class TermsInvalid(ContractError):
    """The terms cannot be signed as they are; ``problems`` lists why."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


class PaymentRefused(ContractError):
    pass


class ConfirmationRefused(ContractError):
    pass


class IdentityLeak(ContractError):
    """A text the organisation, auditors or the public read identifies the person;
    ``field`` names the text."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.field = field
