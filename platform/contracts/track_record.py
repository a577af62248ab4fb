"""An organisation's track record, derived from its contracts: the one place that
computes it, for the public directory and for matching's fit.

What the figures mean:

- **completed contracts**: the organisation's contracts in state *closed* — every
  milestone accepted, the agency's evaluation made, the final report in, everything
  accepted paid, and the contract closed by the agency (the need is then fulfilled).
  A terminated contract is not completed, though its need is closed.
- **completed cases** (before contracts): a need the organisation took on and saw
  through (fulfilled or closed) *without* a contract still counts, as a case. A need
  with a contract counts only through its contract, so nothing is counted twice.
  ``completed`` is the two together.
- **on-time rate**: of the completed contracts, the share whose evaluation found them
  delivered on time (``Evaluation.on_time``: every accepted milestone was submitted for
  acceptance by its due date in the version in force). Cases have no evaluation and do
  not count; with no completed contract there is no rate (``None``), not 0 %.
- **average score**: the mean of ``Evaluation.score`` (1–5, the agency's average over
  the contract's performance indicators) over the completed contracts.
- **by category**: the same figures per the need's category.

Whatever the number of organisations, ``track_records`` reads two queries (three with
the categories' names); ``completed_annotation`` gives the completed count as a SQL
expression, for ordering a directory page in the database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from categories.models import Category
from contracts.models import Contract, ContractState
from needs.models import Need, NeedState

# A need with no contract counts as completed in these states.
DONE_NEED_STATES = (NeedState.FULFILLED, NeedState.CLOSED)


@dataclass
class CategoryRecord:
    category_id: int | None = None
    category: object = None  # the Category, when asked for
    contracts: int = 0  # completed (closed) contracts
    cases: int = 0  # completed needs without a contract
    on_time: int = 0  # completed contracts evaluated as delivered on time
    evaluated: int = 0  # completed contracts with an evaluation
    score_total: Decimal = Decimal(0)

    @property
    def completed(self) -> int:
        return self.contracts + self.cases

    @property
    def on_time_rate(self) -> float | None:
        """0–1, or None without an evaluated contract."""
        return self.on_time / self.evaluated if self.evaluated else None

    @property
    def on_time_percent(self) -> int | None:
        rate = self.on_time_rate
        return None if rate is None else int(Decimal(rate * 100).quantize(Decimal(1), ROUND_HALF_UP))

    @property
    def average_score(self) -> Decimal | None:
        if not self.evaluated:
            return None
        return (self.score_total / self.evaluated).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def add(self, other: CategoryRecord) -> None:
        self.contracts += other.contracts
        self.cases += other.cases
        self.on_time += other.on_time
        self.evaluated += other.evaluated
        self.score_total += other.score_total


@dataclass
class TrackRecord(CategoryRecord):
    """The totals, and ``by_category`` (category id → CategoryRecord)."""

    by_category: dict[int, CategoryRecord] = field(default_factory=dict)

    def category_record(self, category_id: int) -> CategoryRecord:
        return self.by_category.get(category_id) or CategoryRecord(category_id=category_id)

    @property
    def categories(self) -> list[CategoryRecord]:
        """Per category, most completed first."""
        return sorted(self.by_category.values(), key=lambda r: (-r.completed, str(r.category or r.category_id)))


def track_records(organisations, *, with_categories: bool = False) -> dict[int, TrackRecord]:
    """The track record of each organisation (objects or ids), in two queries (three
    ``with_categories``, which loads each category for its name)."""

    ids = [getattr(o, "pk", o) for o in organisations]
    records = {pk: TrackRecord() for pk in ids}
    if not ids:
        return records

    def cell(org_id: int, category_id: int) -> CategoryRecord:
        return records[org_id].by_category.setdefault(category_id, CategoryRecord(category_id=category_id))

    contracts = (
        Contract.objects.filter(organisation__in=ids, state=ContractState.CLOSED)
        .order_by()
        .values("organisation_id", "need__category_id")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(evaluation__on_time=True)),
            evaluated=Count("evaluation"),
            score=Sum("evaluation__score"),
        )
    )
    for row in contracts:
        c = cell(row["organisation_id"], row["need__category_id"])
        c.contracts, c.on_time, c.evaluated = row["n"], row["on_time"], row["evaluated"]
        c.score_total = Decimal(row["score"] or 0)
    cases = (
        Need.objects.filter(claimed_by__in=ids, state__in=DONE_NEED_STATES, contract__isnull=True)
        .order_by()
        .values("claimed_by", "category_id")
        .annotate(n=Count("pk"))
    )
    for case in cases:
        cell(case["claimed_by"], case["category_id"]).cases = case["n"]
    if with_categories:
        wanted = {c for r in records.values() for c in r.by_category}
        names = Category.objects.in_bulk(wanted)
        for r in records.values():
            for category_id, c in r.by_category.items():
                c.category = names.get(category_id)
    for r in records.values():
        for c in r.by_category.values():
            r.add(c)
    return records


def track_record(organisation, **kwargs) -> TrackRecord:
    return track_records([organisation], **kwargs)[getattr(organisation, "pk", organisation)]


def completed_annotation():
    """``track_record(o).completed`` as an expression over ``Organisation`` rows (for
    ``annotate``/``order_by``): closed contracts plus needs completed without one."""

    def count(qs, key: str):
        return Coalesce(
            Subquery(qs.order_by().values(key).annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()),
            Value(0),
        )

    contracts = Contract.objects.filter(organisation=OuterRef("pk"), state=ContractState.CLOSED)
    cases = Need.objects.filter(claimed_by=OuterRef("pk"), state__in=DONE_NEED_STATES, contract__isnull=True)
    return count(contracts, "organisation") + count(cases, "claimed_by")
