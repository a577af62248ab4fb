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
def world(request):
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


def test_two_acceptances_at_once_accept_once(world):
    deliver(world.first, world.charity_member)
    acceptors = [world.approver, world.second_approver]
    errors = run_in_threads(2, lambda i: services.milestone_accept(milestone=world.first, by=acceptors[i]))
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), errors
    world.first.refresh_from_db()
    assert world.first.state == MilestoneState.ACCEPTED and world.first.accepted_amount == Decimal("1800.00")
    assert JournalEntry.objects.filter(contract=world.signed, kind=EntryKind.ACCEPTANCE).count() == 1
    assert ledger.check(world.signed) == []


def test_two_payments_recorded_at_once_for_one_payable(world):
    milestone = accepted(world)
    officers = [world.finance, world.second_finance]

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


def test_two_authorisations_at_once_pay_once(world):
    milestone = accepted(world)
    payment = services.payment_record(
        milestone=milestone, by=world.finance, amount=Decimal("1800.00"), paid_on=timezone.localdate(), reference="R-1"
    )
    officers = [world.second_finance, world.third_finance]
    errors = run_in_threads(2, lambda i: services.payment_authorise(payment=payment, by=officers[i]))
    assert len(errors) == 1 and isinstance(errors[0], PaymentRefused), errors
    payment.refresh_from_db()
    milestone.refresh_from_db()
    assert payment.state == PaymentState.AUTHORISED and milestone.paid_amount == Decimal("1800.00")
    assert JournalEntry.objects.filter(contract=world.signed, kind=EntryKind.PAYMENT).count() == 1
    assert ledger.contract_balances(world.signed).paid == Decimal("1800.00")
    assert ledger.check(world.signed) == []
