"""Small hand-built data for the figures: needs, contracts, milestones and payments
written straight to the tables with exactly the timestamps a test reasons about (the
services stamp "now"; these figures are about days between steps)."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from categories.models import Category
from contracts.models import (
    Contract,
    ContractState,
    Evaluation,
    Milestone,
    MilestoneState,
    Payment,
    PaymentState,
)
from needs.models import Beneficiary, Need, NeedEvent, NeedState
from regions.models import Region
from tests.factories import UserFactory
from website.demo_transparency import _on

_serial = itertools.count(1)

# The day the figures are computed on (populate's needs are from March and April).
ON = date(2026, 6, 30)


def at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


class Figures:
    """Writes the rows the figures are computed from, for one agency and one organisation,
    with its own clerk and finance officers."""

    def __init__(self, agency, organisation):
        self.agency = agency
        self.organisation = organisation
        self.clerk = UserFactory()
        self.finance = UserFactory()
        self.finance2 = UserFactory()

    def need(
        self,
        *,
        published: datetime | None,
        claimed: datetime | None = None,
        category: str = "elderly_care",
        region: str = "510129001",
        state: str = NeedState.PUBLISHED,
        agency=None,
    ) -> Need:
        n = next(_serial)
        person = Beneficiary.objects.create(
            agency=agency or self.agency,
            name=f"测试人{n}",
            id_number=f"51012919500101{n:04d}",
            id_hash=f"hash{n}",
            created_by=self.clerk,
        )
        return Need.objects.create(
            agency=agency or self.agency,
            beneficiary=person,
            title=f"需求{n}",
            summary="测试",
            category=Category.objects.get(code=category),
            kind="service",
            response_deadline=(published or timezone.now()) + timedelta(days=7),
            region=Region.objects.get(code=region),
            budget=Decimal("1000"),
            duration_days=30,
            state=state,
            prepared_by=self.clerk,
            published_at=published,
            claimed_at=claimed,
            claimed_by=self.organisation if claimed else None,
        )

    def met(self, need: Need, when: datetime) -> None:
        Need.objects.filter(pk=need.pk).update(state=NeedState.FULFILLED)
        event = NeedEvent.objects.create(
            need=need, action="fulfil", from_state=NeedState.IN_CONTRACT, to_state=NeedState.FULFILLED
        )
        NeedEvent.objects.filter(pk=event.pk).update(at=when)

    def contract(
        self,
        need: Need,
        *,
        signed: datetime | None,
        price: str = "1000",
        state: str = ContractState.ACTIVE,
        organisation=None,
        agency=None,
        payment_days: int = 30,
    ) -> Contract:
        n = next(_serial)
        return Contract.objects.create(
            agency=agency or need.agency,
            organisation=organisation or self.organisation,
            need=need,
            source="claim",
            year=2026,
            sequence=n,
            number=f"T{n:06d}",
            state=state,
            prepared_by=self.clerk,
            signed_at=signed,
            price=Decimal(price),
            payment_days=payment_days,
        )

    def milestone(
        self,
        contract: Contract,
        *,
        submitted: datetime | None,
        accepted: datetime,
        amount: str = "1000",
        paid_on: date | None = None,
        paid: str | None = None,
    ) -> Milestone:
        """An accepted milestone, due ``contract.payment_days`` after acceptance, paid by one
        authorised payment on ``paid_on`` (of ``paid``, everything by default)."""
        paid_amount = Decimal(paid if paid is not None else amount) if paid_on else Decimal(0)
        milestone = Milestone.objects.create(
            contract=contract,
            state=MilestoneState.ACCEPTED,
            submitted_at=submitted,
            accepted_at=accepted,
            accepted_amount=Decimal(amount),
            paid_amount=paid_amount,
            payment_due=timezone.localdate(accepted) + timedelta(days=contract.payment_days),
        )
        if paid_on:
            Payment.objects.create(
                contract=contract,
                milestone=milestone,
                agency=contract.agency,
                amount=paid_amount,
                paid_on=paid_on,
                reference=f"R{next(_serial)}",
                state=PaymentState.AUTHORISED,
                recorded_by=self.finance,
                authorised_by=self.finance2,
                authorised_at=at(paid_on),
            )
        return milestone

    def closed(self, *, organisation, signed: datetime, score: str = "4.50", on_time: bool = True) -> Contract:
        need = self.need(published=signed - timedelta(days=3), claimed=signed - timedelta(days=1))
        contract = self.contract(need, signed=signed, state=ContractState.CLOSED, organisation=organisation)
        Evaluation.objects.create(contract=contract, by=self.clerk, summary="好", score=Decimal(score), on_time=on_time)
        return contract

    def donation(self, need: Need, *, received: int, refunded: int = 0, when: datetime | None = None):
        from donations.models import Campaign, Donation, DonationEntry, EntryKind

        n = next(_serial)
        campaign, _ = Campaign.objects.get_or_create(
            need=need,
            defaults={
                "organisation": self.organisation,
                "purpose": "测试",
                "target_minor": 10**9,
                "currency": settings.DONATION_CURRENCY,
                "opened_by": self.clerk,
            },
        )
        donation = Donation.objects.create(
            campaign=campaign,
            amount_minor=received,
            currency=settings.DONATION_CURRENCY,
            email="donor@example.test",
            idempotency_key=f"k{n}",
            state="succeeded",
        )
        # The journal is append-only (on PostgreSQL a trigger refuses updates): dated as written.
        with _on(when or timezone.now()):
            DonationEntry.objects.create(
                campaign=campaign, donation=donation, kind=EntryKind.RECEIVED, amount_minor=received, ref=f"pi_{n}"
            )
            if refunded:
                DonationEntry.objects.create(
                    campaign=campaign, donation=donation, kind=EntryKind.REFUNDED, amount_minor=refunded, ref=f"re_{n}"
                )


def populate(figures: Figures, *, scale: int = 1) -> None:
    """Needs of two categories (7 and 3 per ``scale``), five taken on and contracted, paid
    at the county bureau: some figures shown, some hidden."""
    march = date(2026, 3, 2)
    for i in range(7 * scale):
        need = figures.need(published=at(march), claimed=at(march + timedelta(days=1 + i % 4)), category="elderly_care")
        if i < 5 * scale:
            contract = figures.contract(need, signed=at(march + timedelta(days=6)), price="2000")
            figures.milestone(
                contract,
                submitted=at(date(2026, 4, 1)),
                accepted=at(date(2026, 4, 3)),
                paid_on=date(2026, 4, 3) + timedelta(days=5 + i % 30),
                amount="2000",
            )
    for _ in range(3 * scale):
        figures.need(published=at(date(2026, 4, 8)), category="medical", region="510129105")
