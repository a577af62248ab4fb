"""Reads of the donation journal: every public figure comes from here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TypedDict

from django.db.models import QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext

from contracts.models import Contract, PaymentState
from donations.models import Campaign, CampaignState, Donation, DonationEntry, EntryKind, Refund
from organisations.models import Organisation
from regions.models import Region, RegionLevel

# The contract side counts in yuan (Decimal, two places); the journal in fen.
COFUNDED_NEED_STATES = frozenset({"awarded", "claimed", "in_contract"})
CONTRACT_IN_FORCE = frozenset({"active", "completed", "closed"})


def to_minor(amount: Decimal | int) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def format_minor(amount: int, currency: str = "cny") -> str:
    sign = "-" if amount < 0 else ""
    amount = abs(int(amount))
    # Yuan in the page's words (元 in Chinese, CNY in English), as every other amount;
    # another currency by its code.
    unit = gettext("CNY") if currency.lower() == "cny" else currency.upper()
    return f"{sign}{amount // 100:,}.{amount % 100:02d} {unit}"


@dataclass(frozen=True)
class Figures:
    target: int
    received: int
    refunded: int
    allocated: int  # allocated to the contract, net of releases
    used: int  # of the allocation, what authorised payments on the contract have spent
    currency: str

    @property
    def raised(self) -> int:
        return self.received - self.refunded

    @property
    def remaining(self) -> int:
        return max(self.target - self.raised, 0)

    @property
    def percent(self) -> int:
        return min(100, self.raised * 100 // self.target) if self.target else 0

    def shown(self, name: str) -> str:
        return format_minor(getattr(self, name), self.currency)

    # For templates, which cannot pass arguments.
    target_shown = property(lambda self: self.shown("target"))
    raised_shown = property(lambda self: self.shown("raised"))
    used_shown = property(lambda self: self.shown("used"))
    allocated_shown = property(lambda self: self.shown("allocated"))
    refunded_shown = property(lambda self: self.shown("refunded"))
    remaining_shown = property(lambda self: self.shown("remaining"))


def _sums(campaign: Campaign) -> dict[str, int]:
    rows = (
        DonationEntry.objects.filter(campaign=campaign)
        .values("kind")
        .annotate(s=Coalesce(Sum("amount_minor"), 0))
        .values_list("kind", "s")
    )
    sums = dict.fromkeys(EntryKind.values, 0)
    sums.update({kind: int(s) for kind, s in rows})
    return sums


def authorised_payments_minor(campaign: Campaign) -> int:

    contract = Contract.objects.filter(need_id=campaign.need_id).first()
    if contract is None:
        return 0
    total = contract.payments.filter(state=PaymentState.AUTHORISED).aggregate(s=Sum("amount"))["s"]
    return to_minor(total or 0)


def figures(campaign: Campaign) -> Figures:
    """Target, received, refunded, allocated and used, from the journal. "Used" is the
    allocation as far as authorised payments on the need's contract have spent it."""
    sums = _sums(campaign)
    allocated = sums[EntryKind.ALLOCATED] - sums[EntryKind.RELEASED]
    return Figures(
        target=campaign.target_minor,
        received=sums[EntryKind.RECEIVED],
        refunded=sums[EntryKind.REFUNDED],
        allocated=allocated,
        used=min(allocated, authorised_payments_minor(campaign)),
        currency=campaign.currency,
    )


def committed_refunds(campaign: Campaign) -> int:
    """Refunds decided, whether Stripe has made them yet or not."""
    return int(Refund.objects.filter(donation__campaign=campaign).aggregate(s=Coalesce(Sum("amount_minor"), 0))["s"])


def public_campaigns() -> QuerySet[Campaign]:
    return Campaign.objects.select_related("need__category", "need__region", "organisation").order_by(
        "state", "-opened_at"
    )


def totals() -> dict[str, int]:
    """The transparency figures over every campaign."""
    rows = dict(
        DonationEntry.objects.values("kind").annotate(s=Coalesce(Sum("amount_minor"), 0)).values_list("kind", "s")
    )
    return {
        "campaigns": Campaign.objects.count(),
        "open": Campaign.objects.filter(state=CampaignState.OPEN).count(),
        "received": int(rows.get(EntryKind.RECEIVED, 0)),
        "refunded": int(rows.get(EntryKind.REFUNDED, 0)),
        "allocated": int(rows.get(EntryKind.ALLOCATED, 0)) - int(rows.get(EntryKind.RELEASED, 0)),
    }


def county_of(region: Region) -> Region:
    """The county a region lies in (or the region itself above county level): the
    public page never shows anything finer."""

    if region.level != RegionLevel.TOWNSHIP:
        return region
    return region.parent or region


def refundable_minor(donation: Donation) -> int:
    """What is left of a donation to refund: its amount less the refunds decided."""
    decided = donation.refunds.aggregate(s=Coalesce(Sum("amount_minor"), 0))["s"]
    return max(donation.amount_minor - int(decided), 0)


class OrganisationRaised(TypedDict):
    campaigns: list[Campaign]
    raised: int  # minor units
    raised_shown: str


def organisation_raised(organisation: Organisation) -> OrganisationRaised:
    """The public's donations to an organisation's campaigns: received less refunded, in
    the donation currency, and the campaigns themselves."""
    campaigns = list(public_campaigns().filter(organisation=organisation))
    rows = dict(
        DonationEntry.objects.filter(
            campaign__organisation=organisation, kind__in=[EntryKind.RECEIVED, EntryKind.REFUNDED]
        )
        .values("kind")
        .annotate(s=Coalesce(Sum("amount_minor"), 0))
        .values_list("kind", "s")
    )
    raised = int(rows.get(EntryKind.RECEIVED, 0)) - int(rows.get(EntryKind.REFUNDED, 0))
    currency = campaigns[0].currency if campaigns else "cny"
    return {"campaigns": campaigns, "raised": raised, "raised_shown": format_minor(raised, currency)}
