"""Whatever order acceptances, partial payments (recorded, then authorised by
another), payment reversals and acceptance reversals come in, the journal balances
and agrees with the milestones and payments after every step."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts import ledger, services
from contracts.exceptions import ContractError
from contracts.models import EntryKind, JournalEntry, MilestoneState, Payment, PaymentState
from tests.contracts.helpers import deliver, milestones

ZERO = Decimal("0.00")

steps = st.lists(
    st.one_of(
        st.tuples(st.just("accept"), st.integers(0, 1)),
        st.tuples(st.just("pay"), st.integers(0, 1), st.integers(1, 180_000)),  # cents
        st.tuples(st.just("reverse_payment"), st.integers(0, 7)),
        st.tuples(st.just("reverse_acceptance"), st.integers(0, 1)),
    ),
    min_size=1,
    max_size=12,
)


def assert_consistent(contract) -> None:
    contract.refresh_from_db()
    assert ledger.check(contract) == []
    b = ledger.contract_balances(contract)
    items = list(contract.milestones.all())
    accepted = sum((m.accepted_amount for m in items), ZERO)
    paid = sum((m.paid_amount for m in items), ZERO)
    authorised = sum((p.amount for p in Payment.objects.filter(contract=contract, state=PaymentState.AUTHORISED)), ZERO)
    assert b.debits == b.credits
    assert b.expense == accepted and b.paid == paid == authorised and b.payable == accepted - paid
    assert b.committed == contract.price - accepted
    for m in items:
        assert ZERO <= m.paid_amount <= m.accepted_amount
        assert (m.state == MilestoneState.ACCEPTED) == (m.accepted_amount > 0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=steps)
def test_the_journal_stays_consistent(signed, charity_member, approver, finance, second_finance, plan):
    with transaction.atomic():
        schedule = milestones(signed)
        references = iter(range(1, 1000))
        for step in plan:
            kind = step[0]
            try:
                if kind == "accept":
                    milestone = schedule[step[1]]
                    milestone.refresh_from_db()
                    if milestone.state in {MilestoneState.PENDING, MilestoneState.RETURNED}:
                        deliver(milestone, charity_member)
                    services.milestone_accept(milestone=milestone, by=approver)
                elif kind == "pay":
                    milestone = schedule[step[1]]
                    milestone.refresh_from_db()
                    amount = min(Decimal(step[2]) / 100, milestone.outstanding) or Decimal("0.01")
                    payment = services.payment_record(
                        milestone=milestone,
                        by=finance,
                        amount=amount,
                        paid_on=timezone.localdate(),
                        reference=f"HP-{next(references)}",
                    )
                    services.payment_authorise(payment=payment, by=second_finance)
                elif kind == "reverse_payment":
                    open_ = list(
                        JournalEntry.objects.filter(contract=signed, kind=EntryKind.PAYMENT, reversed_by__isnull=True)
                    )
                    if open_:
                        entry = open_[step[1] % len(open_)]
                        services.journal_reverse(entry=entry, by=finance, reason="国库退回，冲销")
                else:
                    entry = JournalEntry.objects.filter(
                        contract=signed,
                        kind=EntryKind.ACCEPTANCE,
                        milestone=schedule[step[1]],
                        reversed_by__isnull=True,
                    ).first()
                    if entry is not None:
                        services.journal_reverse(entry=entry, by=finance, reason="验收有误，冲销")
            except ContractError:
                pass  # refused: nothing changed, which the check below also shows
            assert_consistent(signed)
        transaction.set_rollback(True)
