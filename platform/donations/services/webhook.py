"""The webhook's work: Stripe's events stored once, then a receipt, a failure or refunds posted."""

from __future__ import annotations

import logging
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import record
from donations import gateway
from donations.models import Donation, DonationEntry, EntryKind, RefundReason, StripeEvent
from donations.selectors import committed_refunds, figures
from donations.services.allocation import _allocate
from donations.services.common import STRIPE_LABEL
from donations.services.notices import _send_receipt, _tell_journal_posted, _tell_target_reached
from donations.services.opening import _taking_donations
from donations.services.refunds import _refund_decide, _refunds_of, refund_record
from donations.services.transitions import _lock, donation_transition

logger = logging.getLogger(__name__)


def event_store(*, payload: bytes, signature: str) -> tuple[StripeEvent | None, bool]:
    """Verify the signature and store the event once. Returns (event, new). Raises
    ValueError or stripe.SignatureVerificationError, having written nothing."""
    event = gateway.construct_event(payload, signature)
    data = event.to_dict()
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(event_id=data["id"], type=data["type"], payload=data)
    except IntegrityError:
        return StripeEvent.objects.filter(event_id=data["id"]).first(), False
    return stored, True


HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
}


REFUND_EVENTS = HANDLED - {"payment_intent.succeeded", "payment_intent.payment_failed"}


def event_process(event_pk: int) -> None:
    """Do an event's work once: the event row is locked, and marked done in the same
    transaction as the journal entries."""
    event = StripeEvent.objects.get(pk=event_pk)
    if event.processed_at:
        return
    obj = (event.payload.get("data") or {}).get("object") or {}
    # Stripe's list of the payment's refunds is the truth (an event's copy may be older).
    pi = _payment_intent_of(obj)
    refunds = gateway.list_refunds(pi) if event.type in REFUND_EVENTS and pi else []
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at:
            return
        if event.type in HANDLED:
            _dispatch(event.type, obj, refunds)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])


def _payment_intent_of(obj: dict[str, Any]) -> str | None:
    if obj.get("object") == "payment_intent":
        return obj.get("id")
    pi = obj.get("payment_intent")
    return pi.get("id") if isinstance(pi, dict) else pi


def _dispatch(kind: str, obj: dict[str, Any], listed: list[dict[str, Any]]) -> None:
    pi = _payment_intent_of(obj)
    donation = Donation.objects.filter(payment_intent=pi).first() if pi else None
    if donation is None:
        logger.warning("Stripe event %s for unknown payment %s", kind, pi)
        return
    if kind == "payment_intent.succeeded":
        _receive(donation, amount=int(obj.get("amount_received") or obj.get("amount") or donation.amount_minor))
    elif kind == "payment_intent.payment_failed":
        _fail(donation, obj)
    else:
        # A refund implies a payment that succeeded, whichever event comes first.
        # Refunds first, so that the receipt's surplus check counts them.
        refunds = [obj] if obj.get("object") == "refund" else []
        refunds += listed
        for refund in refunds:
            if refund.get("status") == "succeeded":
                refund_record(donation=donation, stripe_refund=refund)
        _receive(donation, amount=donation.amount_minor)


def _fail(donation: Donation, obj: dict[str, Any]) -> None:
    with transaction.atomic():
        donation, _campaign = _lock(donation)
        error = obj.get("last_payment_error") or {}
        if not donation_transition(
            donation=donation, action="fail", failure_message=str(error.get("message") or "")[:300]
        ):
            return  # a success (or refund) already told us more
        record(action="donations.donation_failed", actor_label=STRIPE_LABEL, obj=donation, summary={})


def _receive(donation: Donation, *, amount: int) -> None:
    """Post the receipt once; refund what goes beyond the target or arrives too late."""
    with transaction.atomic():
        donation, campaign = _lock(donation)
        if DonationEntry.objects.filter(kind=EntryKind.RECEIVED, ref=donation.payment_intent).exists():
            return
        DonationEntry.objects.create(
            campaign=campaign,
            donation=donation,
            kind=EntryKind.RECEIVED,
            amount_minor=amount,
            ref=cast(str, donation.payment_intent),  # found by it (_dispatch)
            memo=f"donation {donation.public_id}",
        )
        donation_transition(donation=donation, action="receive")  # a refund that came first stays
        donation.succeeded_at = donation.succeeded_at or timezone.now()
        donation.save(update_fields=["succeeded_at"])
        record(
            action="donations.received",
            actor_label=STRIPE_LABEL,
            obj=donation,
            summary={"after": {"amount_minor": amount, "payment_intent": donation.payment_intent}},
        )
        _send_receipt(donation, campaign)
        _tell_journal_posted()
        # Beyond the target, or all of it when the need closed meanwhile; never more than
        # is left of this donation (a refund may have been recorded before its receipt).
        raised = figures(campaign).received - committed_refunds(campaign)
        open_ = _taking_donations(campaign)
        excess = max(0, raised - campaign.target_minor) if open_ else amount
        excess = min(excess, amount - _refunds_of(donation))
        if excess > 0:
            _refund_decide(donation, excess, RefundReason.SURPLUS)
        elif open_ and raised >= campaign.target_minor > raised - amount:  # this receipt reached it
            _tell_target_reached(campaign)
        _allocate(campaign)
