"""The one doors for a donation's and a campaign's states, and the webhook's row lock."""

from __future__ import annotations

from donations.models import Campaign, Donation
from donations.workflow import CAMPAIGN_TRANSITIONS, DONATION_TRANSITIONS


def donation_transition(*, donation: Donation, action: str, **fields: object) -> bool:
    """The one door for a donation's state (``donations.workflow.DONATION_TRANSITIONS``):
    a conditional update from the step's source states, with ``fields`` written beside it.
    Atomic on its own; the webhook's steps also hold the row lock (``_lock``). Returns
    whether the donation moved (Stripe's events repeat and cross: a step whose source is
    gone is no step); ``donation`` is updated in memory."""
    step = DONATION_TRANSITIONS[action]
    moved = Donation.objects.filter(pk=donation.pk, state__in=step.sources).update(state=step.target, **fields)
    if moved:
        donation.state = step.target
        for name, value in fields.items():
            setattr(donation, name, value)
    return bool(moved)


def campaign_transition(*, campaign: Campaign, action: str, **fields: object) -> bool:
    """The one door for a campaign's state (``donations.workflow.CAMPAIGN_TRANSITIONS``),
    as ``donation_transition``. Returns whether it moved (closing twice is no step)."""
    step = CAMPAIGN_TRANSITIONS[action]
    moved = Campaign.objects.filter(pk=campaign.pk, state__in=step.sources).update(state=step.target, **fields)
    if moved:
        campaign.state = step.target
        for name, value in fields.items():
            setattr(campaign, name, value)
    return bool(moved)


def _lock(donation: Donation) -> tuple[Donation, Campaign]:
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("need").get(pk=donation.campaign_id)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    return donation, campaign
