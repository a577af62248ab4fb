"""Refunds: decided (by an approver, a surplus or a close), asked of Stripe, then posted."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from audit.services import record
from donations import gateway
from donations.exceptions import InvalidAmount, NotAllowed, NotEligible
from donations.models import Donation, DonationEntry, EntryKind, Refund, RefundReason
from donations.selectors import format_minor
from donations.services.allocation import _reconcile_allocation
from donations.services.common import STRIPE_LABEL
from donations.services.notices import _send_refund_email, _tell_journal_posted
from donations.services.transitions import _lock, donation_transition


def _refunds_of(donation: Donation) -> int:
    return int(donation.refunds.aggregate(s=Sum("amount_minor"))["s"] or 0)


def _refund_decide(donation: Donation, amount: int, reason: str, *, by: User | None = None) -> Refund:
    """Save the refund with its idempotency key; Stripe is asked once this commits."""
    refund = Refund.objects.create(
        donation=donation, amount_minor=amount, reason=reason, idempotency_key=f"refund-{uuid.uuid4().hex}"
    )
    record(
        action="donations.refund_decided",
        actor=by,
        actor_label="" if by else STRIPE_LABEL,
        obj=donation,
        summary={"after": {"amount_minor": amount, "reason": reason}},
    )
    from donations.tasks import refund_issue_task

    transaction.on_commit(lambda: refund_issue_task.enqueue(refund_id=refund.pk))
    return refund


def donation_refund(*, donation: Donation, by: User, amount_minor: int | None = None) -> Refund:
    """An approver of the need's agency refunds a received donation (all that is left of
    it by default), say at the donor's request. The refund is decided here and asked of
    Stripe after the commit; its reversing entry moves the figures (``refund_record``),
    and the donor is told by email. Raises NotAllowed, NotEligible or InvalidAmount."""
    if not policy.can_open_cofunding(by, donation.campaign.need):
        raise NotAllowed(_("Only approvers of the need's agency refund its donations."))
    with transaction.atomic():
        donation, _campaign = _lock(donation)
        if not DonationEntry.objects.filter(kind=EntryKind.RECEIVED, ref=donation.payment_intent).exists():
            raise NotEligible(_("Only a donation that was received can be refunded."))
        left = donation.amount_minor - _refunds_of(donation)
        amount = left if amount_minor is None else int(amount_minor)
        if left <= 0:
            raise NotEligible(_("This donation is already refunded."))
        if not 0 < amount <= left:
            raise InvalidAmount(_("Refund at most %(amount)s.") % {"amount": format_minor(left, donation.currency)})
        return _refund_decide(donation, amount, RefundReason.REQUESTED, by=by)


def refund_issue(refund_id: int) -> None:
    """Ask Stripe for a decided refund (idempotent on Stripe's side by the saved key),
    then post its reversing entry."""
    refund = Refund.objects.select_related("donation").get(pk=refund_id)
    if refund.stripe_id and DonationEntry.objects.filter(kind=EntryKind.REFUNDED, ref=refund.stripe_id).exists():
        return
    made = gateway.create_refund(
        payment_intent=cast(str, refund.donation.payment_intent),  # only a received donation is refunded
        amount=refund.amount_minor,
        idempotency_key=refund.idempotency_key,
        refund=refund.pk,
    )
    refund_record(donation=refund.donation, stripe_refund=made)


def refund_record(*, donation: Donation, stripe_refund: dict[str, Any]) -> None:
    """Post the reversing entry for a refund Stripe made, once, and tell the donor."""
    with transaction.atomic():
        donation, campaign = _lock(donation)
        stripe_id = stripe_refund["id"]
        ours = (stripe_refund.get("metadata") or {}).get("refund")
        refund = Refund.objects.filter(stripe_id=stripe_id).first()
        if refund is None and ours and str(ours).isdigit():
            refund = Refund.objects.filter(pk=int(ours), donation=donation).first()
        if refund is None:
            refund = Refund.objects.create(
                donation=donation,
                amount_minor=int(stripe_refund["amount"]),
                reason=RefundReason.EXTERNAL,
                idempotency_key=f"external-{stripe_id}",
                stripe_id=stripe_id,
            )
        elif not refund.stripe_id:
            refund.stripe_id = stripe_id
            refund.save(update_fields=["stripe_id"])
        if DonationEntry.objects.filter(kind=EntryKind.REFUNDED, ref=stripe_id).exists():
            return
        amount = int(stripe_refund["amount"])
        DonationEntry.objects.create(
            campaign=campaign,
            donation=donation,
            kind=EntryKind.REFUNDED,
            amount_minor=amount,
            ref=stripe_id,
            memo=f"reverses {donation.payment_intent} ({refund.reason})",
        )
        refunded = int(
            DonationEntry.objects.filter(donation=donation, kind=EntryKind.REFUNDED).aggregate(s=Sum("amount_minor"))[
                "s"
            ]
        )
        donation_transition(
            donation=donation, action="refund_whole" if refunded >= donation.amount_minor else "refund_part"
        )
        record(
            action="donations.refunded",
            actor_label=STRIPE_LABEL,
            obj=donation,
            summary={"after": {"amount_minor": amount, "refund": stripe_id, "reason": refund.reason}},
        )
        _tell_journal_posted()
        if not refund.emailed_at:
            refund.emailed_at = timezone.now()
            refund.save(update_fields=["emailed_at"])
            _send_refund_email(donation, campaign, amount, refund.reason)
        _reconcile_allocation(campaign)
