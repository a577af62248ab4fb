from __future__ import annotations


class DonationError(Exception):
    """A refusal with a message for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = str(message)


class NotAllowed(DonationError):
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
