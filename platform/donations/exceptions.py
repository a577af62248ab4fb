from __future__ import annotations

from core import errors
from core.errors import DomainError


class DonationError(DomainError):
    """A refusal with a message for the person who asked."""


class NotAllowed(DonationError, errors.NotAllowed):
    pass


class NotEligible(DonationError):
    pass


class InvalidAmount(DonationError):
    pass


class CampaignClosed(DonationError):
    pass


class PaymentUnavailable(DonationError):
    pass


class PaymentDeclined(DonationError):
    pass
