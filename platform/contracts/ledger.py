"""The contract journal: double entry, append-only.

Each step of a contract posts one balanced entry (the purchaser's side):

=============  ==========================================  ==========================================
step           debit                                       credit
=============  ==========================================  ==========================================
signing        commitments (the price)                     reserve for commitments
amendment      the difference of price, one way or other
acceptance     reserve (the amount: the commitment is      commitments
               released) and purchased services            payable to the organisation
payment        payable                                     treasury
termination    reserve (what is left committed)            commitments
=============  ==========================================  ==========================================

A correction is a reversing entry (every line on the other side) with a reason. The
balances of a contract and of an agency are sums over the journal, and ``check``
compares them with what the milestones and payments say.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.db.models.functions import Coalesce

from contracts.models import Account, Contract, ContractState, EntryKind, JournalEntry, JournalLine, PaymentState

ZERO = Decimal("0.00")


def post(
    *,
    contract: Contract,
    kind: str,
    memo: str,
    lines: list[tuple[str, Decimal, Decimal]],
    by=None,
    milestone=None,
    payment=None,
    reverses: JournalEntry | None = None,
    reason: str = "",
) -> JournalEntry:
    """Append one entry; ``lines`` are (account, debit, credit). Refuses an entry that
    does not balance or has no lines. Call inside the transaction of the step."""
    lines = [(a, Decimal(d), Decimal(c)) for a, d, c in lines if d or c]
    if not lines:
        raise ValueError("A journal entry needs at least one line.")
    if sum(d for _, d, _ in lines) != sum(c for _, _, c in lines):
        raise ValueError("A journal entry must balance.")
    entry = JournalEntry.objects.create(
        contract=contract,
        agency_id=contract.agency_id,
        kind=kind,
        memo=memo[:300],
        milestone=milestone,
        payment=payment,
        reverses=reverses,
        reason=reason,
        created_by=by,
    )
    JournalLine.objects.bulk_create([JournalLine(entry=entry, account=a, debit=d, credit=c) for a, d, c in lines])
    return entry


def reversal_lines(entry: JournalEntry) -> list[tuple[str, Decimal, Decimal]]:
    return [(line.account, line.credit, line.debit) for line in entry.lines.all()]


def commitment(amount: Decimal) -> list[tuple[str, Decimal, Decimal]]:
    """Commit ``amount`` (negative: release)."""
    if amount >= 0:
        return [(Account.COMMITMENTS, amount, ZERO), (Account.COMMITMENT_RESERVE, ZERO, amount)]
    return [(Account.COMMITMENT_RESERVE, -amount, ZERO), (Account.COMMITMENTS, ZERO, -amount)]


def acceptance(amount: Decimal) -> list[tuple[str, Decimal, Decimal]]:
    return [*commitment(-amount), (Account.SERVICE_EXPENSE, amount, ZERO), (Account.PAYABLE, ZERO, amount)]


def payment(amount: Decimal) -> list[tuple[str, Decimal, Decimal]]:
    return [(Account.PAYABLE, amount, ZERO), (Account.TREASURY, ZERO, amount)]


# --- Balances ------------------------------------------------------------------------


@dataclass(frozen=True)
class Balances:
    committed: Decimal  # still committed, not yet accepted
    expense: Decimal  # accepted services
    payable: Decimal  # accepted, not yet paid
    paid: Decimal  # paid out
    debits: Decimal
    credits: Decimal


def balances(entries: Q) -> Balances:
    """Balances over the journal lines whose entries match ``entries`` (a Q on
    JournalEntry fields, as ``entry__…``)."""
    rows = dict.fromkeys(Account.values, (ZERO, ZERO))
    for account, debit, credit in (
        JournalLine.objects.filter(entries)
        .values("account")
        .annotate(d=Coalesce(Sum("debit"), ZERO), c=Coalesce(Sum("credit"), ZERO))
        .values_list("account", "d", "c")
    ):
        rows[account] = (debit, credit)

    def debit_balance(account: str) -> Decimal:
        d, c = rows[account]
        return d - c

    return Balances(
        committed=debit_balance(Account.COMMITMENTS),
        expense=debit_balance(Account.SERVICE_EXPENSE),
        payable=-debit_balance(Account.PAYABLE),
        paid=-debit_balance(Account.TREASURY),
        debits=sum((d for d, _ in rows.values()), ZERO),
        credits=sum((c for _, c in rows.values()), ZERO),
    )


def contract_balances(contract: Contract) -> Balances:
    return balances(Q(entry__contract=contract))


def agency_balances(agency) -> Balances:
    return balances(Q(entry__agency=agency))


def check(contract: Contract) -> list[str]:
    """What is wrong with a contract's journal: every entry balances, and the balances
    agree with its milestones and payments. Empty when all is well."""
    problems = []
    unbalanced = (
        JournalEntry.objects.filter(contract=contract)
        .annotate(d=Coalesce(Sum("lines__debit"), ZERO), c=Coalesce(Sum("lines__credit"), ZERO))
        .exclude(d=F("c"))
        .values_list("pk", flat=True)
    )
    for pk in unbalanced:
        problems.append(f"entry #{pk} does not balance")
    b = contract_balances(contract)
    if b.debits != b.credits:
        problems.append(f"debits {b.debits} ≠ credits {b.credits}")
    milestones = contract.milestones.all()
    accepted = milestones.aggregate(s=Coalesce(Sum("accepted_amount"), ZERO))["s"]
    paid = milestones.aggregate(s=Coalesce(Sum("paid_amount"), ZERO))["s"]
    payments = contract.payments.filter(state=PaymentState.AUTHORISED).aggregate(s=Coalesce(Sum("amount"), ZERO))["s"]
    if b.expense != accepted:
        problems.append(f"purchased services {b.expense} ≠ accepted {accepted}")
    if b.payable != accepted - paid:
        problems.append(f"payable {b.payable} ≠ accepted − paid {accepted - paid}")
    if b.paid != paid:
        problems.append(f"treasury {b.paid} ≠ paid on milestones {paid}")
    if payments != paid:
        problems.append(f"authorised payments {payments} ≠ paid on milestones {paid}")
    if contract.is_signed:
        expected = ZERO if contract.state == ContractState.TERMINATED else contract.price - accepted
        if b.committed != expected:
            problems.append(f"committed {b.committed} ≠ {expected}")
    elif b.debits or b.credits:
        problems.append("entries before signing")
    return problems


__all__ = [
    "Balances",
    "EntryKind",
    "acceptance",
    "agency_balances",
    "balances",
    "check",
    "commitment",
    "contract_balances",
    "payment",
    "post",
    "reversal_lines",
]
