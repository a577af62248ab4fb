"""Paying: a donation started with its idempotency key, then confirmed with a card."""

from __future__ import annotations

import logging
import uuid
from typing import cast

import stripe
from django.utils.translation import gettext as _

from audit.services import record
from donations import gateway
from donations.exceptions import CampaignClosed, InvalidAmount, PaymentDeclined, PaymentUnavailable
from donations.models import Campaign, Donation, DonationState
from donations.selectors import figures
from donations.services.common import STRIPE_LABEL, check_minor
from donations.services.opening import _taking_donations
from donations.services.transitions import donation_transition

logger = logging.getLogger(__name__)


def donation_start(
    *, campaign: Campaign, amount_minor: int | str, donor_name: str, email: str, language: str
) -> Donation:
    """Record the attempt with its idempotency key, then create the PaymentIntent."""
    if not gateway.enabled():
        raise PaymentUnavailable(_("Donations are not enabled here."))
    amount_minor = check_minor(amount_minor)
    campaign = Campaign.objects.select_related("need").get(pk=campaign.pk)
    if not _taking_donations(campaign):
        raise CampaignClosed(_("This need no longer takes donations."))
    f = figures(campaign)
    if f.remaining <= 0:
        raise CampaignClosed(_("This need has reached its target: thank you."))
    if amount_minor > f.remaining:
        raise InvalidAmount(
            _("Only %(remaining)s is still needed: give at most that.") % {"remaining": f.remaining_shown}
        )
    donation = Donation.objects.create(
        campaign=campaign,
        amount_minor=amount_minor,
        currency=campaign.currency,
        donor_name=" ".join(donor_name.split())[:60],
        email=email.strip(),
        language=language,
        idempotency_key=f"donation-{uuid.uuid4().hex}",
    )
    try:
        intent = gateway.create_payment_intent(
            amount=amount_minor,
            currency=campaign.currency,
            idempotency_key=donation.idempotency_key,
            donation=str(donation.public_id),
        )
    except stripe.StripeError as exc:
        logger.warning("PaymentIntent for donation %s not created: %s", donation.pk, exc)
        donation_transition(
            donation=donation, action="refuse", failure_message=str(getattr(exc, "user_message", "") or "")[:300]
        )
        raise PaymentUnavailable(_("The payment service did not answer. Nothing was charged; try again.")) from exc
    donation_transition(donation=donation, action="send", payment_intent=intent["id"])
    donation.refresh_from_db()
    record(
        action="donations.donation_start",
        actor_label=STRIPE_LABEL,
        obj=donation,
        summary={"after": {"campaign": campaign.pk, "amount_minor": amount_minor, "payment_intent": intent["id"]}},
    )
    return donation


def client_secret(donation: Donation) -> str:
    intent = gateway.retrieve_payment_intent(cast(str, donation.payment_intent))  # a started donation has one
    return cast(str, intent["client_secret"])


def donation_confirm(*, donation: Donation, payment_method: str) -> str:
    """Confirm with a payment method the page created; the webhook records the result.
    Returns the PaymentIntent's status; raises PaymentDeclined for a declined card."""
    if donation.state != DonationState.PENDING or not donation.payment_intent:
        raise CampaignClosed(_("This payment is no longer waiting."))
    if not payment_method or not payment_method.replace("_", "").isalnum():
        raise PaymentDeclined(_("The card details were not accepted."))
    try:
        intent = gateway.attach_and_confirm(payment_intent=donation.payment_intent, payment_method=payment_method)
    except stripe.CardError as exc:
        raise PaymentDeclined(_("The card was declined. Nothing was charged.")) from exc
    except stripe.StripeError as exc:
        raise PaymentUnavailable(_("The payment service did not answer. Try again.")) from exc
    return cast(str, intent["status"])
