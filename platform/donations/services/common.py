"""What every stage shares: Stripe's audit label, the currency, the limits and reading an amount."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.utils.translation import gettext as _

from donations.exceptions import InvalidAmount
from donations.selectors import format_minor

STRIPE_LABEL = "stripe"


def currency() -> str:
    return (getattr(settings, "DONATION_CURRENCY", "cny") or "cny").lower()


def min_minor() -> int:
    return int(getattr(settings, "DONATION_MIN_MINOR", 100))


def max_minor() -> int:
    return int(getattr(settings, "DONATION_MAX_MINOR", 5_000_000))


# --- Amounts ---------------------------------------------------------------------------


def parse_major(text: object) -> int:
    """A donor's amount in yuan ("50", "50.5", "50.50") as minor units; refuses what is
    not a number, negative, or finer than one fen."""
    text = str(text).strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidAmount(_("Enter the amount as a number, such as 50 or 50.50.")) from None
    if not value.is_finite():
        raise InvalidAmount(_("Enter the amount as a number, such as 50 or 50.50."))
    minor = value * 100
    if minor != minor.to_integral_value():
        raise InvalidAmount(_("The amount cannot be finer than one fen (0.01)."))
    return check_minor(int(minor))


def check_minor(amount: object) -> int:
    """Minor units: a whole, positive number within the configured limits."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        try:
            if isinstance(amount, float) or "." in str(amount):
                raise InvalidAmount(_("The amount must be a whole number of minor units."))
            amount = int(str(amount).strip())
        except ValueError:
            raise InvalidAmount(_("The amount must be a whole number of minor units.")) from None
    if amount < 0:
        raise InvalidAmount(_("The amount cannot be negative."))
    if amount < min_minor():
        raise InvalidAmount(
            _("The smallest donation is %(amount)s.") % {"amount": format_minor(min_minor(), currency())}
        )
    if amount > max_minor():
        raise InvalidAmount(
            _("The largest donation is %(amount)s.") % {"amount": format_minor(max_minor(), currency())}
        )
    return amount
