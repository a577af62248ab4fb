"""Allocating received money to the need's contract, and releasing what is not held."""

from __future__ import annotations

from django.db import transaction

from audit.services import record
from contracts.models import Contract
from donations.models import Campaign, CampaignState, DonationEntry, EntryKind
from donations.selectors import CONTRACT_IN_FORCE, committed_refunds, figures, to_minor
from donations.services.common import STRIPE_LABEL


def _contract_of(campaign: Campaign) -> Contract | None:

    return Contract.objects.filter(need_id=campaign.need_id).first()


def _allocate(campaign: Campaign) -> int:
    """Allocate received money to the need's contract while it is in force, up to its
    price. Call under the campaign's lock. Returns the amount allocated."""
    if campaign.state != CampaignState.OPEN:
        return 0
    contract = _contract_of(campaign)
    if contract is None or contract.state not in CONTRACT_IN_FORCE or contract.state == "closed":
        return 0
    f = figures(campaign)
    available = min(f.received - committed_refunds(campaign), to_minor(contract.price))
    delta = available - f.allocated
    if delta <= 0:
        return 0
    n = DonationEntry.objects.filter(campaign=campaign, kind=EntryKind.ALLOCATED).count() + 1
    DonationEntry.objects.create(
        campaign=campaign,
        contract=contract,
        kind=EntryKind.ALLOCATED,
        amount_minor=delta,
        ref=f"campaign-{campaign.pk}-allocation-{n}",
        memo=f"to contract {contract.number}",
    )
    record(
        action="donations.allocated",
        actor_label=STRIPE_LABEL,
        obj=campaign,
        summary={"after": {"amount_minor": delta, "contract": contract.pk}},
    )
    return delta


def _reconcile_allocation(campaign: Campaign) -> None:
    """After a refund: never more allocated than is held."""
    f = figures(campaign)
    held = f.received - f.refunded
    if f.allocated > held:
        _release(campaign, f.allocated - max(held, f.used), "refund")


def _release(campaign: Campaign, amount: int, why: str) -> None:
    if amount <= 0:
        return
    contract = _contract_of(campaign)
    n = DonationEntry.objects.filter(campaign=campaign, kind=EntryKind.RELEASED).count() + 1
    DonationEntry.objects.create(
        campaign=campaign,
        contract=contract,
        kind=EntryKind.RELEASED,
        amount_minor=amount,
        ref=f"campaign-{campaign.pk}-release-{n}",
        memo=why,
    )


def campaign_allocate(campaign: Campaign) -> int:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(of=("self",)).select_related("need").get(pk=campaign.pk)
        return _allocate(campaign)
