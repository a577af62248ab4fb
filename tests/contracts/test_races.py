"""Simultaneous decisions on PostgreSQL (row locks): two acceptances of one milestone,
two payments recorded for one payable, two authorisations of one payment. Exactly one
of each wins; the journal shows it once."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.utils import timezone

from accounts.models import Role
from contracts import ledger, services
from contracts.exceptions import InvalidTransition, PaymentRefused
from contracts.models import EntryKind, JournalEntry, MilestoneState, Payment, PaymentState
from tests.contracts.helpers import deliver, milestones, staff
from tests.helpers import run_in_threads

pytestmark = [
    pytest.mark.postgres,  # row locks
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def race(request):
    """A signed contract, its first milestone, and the people who race to act on it."""
    from website.demo import ensure_reference_data

    assert connection.vendor == "postgresql"
    ensure_reference_data()  # a flush by an earlier transactional test removed it
    names = ["signed", "charity_member", "approver", "second_approver", "finance", "second_finance", "county_agency"]
    w = SimpleNamespace(**{name: request.getfixturevalue(name) for name in names})
    w.third_finance = staff(w.county_agency, Role.AGENCY_FINANCE, "finance3@example.test")
    w.first = milestones(w.signed)[0]
    return w


def accepted(w):
    deliver(w.first, w.charity_member)
    return services.milestone_accept(milestone=w.first, by=w.approver)


def test_two_acceptances_at_once_accept_once(race):
    deliver(race.first, race.charity_member)
    acceptors = [race.approver, race.second_approver]
    errors = run_in_threads(2, lambda i: services.milestone_accept(milestone=race.first, by=acceptors[i]))
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), errors
    race.first.refresh_from_db()
    assert race.first.state == MilestoneState.ACCEPTED and race.first.accepted_amount == Decimal("1800.00")
    assert JournalEntry.objects.filter(contract=race.signed, kind=EntryKind.ACCEPTANCE).count() == 1
    assert ledger.check(race.signed) == []


def test_two_payments_recorded_at_once_for_one_payable(race):
    milestone = accepted(race)
    officers = [race.finance, race.second_finance]

    def pay(i: int) -> None:
        services.payment_record(
            milestone=milestone,
            by=officers[i],
            amount=Decimal("1800.00"),
            paid_on=timezone.localdate(),
            reference=f"RACE-{i}",
        )

    errors = run_in_threads(2, pay)
    assert len(errors) == 1 and isinstance(errors[0], PaymentRefused), errors
    assert Payment.objects.filter(milestone=milestone).count() == 1


def test_two_authorisations_at_once_pay_once(race):
    milestone = accepted(race)
    payment = services.payment_record(
        milestone=milestone, by=race.finance, amount=Decimal("1800.00"), paid_on=timezone.localdate(), reference="R-1"
    )
    officers = [race.second_finance, race.third_finance]
    errors = run_in_threads(2, lambda i: services.payment_authorise(payment=payment, by=officers[i]))
    assert len(errors) == 1 and isinstance(errors[0], PaymentRefused), errors
    payment.refresh_from_db()
    milestone.refresh_from_db()
    assert payment.state == PaymentState.AUTHORISED and milestone.paid_amount == Decimal("1800.00")
    assert JournalEntry.objects.filter(contract=race.signed, kind=EntryKind.PAYMENT).count() == 1
    assert ledger.contract_balances(race.signed).paid == Decimal("1800.00")
    assert ledger.check(race.signed) == []
