"""Reads of the current snapshot, display-ready: every count the service marked as
suppressed comes out as "fewer than 5" and without its number, in tables, chart data and
downloads alike. Each function is one query, whatever the size of the data behind it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import get_language, gettext, gettext_lazy

from core.types import StrOrPromise
from transparency.figures import METRICS, MIN_RECORD, SMALL_COUNT, Dimension, Metric, Unit
from transparency.models import AgencyTimeliness, BestRecord, FigureRow, RecordKind, Snapshot

FEWER_THAN_5 = gettext_lazy("fewer than 5")
NO_DATA = "—"

UNIT_LABELS: dict[str, StrOrPromise] = {
    Unit.COUNT: gettext_lazy("needs"),
    Unit.DAYS: gettext_lazy("days"),
    Unit.CNY: gettext_lazy("CNY"),
}


def snapshot_current() -> Snapshot | None:
    return Snapshot.objects.order_by("-generated_at", "-pk").first()


def _english() -> bool:
    return get_language() == "en"


def _number(value: Decimal, unit: str) -> str:
    if unit == Unit.DAYS:
        return formats.number_format(value, 1, use_l10n=True)
    if unit == Unit.CNY:
        return formats.number_format(value.quantize(Decimal(1), ROUND_HALF_UP), 0, use_l10n=True, force_grouping=True)
    return formats.number_format(int(value), 0, use_l10n=True, force_grouping=True)


def _plain(value: Decimal, unit: str) -> int | float:
    """The number as data (JSON, charts): counts as integers, the rest as floats."""
    return int(value) if unit == Unit.COUNT else float(value)


def month_label(key: str) -> str:
    year, month = map(int, key.split("-"))
    return formats.date_format(date(year, month, 1), "YEAR_MONTH_FORMAT")


@dataclass(frozen=True)
class Shown:
    """One figure as the public sees it: ``value`` is None when it is suppressed."""

    key: str
    label: str
    text: str
    value: int | float | None
    suppressed: bool


def _shown(row: FigureRow) -> Shown:
    unit = METRICS[row.metric].unit
    if row.dimension == Dimension.MONTH:
        label = month_label(row.key)
    else:
        label = (row.label_en if _english() and row.label_en else row.label_zh) or row.key
    if row.suppressed:
        return Shown(row.key, label, str(FEWER_THAN_5), None, True)
    if unit == Unit.DAYS and not row.observations:
        return Shown(row.key, label, NO_DATA, None, False)
    return Shown(row.key, label, _number(row.value, unit), _plain(row.value, unit), False)


@dataclass(frozen=True)
class Headline:
    metric: str
    label: str
    unit: str
    description: str
    figure: Shown


def headline_figures(snapshot: Snapshot, metrics: list[str]) -> list[Headline]:
    """The totals of ``metrics``, in the order asked."""
    rows = {
        r.metric: r
        for r in FigureRow.objects.filter(snapshot=snapshot, dimension=Dimension.TOTAL, metric__in=list(metrics))
    }
    return [
        Headline(
            metric=m,
            label=str(Metric(m).label),
            unit=str(UNIT_LABELS[METRICS[m].unit]),
            description=str(METRICS[m].description),
            figure=_shown(rows[m]),
        )
        for m in metrics
        if m in rows
    ]


@dataclass
class Series:
    metric: str
    dimension: str
    title: str
    unit: str
    points: list[Shown] = field(default_factory=list)

    def chart_data(self, kind: str) -> dict[str, object]:
        """What the chart script draws: a suppressed point is null and carries only the
        words "fewer than 5", never its number."""
        return {
            "kind": kind,
            "title": self.title,
            "unit": self.unit,
            "labels": [p.label for p in self.points],
            "values": [p.value for p in self.points],
            "texts": [p.text for p in self.points],
        }


def figure_series(
    snapshot: Snapshot,
    *,
    metric: str,
    dimension: str,
    level: str = "province",
    months: int = 12,
    limit: int = 12,
) -> Series:
    """One breakdown of a metric: the last ``months`` months, the ``limit`` largest
    regions of one ``level`` (hidden ones last), or every category in the taxonomy's order."""
    qs = FigureRow.objects.filter(snapshot=snapshot, metric=metric, dimension=dimension)
    if dimension == Dimension.MONTH:
        rows = list(qs.order_by("-position")[:months])[::-1]
    elif dimension == Dimension.REGION:
        rows = list(qs.filter(level=level).order_by("suppressed", "-value", "key")[:limit])
    else:
        rows = list(qs.order_by("position"))
    return Series(
        metric=metric,
        dimension=dimension,
        title=f"{Metric(metric).label} · {Dimension(dimension).label}",
        unit=str(UNIT_LABELS[METRICS[metric].unit]),
        points=[_shown(r) for r in rows],
    )


# --- Agencies ----------------------------------------------------------------------------


def _count(n: int) -> str:
    return str(FEWER_THAN_5) if n < SMALL_COUNT else formats.number_format(n, 0, use_l10n=True, force_grouping=True)


def _days(value: Decimal | None) -> str:
    return NO_DATA if value is None else formats.number_format(value, 1, use_l10n=True)


def _share(part: int, whole: int) -> str:
    # A share of fewer than 5 would give its count away (1 of 3 is 33 %).
    if whole < SMALL_COUNT:
        return NO_DATA
    return f"{int((Decimal(part * 100) / whole).quantize(Decimal(1), ROUND_HALF_UP))}%"


@dataclass(frozen=True)
class AgencyRow:
    name: str
    region: str
    accepted: str
    accept_median: str
    accept_p90: str
    paid: str
    pay_median: str
    pay_p90: str
    payments_due: str
    on_time: str


def agency_timeliness(snapshot: Snapshot, *, limit: int | None = None) -> list[AgencyRow]:
    """Each buying agency, the busiest first (most payments fallen due)."""
    qs = AgencyTimeliness.objects.filter(snapshot=snapshot).order_by("-payments_due", "-accepted", "name")
    if limit:
        qs = qs[:limit]
    return [
        AgencyRow(
            name=a.name,
            region=a.region_name,
            accepted=_count(a.accepted),
            accept_median=_days(a.accept_median),
            accept_p90=_days(a.accept_p90),
            paid=_count(a.paid),
            pay_median=_days(a.pay_median),
            pay_p90=_days(a.pay_p90),
            payments_due=_count(a.payments_due),
            on_time=_share(a.payments_on_time, a.payments_due),
        )
        for a in qs
    ]


# --- Best records ------------------------------------------------------------------------


@dataclass(frozen=True)
class Record:
    kind: str
    rank: int
    name: str
    organisation_id: int | None
    agency_id: int | None
    basis: str
    on_time: str
    average_score: str
    median_days_to_pay: str


def best_records(snapshot: Snapshot) -> dict[str, list[Record]]:
    """The best computed records: {"organisation": [...], "agency": [...]}."""
    found: dict[str, list[Record]] = {RecordKind.ORGANISATION: [], RecordKind.AGENCY: []}
    for r in BestRecord.objects.filter(snapshot=snapshot).order_by("kind", "rank"):
        found[r.kind].append(
            Record(
                kind=r.kind,
                rank=r.rank,
                name=r.name,
                organisation_id=r.organisation_id,
                agency_id=r.agency_id,
                basis=formats.number_format(r.basis, 0, use_l10n=True, force_grouping=True),
                on_time=NO_DATA if r.on_time_percent is None else f"{r.on_time_percent}%",
                average_score=NO_DATA if r.average_score is None else formats.number_format(r.average_score, 2),
                median_days_to_pay=_days(r.median_days_to_pay),
            )
        )
    return found


def record_rule() -> str:
    return gettext(
        "Only organisations with at least %(n)d completed contracts, and agencies with at least %(n)d payments "
        "fallen due, are ranked: fewer would not mean much."
    ) % {"n": MIN_RECORD}


# --- Downloads ---------------------------------------------------------------------------

EXPORT_COLUMNS = (
    "table",
    "metric",
    "dimension",
    "key",
    "level",
    "parent",
    "label",
    "value",
    "unit",
    "suppressed",
    "snapshot_generated_at",
)

AGENCY_MEASURES = (
    ("milestones_accepted", "accepted", Unit.COUNT),
    ("days_to_accept_median", "accept_median", Unit.DAYS),
    ("days_to_accept_p90", "accept_p90", Unit.DAYS),
    ("milestones_paid", "paid", Unit.COUNT),
    ("days_to_pay_median", "pay_median", Unit.DAYS),
    ("days_to_pay_p90", "pay_p90", Unit.DAYS),
    ("payments_due", "payments_due", Unit.COUNT),
)


def figures_export(snapshot: Snapshot) -> list[dict[str, object]]:
    """Every figure of the snapshot as flat records for the CSV and JSON downloads (two
    queries). A suppressed value is the words "fewer than 5" with ``suppressed`` true."""
    generated = snapshot.generated_at.isoformat()
    english = _english()
    fewer = str(FEWER_THAN_5)
    out: list[dict[str, object]] = []
    value: str | int | float | None
    for r in FigureRow.objects.filter(snapshot=snapshot).order_by("metric", "dimension", "level", "position"):
        unit = METRICS[r.metric].unit
        if r.suppressed:
            value = fewer
        elif unit == Unit.DAYS and not r.observations:
            value = None
        else:
            value = _plain(r.value, unit)
        out.append(
            {
                "table": "figures",
                "metric": r.metric,
                "dimension": r.dimension,
                "key": r.key,
                "level": r.level,
                "parent": r.parent,
                "label": month_label(r.key)
                if r.dimension == Dimension.MONTH
                else ((r.label_en if english and r.label_en else r.label_zh) or ""),
                "value": value,
                "unit": unit,
                "suppressed": r.suppressed,
                "snapshot_generated_at": generated,
            }
        )
    for a in AgencyTimeliness.objects.filter(snapshot=snapshot).order_by("-payments_due", "name"):
        base: dict[str, object] = {
            "table": "agency_timeliness",
            "dimension": "agency",
            "key": str(a.agency_id or ""),
            "level": "",
            "parent": a.region_name,
            "label": a.name,
            "snapshot_generated_at": generated,
        }
        for measure, attr, unit in AGENCY_MEASURES:
            raw = getattr(a, attr)
            hidden = unit == Unit.COUNT and raw < SMALL_COUNT
            value = fewer if hidden else (None if raw is None else _plain(Decimal(raw), unit))
            out.append({**base, "metric": measure, "value": value, "unit": unit, "suppressed": hidden})
        hidden = a.payments_due < SMALL_COUNT
        share = (
            None
            if hidden
            else int((Decimal(a.payments_on_time * 100) / a.payments_due).quantize(Decimal(1), ROUND_HALF_UP))
        )
        out.append(
            {
                **base,
                "metric": "payments_on_time_percent",
                "value": fewer if hidden else share,
                "unit": "percent",
                "suppressed": hidden,
            }
        )
    return [{column: record.get(column, "") for column in EXPORT_COLUMNS} for record in out]
