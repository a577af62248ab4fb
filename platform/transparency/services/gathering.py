"""The grouped rows behind the public figures: three GROUP BY queries per source, by month, region and category."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DurationField,
    Expression,
    ExpressionWrapper,
    F,
    IntegerField,
    Q,
    QuerySet,
    Sum,
    When,
)
from django.db.models.functions import Substr, TruncMonth
from django.utils import timezone

from contracts.models import Contract, ContractState, Milestone, PaymentState
from contracts.models import Payment as ContractPayment
from donations.models import DonationEntry, EntryKind
from needs.models import Need, NeedEvent, NeedState
from transparency.figures import Dimension, Metric

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
