"""Closing a campaign: stop taking donations, release what is unused and refund it, newest first."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from audit.services import record
from donations.models import Campaign, Donation, EntryKind, RefundReason
from donations.selectors import committed_refunds, figures
from donations.services.allocation import _release
from donations.services.common import STRIPE_LABEL
from donations.services.refunds import _refund_decide, _refunds_of
from donations.services.transitions import campaign_transition


def campaign_close(*, campaign: Campaign, reason: str) -> int:
    """The need closed or was withdrawn: stop taking donations, release what the
    contract has not used, and refund it to the donors, newest first. Idempotent.
    Returns the amount decided for refund."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(of=("self",)).select_related("need").get(pk=campaign.pk)
        if not campaign_transition(
            campaign=campaign, action="close", closed_at=timezone.now(), close_reason=reason[:40]
        ):
            return 0
        f = figures(campaign)
        _release(campaign, f.allocated - f.used, "need " + reason)
        left = f.received - committed_refunds(campaign) - f.used
        decided = 0
        for donation in (
            Donation.objects.select_for_update()
            .filter(campaign=campaign, entries__kind=EntryKind.RECEIVED)
            .order_by("-succeeded_at", "-pk")
        ):
            if left <= 0:
                break
            amount = min(donation.amount_minor - _refunds_of(donation), left)
            if amount > 0:
                _refund_decide(donation, amount, RefundReason.CLOSED)
                left -= amount
                decided += amount
        record(
            action="donations.campaign_close",
            actor_label=STRIPE_LABEL,
            obj=campaign,
            summary={"after": {"state": "closed", "reason": reason, "refund_minor": decided}},
        )
    return decided
