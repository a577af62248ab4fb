"""The register's figures of a contract, kept on the contract row.

``milestones_total``/``milestones_met`` count the scheduled milestones that are not
cancelled (a settlement on termination is money, not a milestone of the work),
``paid_total`` is what authorised payments paid (reversals deducted), ``score`` the
agency's evaluation. Every service that changes one of them calls ``register_refresh``
inside its own transaction, after its change: the row is then never out of step with
the milestones, payments and evaluation it summarises. ``register_figures`` computes
the same from those rows (tests compare the two; ``selectors.summary`` is the same sum
for one contract's page).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.db.models import Count, Q, Sum

from contracts.models import Contract, Evaluation, Milestone, MilestoneState


@dataclass(frozen=True)
class Figures:
    milestones_total: int
    milestones_met: int
    paid_total: Decimal
    score: Decimal | None


def register_figures(contract: Contract | int) -> Figures:
    pk = cast(int, getattr(contract, "pk", contract))
    counts = Milestone.objects.filter(contract_id=pk).aggregate(
        total=Count("pk", filter=Q(settlement=False) & ~Q(state=MilestoneState.CANCELLED)),
        met=Count("pk", filter=Q(settlement=False, state=MilestoneState.ACCEPTED)),
        paid=Sum("paid_amount"),
    )
    score = Evaluation.objects.filter(contract_id=pk).values_list("score", flat=True).first()
    return Figures(
        milestones_total=counts["total"],
        milestones_met=counts["met"],
        paid_total=(counts["paid"] or Decimal(0)).quantize(Decimal("0.01")),
        score=score,
    )


def register_refresh(contract: Contract | int) -> Figures:
    """Write the contract's register figures (call inside the transaction that changed them)."""
    figures = register_figures(contract)
    Contract.objects.filter(pk=getattr(contract, "pk", contract)).update(
        milestones_total=figures.milestones_total,
        milestones_met=figures.milestones_met,
        paid_total=figures.paid_total,
        score=figures.score,
    )
    if isinstance(contract, Contract):
        for field, value in figures.__dict__.items():
            setattr(contract, field, value)
    return figures


def register_out_of_step() -> list[int]:
    """Contracts whose register figures differ from their rows (for checks and tests)."""
    wrong = []
    for contract in Contract.objects.filter(signed_at__isnull=False).only(
        "pk", "milestones_total", "milestones_met", "paid_total", "score"
    ):
        figures = register_figures(contract)
        kept = Figures(contract.milestones_total, contract.milestones_met, contract.paid_total, contract.score)
        if kept != figures:
            wrong.append(contract.pk)
    return wrong
