"""Domain errors of contracts; each means the operation was refused and nothing changed."""

from core import errors
from core.errors import DomainError


class ContractError(DomainError):
    pass


class InvalidTransition(ContractError, errors.InvalidTransition):
    pass


class NotAllowed(ContractError, errors.NotAllowed):
    pass


class SeparationOfDuties(NotAllowed):
    pass


class ReasonRequired(ContractError, errors.ReasonRequired):
    pass


class TermsInvalid(ContractError):
    """The terms cannot be signed as they are; ``problems`` lists why."""


class PaymentRefused(ContractError):
    pass


class ConfirmationRefused(ContractError):
    pass


class IdentityLeak(ContractError, errors.IdentityLeak):
    """A text the organisation, auditors or the public read identifies the person;
    ``field`` names the text."""
