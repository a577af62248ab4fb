"""The one write of this app: compute the public figures into a new snapshot.

Every figure is aggregated by the database (``GROUP BY`` month, region and category; a
histogram of whole days per agency for the medians), so Python only ever sees grouped
rows, never a need or a contract: about twenty-five queries whatever the data's size.
The definitions are in ``transparency.figures`` and docs/architecture.md.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    Count,
    DateField,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    When,
)
from django.db.models.functions import Substr, TruncDate, TruncMonth
from django.utils import timezone

from agencies.models import Agency
from categories.models import Category
from contracts.models import Contract, ContractState, Milestone, MilestoneState, Payment, PaymentState
from contracts.models import Payment as ContractPayment
from contracts.track_record import track_records
from donations.models import DonationEntry, EntryKind
from needs.models import Need, NeedEvent, NeedState
from organisations.models import Organisation
from organisations.selectors import organisations_may_act
from regions.models import Region
from transparency.figures import BEST_RECORDS, METRICS, MIN_RECORD, SMALL_COUNT, Dimension, Metric, Unit
from transparency.models import AgencyTimeliness, BestRecord, FigureRow, RecordKind, Snapshot

# Region paths are GB/T 2260 codes of six digits joined by "/": the first 21 characters
# are province/city/county, whatever lies below (townships) rolls up into its county.
COUNTY_PATH = 21
REGION_LEVELS = ("province", "city", "county")


@dataclass
class _Cell:
    total: Decimal = Decimal(0)  # a count, a sum of money or a sum of days
    n: int = 0  # needs (or contracts, payments, entries) behind it


def _days(value: Any) -> Decimal:  # a sum from the database: a timedelta, microseconds or None
    """A summed duration from either database, as days."""
    if value is None:
        return Decimal(0)
    if isinstance(value, timedelta):
        return Decimal(value.total_seconds()) / 86400
    return Decimal(value) / 86_400_000_000  # SQLite hands back microseconds for some sums


def _month_key(value: date | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value.year:04d}-{value.month:02d}"


class _Figures:
    """Grouped rows gathered per metric, dimension and key."""

    def __init__(self) -> None:
        self.cells: dict[tuple[str, str, str], _Cell] = defaultdict(_Cell)

    def add(self, metric: str, dimension: str, key: str, total: Any, n: int, *, days: bool = False) -> None:
        cell = self.cells[(metric, dimension, key)]
        cell.total += _days(total) if days else Decimal(total or 0)
        cell.n += n or 0

    def collect(
        self,
        qs: QuerySet[Any],
        *,
        metric: str,
        dated: str,
        region: str,
        category: str,
        total: Expression,
        n: Expression,
        days: bool = False,
    ) -> None:
        """Three grouped queries of ``qs``: by month of ``dated``, by county path, by category."""
        qs = qs.order_by()
        by_month = qs.annotate(_k=TruncMonth(dated)).values("_k").annotate(_t=total, _n=n)
        for row in by_month:
            self.add(metric, Dimension.MONTH, _month_key(row["_k"]) or "", row["_t"], row["_n"], days=days)
        by_region = qs.annotate(_k=Substr(region, 1, COUNTY_PATH)).values("_k").annotate(_t=total, _n=n)
        for row in by_region:
            codes = [c for c in (row["_k"] or "").split("/") if c]
            for code in codes[: len(REGION_LEVELS)]:
                self.add(metric, Dimension.REGION, code, row["_t"], row["_n"], days=days)
        for row in qs.values(_k=F(category)).annotate(_t=total, _n=n):
            self.add(metric, Dimension.CATEGORY, str(row["_k"]), row["_t"], row["_n"], days=days)


def _gather(*, until: datetime, on: date) -> _Figures:

    figures = _Figures()
    one = Count("pk")
    published = Need.objects.filter(published_at__isnull=False, published_at__lt=until)
    figures.collect(
        published,
        metric=Metric.NEEDS_PUBLISHED,
        dated="published_at",
        region="region__path",
        category="category_id",
        total=one,
        n=one,
    )
    met = NeedEvent.objects.filter(action="fulfil", at__lt=until, need__state=NeedState.FULFILLED)
    figures.collect(
        met,
        metric=Metric.NEEDS_MET,
        dated="at",
        region="need__region__path",
        category="need__category_id",
        total=Count("need_id", distinct=True),
        n=Count("need_id", distinct=True),
    )
    matched = published.filter(claimed_at__isnull=False, claimed_at__lt=until, claimed_at__gte=F("published_at"))
    figures.collect(
        matched,
        metric=Metric.DAYS_TO_MATCH,
        dated="claimed_at",
        region="region__path",
        category="category_id",
        total=Sum(ExpressionWrapper(F("claimed_at") - F("published_at"), output_field=DurationField())),
        n=one,
        days=True,
    )
    signed = Contract.objects.filter(signed_at__isnull=False, signed_at__lt=until)
    figures.collect(
        signed.exclude(state=ContractState.TERMINATED),
        metric=Metric.MONEY_CONTRACTED,
        dated="signed_at",
        region="need__region__path",
        category="need__category_id",
        total=Sum("price"),
        n=one,
    )
    # A terminated contract bought only what was accepted under it.
    figures.collect(
        Milestone.objects.filter(
            contract__in=signed.filter(state=ContractState.TERMINATED).values("pk"), accepted_amount__gt=0
        ),
        metric=Metric.MONEY_CONTRACTED,
        dated="contract__signed_at",
        region="contract__need__region__path",
        category="contract__need__category_id",
        total=Sum("accepted_amount"),
        n=Count("contract_id", distinct=True),
    )
    figures.collect(
        ContractPayment.objects.filter(state=PaymentState.AUTHORISED, paid_on__lte=on),
        metric=Metric.MONEY_PAID,
        dated="paid_on",
        region="contract__need__region__path",
        category="contract__need__category_id",
        total=Sum("amount"),
        n=one,
    )
    signed_minor = Case(
        When(kind=EntryKind.RECEIVED, then=F("amount_minor")),
        default=-F("amount_minor"),
        output_field=IntegerField(),
    )
    figures.collect(
        DonationEntry.objects.filter(
            kind__in=[EntryKind.RECEIVED, EntryKind.REFUNDED],
            campaign__currency=settings.DONATION_CURRENCY,
            at__lt=until,
        ),
        metric=Metric.MONEY_DONATED,
        dated="at",
        region="campaign__need__region__path",
        category="campaign__need__category_id",
        total=Sum(signed_minor),
        n=Count("pk", filter=Q(kind=EntryKind.RECEIVED)),
    )
    # The journal counts in fen; the figures in yuan.
    for (metric, _dim, _key), cell in figures.cells.items():
        if metric == Metric.MONEY_DONATED:
            cell.total = cell.total / 100
    return figures


def _months(first: str, last: str) -> list[str]:
    year, month = map(int, first.split("-"))
    end_year, end_month = map(int, last.split("-"))
    keys = []
    while (year, month) <= (end_year, end_month):
        keys.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


def _value(metric: str, cell: _Cell) -> Decimal:
    if METRICS[metric].unit == Unit.DAYS:
        return (cell.total / cell.n).quantize(Decimal("0.1"), ROUND_HALF_UP) if cell.n else Decimal(0)
    return cell.total.quantize(Decimal("0.01"), ROUND_HALF_UP)


def _suppress(rows: list[FigureRow]) -> None:
    """The small-count rule, and its complement: a hidden count could be worked out from
    the total and its shown siblings when it is the only one hidden among them, so the
    smallest shown sibling is hidden with it."""
    for row in rows:
        if METRICS[row.metric].small_count_rule:
            row.suppressed = row.observations < SMALL_COUNT
    groups: dict[tuple[str, str, str, str], list[FigureRow]] = defaultdict(list)
    for row in rows:
        if METRICS[row.metric].unit == Unit.COUNT and row.dimension != Dimension.TOTAL:
            groups[(row.metric, row.dimension, row.level, row.parent)].append(row)
    for siblings in groups.values():
        # Empty cells read "fewer than 5" too, so they hide a small count as well as another.
        hidden = [r for r in siblings if r.suppressed]
        shown = [r for r in siblings if not r.suppressed]
        if len(hidden) == 1 and hidden[0].observations and shown:
            min(shown, key=lambda r: (r.observations, r.key)).suppressed = True


def _figure_rows(figures: _Figures, *, on: date) -> list[FigureRow]:

    month_keys = sorted({key for (_m, dim, key) in figures.cells if dim == Dimension.MONTH and key})
    months = _months(month_keys[0], cast(str, _month_key(on))) if month_keys else []
    region_codes = {key for (_m, dim, key) in figures.cells if dim == Dimension.REGION}
    regions = {r.code: r for r in Region.objects.filter(code__in=region_codes).only("code", "name", "level", "path")}
    categories = list(Category.objects.all())
    rows: list[FigureRow] = []
    for metric in Metric.values:

        def row(dimension: str, key: str, position: int, metric: str = metric, **extra: Any) -> FigureRow:
            cell = figures.cells.get((metric, dimension, key)) or _Cell()
            return FigureRow(
                metric=metric,
                dimension=dimension,
                key=key,
                value=_value(metric, cell),
                observations=cell.n,
                position=position,
                **extra,
            )

        total = _Cell()
        for (m, dim, _key), cell in figures.cells.items():
            if m == metric and dim == Dimension.MONTH:
                total.total += cell.total
                total.n += cell.n
        figures.cells[(metric, Dimension.TOTAL, "")] = total
        rows.append(row(Dimension.TOTAL, "", 0))
        rows.extend(row(Dimension.MONTH, key, i) for i, key in enumerate(months))
        for i, category in enumerate(categories):
            if category.is_active or (metric, Dimension.CATEGORY, str(category.pk)) in figures.cells:
                rows.append(
                    row(Dimension.CATEGORY, str(category.pk), i, label_zh=category.name_zh, label_en=category.name_en)
                )
                rows[-1].key = category.code
        for i, code in enumerate(sorted(c for c in region_codes if c in regions)):
            if (metric, Dimension.REGION, code) not in figures.cells:
                continue
            region = regions[code]
            path = [c for c in region.path.split("/") if c]
            rows.append(
                row(
                    Dimension.REGION,
                    code,
                    i,
                    level=region.level,
                    parent=path[-2] if len(path) > 1 else "",
                    label_zh=region.name,
                    label_en=region.name_en or region.name,
                )
            )
    _suppress(rows)
    return rows


# --- Agencies -------------------------------------------------------------------------


def _median(histogram: list[tuple[int, int]]) -> Decimal | None:
    """The median of values given as (value, count) sorted by value: the middle one, or
    the mean of the two middle ones (as ``statistics.median``)."""
    n = sum(count for _v, count in histogram)
    if not n:
        return None
    low, high = _rank(histogram, (n + 1) // 2), _rank(histogram, n // 2 + 1)
    return (Decimal(low + high) / 2).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _p90(histogram: list[tuple[int, int]]) -> Decimal | None:
    """The 90th percentile by the nearest rank: the smallest value that at least 90 % of
    the values do not exceed."""
    n = sum(count for _v, count in histogram)
    if not n:
        return None
    return Decimal(_rank(histogram, math.ceil(0.9 * n)))


def _rank(histogram: list[tuple[int, int]], rank: int) -> int:
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= rank:
            return value
    return histogram[-1][0]


def _whole_days(value: timedelta | int) -> int:
    if isinstance(value, timedelta):
        return value.days
    return int(value) // 86_400_000_000


def _agency_rows(*, on: date, until: datetime) -> list[AgencyTimeliness]:
    """Per buying agency, as ``contracts.agency_record`` defines the figures (local dates):
    days to accept = acceptance − last submission, over accepted milestones with a
    submission; days to pay = the treasury date of the last authorised payment −
    acceptance, over milestones paid in full; on time = of the payments fallen due (paid
    in full, or unpaid past the due date), those paid in full by the due date."""

    accept_histograms: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    accepted = (
        Milestone.objects.filter(
            state=MilestoneState.ACCEPTED,
            settlement=False,
            submitted_at__isnull=False,
            accepted_at__isnull=False,
            accepted_at__lt=until,
        )
        .order_by()
        .annotate(
            _days=ExpressionWrapper(TruncDate("accepted_at") - TruncDate("submitted_at"), output_field=DurationField())
        )
        .values("contract__agency_id", "_days")
        .annotate(_n=Count("pk"))
    )
    for row in accepted:
        accept_histograms[row["contract__agency_id"]][_whole_days(row["_days"])] += row["_n"]

    last_paid = Subquery(
        Payment.objects.filter(milestone=OuterRef("pk"), state=PaymentState.AUTHORISED, paid_on__lte=on)
        .order_by("-paid_on")
        .values("paid_on")[:1],
        output_field=DateField(),
    )
    fell_due = (
        Milestone.objects.filter(state=MilestoneState.ACCEPTED, accepted_amount__gt=0, accepted_at__lt=until)
        .order_by()
        .annotate(_last_paid=last_paid)
        .filter(Q(paid_amount__gte=F("accepted_amount"), _last_paid__isnull=False) | Q(payment_due__lt=on))
    )
    paid_in_full = Q(paid_amount__gte=F("accepted_amount"), _last_paid__isnull=False)
    pay_histograms: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    paid = (
        fell_due.filter(paid_in_full)
        .annotate(
            _days=ExpressionWrapper(F("_last_paid") - TruncDate("accepted_at"), output_field=DurationField()),
        )
        .values("contract__agency_id", "_days")
        .annotate(_n=Count("pk"))
    )
    for row in paid:
        pay_histograms[row["contract__agency_id"]][_whole_days(row["_days"])] += row["_n"]
    due: dict[int, Mapping[str, Any]] = {
        row["contract__agency_id"]: row
        for row in fell_due.values("contract__agency_id").annotate(
            _due=Count("pk"),
            _on_time=Count(
                "pk", filter=paid_in_full & (Q(payment_due__isnull=True) | Q(_last_paid__lte=F("payment_due")))
            ),
        )
    }

    ids = set(accept_histograms) | set(pay_histograms) | set(due)
    agencies = Agency.objects.filter(pk__in=ids).select_related("region").only("name", "region__name")
    rows = []
    for agency in agencies:
        accept = sorted(accept_histograms[agency.pk].items())
        pay = sorted(pay_histograms[agency.pk].items())
        counts = due.get(agency.pk, {})
        rows.append(
            AgencyTimeliness(
                agency=agency,
                name=agency.name,
                region_name=agency.region.name,
                accepted=sum(n for _d, n in accept),
                accept_median=_median(accept),
                accept_p90=_p90(accept),
                paid=sum(n for _d, n in pay),
                pay_median=_median(pay),
                pay_p90=_p90(pay),
                payments_due=counts.get("_due", 0),
                payments_on_time=counts.get("_on_time", 0),
            )
        )
    return rows


# --- Best track records -------------------------------------------------------------------


def _percent(part: int, whole: int) -> int | None:
    if not whole:
        return None
    return int((Decimal(part * 100) / whole).quantize(Decimal(1), ROUND_HALF_UP))


def _best_records(agency_rows: list[AgencyTimeliness]) -> list[BestRecord]:
    """Organisations with at least MIN_RECORD completed contracts that may act today,
    best on-time delivery first, then evaluation score; agencies with at least
    MIN_RECORD payments fallen due, best on-time payment first, then the quicker payer."""

    eligible = (
        Contract.objects.filter(state=ContractState.CLOSED, organisation__in=organisations_may_act())
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=MIN_RECORD)
        .values_list("organisation_id", flat=True)
    )
    ids = list(eligible)
    records = track_records(ids)
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "legal_name"))

    def organisation_order(pk: int) -> tuple[float, Decimal | int, int, str]:
        r = records[pk]
        return (-(r.on_time_rate or 0), -(r.average_score or 0), -r.contracts, names.get(pk, ""))

    best = [
        BestRecord(
            kind=RecordKind.ORGANISATION,
            rank=rank,
            organisation_id=pk,
            name=names.get(pk, ""),
            basis=records[pk].contracts,
            on_time_percent=records[pk].on_time_percent,
            average_score=records[pk].average_score,
        )
        for rank, pk in enumerate(sorted(ids, key=organisation_order)[:BEST_RECORDS], start=1)
    ]
    payers = [row for row in agency_rows if row.payments_due >= MIN_RECORD]
    payers.sort(
        key=lambda r: (
            -r.payments_on_time / r.payments_due,
            r.pay_median if r.pay_median is not None else Decimal(10**6),
            -r.payments_due,
            r.name,
        )
    )
    best += [
        BestRecord(
            kind=RecordKind.AGENCY,
            rank=rank,
            agency=row.agency,
            name=row.name,
            basis=row.payments_due,
            on_time_percent=_percent(row.payments_on_time, row.payments_due),
            median_days_to_pay=row.pay_median,
        )
        for rank, row in enumerate(payers[:BEST_RECORDS], start=1)
    ]
    return best


# --- The snapshot ---------------------------------------------------------------------------


def snapshot_compute(*, on: date | None = None) -> Snapshot:
    """Compute every public figure up to the end of ``on`` (today by default) and make it
    the current snapshot, replacing the previous one in one transaction: readers see the
    old snapshot or the new, never a mix or nothing. States (fulfilled, terminated,
    authorised) are as they are now; dates are cut at ``on``. Reads outside the
    transaction, so the write lock is held only for the inserts."""
    started = time.monotonic()
    on = on or timezone.localdate()
    until = timezone.make_aware(datetime.combine(on + timedelta(days=1), datetime.min.time()))
    figure_rows = _figure_rows(_gather(until=until, on=on), on=on)
    agency_rows = _agency_rows(on=on, until=until)
    best = _best_records(agency_rows)
    with transaction.atomic():
        Snapshot.objects.all().delete()
        snapshot = Snapshot.objects.create(generated_at=timezone.now(), as_of=on)
        every: list[FigureRow | AgencyTimeliness | BestRecord] = [*figure_rows, *agency_rows, *best]
        for row in every:
            row.snapshot = snapshot
        FigureRow.objects.bulk_create(figure_rows, batch_size=1000)
        AgencyTimeliness.objects.bulk_create(agency_rows, batch_size=1000)
        BestRecord.objects.bulk_create(best)
        snapshot.rows = len(figure_rows) + len(agency_rows) + len(best)
        snapshot.duration_ms = int((time.monotonic() - started) * 1000)
        snapshot.save(update_fields=["rows", "duration_ms"])
    return snapshot


def snapshot_refresh_if_stale() -> bool:
    """Recompute the snapshot when the donation journal has moved since it was taken, so
    "money donated" follows a donation within moments rather than the next day. A burst
    of donations recomputes once or twice, not once each: the first run makes the rest
    find nothing newer. Returns whether it recomputed."""

    current = Snapshot.objects.order_by("-generated_at").first()
    moved = DonationEntry.objects.filter(kind__in=[EntryKind.RECEIVED, EntryKind.REFUNDED])
    if current is not None:
        moved = moved.filter(at__gt=current.generated_at)
    if current is None or not moved.exists():
        return False
    snapshot_compute()
    return True
