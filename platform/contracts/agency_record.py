"""The agency's record as a buyer: what it owes late, what it has left waiting, and how
quickly it accepts and pays. Read from its contracts (the agency's own, not those of the
agencies below it), in a fixed number of queries.

- **overdue payment**: an accepted milestone past its payment due date
  (``Milestone.payment_due``, acceptance + the contract's payment days) with less paid
  than accepted. Days overdue: today − the due date.
- **overdue acceptance**: a milestone submitted more than 15 days ago
  (``contracts.services.ACCEPTANCE_OVERDUE_DAYS``) and neither accepted nor returned.
  Days overdue: days waiting − 15.
- **days to accept** (median): from a milestone's last submission to its acceptance,
  over accepted milestones (settlements on termination have no submission: left out).
- **days to pay** (median): from acceptance to the treasury date (``Payment.paid_on``)
  of the last authorised payment, over milestones paid in full.
- **payments on time**: of the payments that fell due — milestones paid in full, or
  unpaid past their due date — the share paid in full by the due date. Nothing due yet:
  no share (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from statistics import median
from typing import cast

from django.db.models import F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from contracts.ledger import agency_balances
from contracts.models import Milestone, MilestoneState, MilestoneTerms, PaymentState, VersionState
from contracts.services import ACCEPTANCE_OVERDUE_DAYS


@dataclass
class Overdue:
    contract: object
    milestone: object
    label: str
    days_overdue: int
    due: date | None = None  # payment: the due date; acceptance: the submission date
    amount: Decimal = Decimal(0)  # payment: what is outstanding
    escalated: datetime | None = None  # when the payment clock escalated it


@dataclass
class AgencyRecord:
    overdue_payments: list[Overdue] = field(default_factory=list)
    overdue_acceptance: list[Overdue] = field(default_factory=list)
    days_to_accept: float | None = None
    days_to_pay: float | None = None
    payments_due: int = 0
    payments_on_time: int = 0
    balances: object = None  # the agency's contract journal summed (contracts.ledger.Balances)

    @property
    def on_time_percent(self) -> int | None:
        if not self.payments_due:
            return None
        share = Decimal(self.payments_on_time * 100) / self.payments_due
        return int(share.quantize(Decimal(1), ROUND_HALF_UP))


def _median(values: list[int]) -> float | None:
    return median(values) if values else None


def agency_record(agency, *, today: date | None = None) -> AgencyRecord:

    today = today or timezone.localdate()
    now = timezone.now()
    description = Subquery(
        MilestoneTerms.objects.filter(milestone=OuterRef("pk"), version__state=VersionState.SIGNED).values(
            "description"
        )[:1]
    )
    milestones = Milestone.objects.filter(contract__agency=agency).annotate(description=description)
    record = AgencyRecord()

    unpaid = (
        milestones.filter(state=MilestoneState.ACCEPTED, payment_due__lt=today, accepted_amount__gt=0)
        .exclude(paid_amount__gte=F("accepted_amount"))
        .select_related("contract")
        .order_by("payment_due", "pk")
    )
    for m in unpaid:
        record.overdue_payments.append(
            Overdue(
                contract=m.contract,
                milestone=m,
                label=m.description or m.settlement_description,
                days_overdue=(today - cast(date, m.payment_due)).days,  # filtered on it
                due=m.payment_due,
                amount=m.outstanding,
                escalated=m.payment_escalated_at,
            )
        )
    waiting = (
        milestones.filter(
            state=MilestoneState.SUBMITTED, submitted_at__lt=now - timedelta(days=ACCEPTANCE_OVERDUE_DAYS)
        )
        .select_related("contract")
        .order_by("submitted_at", "pk")
    )
    for m in waiting:
        record.overdue_acceptance.append(
            Overdue(
                contract=m.contract,
                milestone=m,
                label=m.description or "",
                days_overdue=(now - cast(datetime, m.submitted_at)).days - ACCEPTANCE_OVERDUE_DAYS,  # filtered on it
                due=timezone.localdate(m.submitted_at),
                escalated=m.acceptance_escalated_at,
            )
        )

    accepted = milestones.filter(state=MilestoneState.ACCEPTED, settlement=False, submitted_at__isnull=False)
    record.days_to_accept = _median(
        [
            (timezone.localdate(accepted_at) - timezone.localdate(submitted_at)).days
            for submitted_at, accepted_at in accepted.values_list("submitted_at", "accepted_at")
        ]
    )
    fell_due = (
        Milestone.objects.filter(contract__agency=agency, state=MilestoneState.ACCEPTED, accepted_amount__gt=0)
        .filter(Q(paid_amount__gte=F("accepted_amount")) | Q(payment_due__lt=today))
        .annotate(last_paid=Max("payments__paid_on", filter=Q(payments__state=PaymentState.AUTHORISED)))
        .values_list("accepted_at", "payment_due", "paid_amount", "accepted_amount", "last_paid")
    )
    to_pay = []
    for accepted_at, due, paid, owed, last_paid in fell_due:
        record.payments_due += 1
        if paid >= owed and last_paid is not None:
            to_pay.append((last_paid - timezone.localdate(accepted_at)).days)
            record.payments_on_time += due is None or last_paid <= due
    record.days_to_pay = _median(to_pay)

    record.balances = agency_balances(agency)
    return record
