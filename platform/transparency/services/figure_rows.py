"""The public figures' rows (total, month, category, region) from the gathered cells, and the small-count rule."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, cast

from categories.models import Category
from regions.models import Region
from transparency.figures import METRICS, SMALL_COUNT, Dimension, Metric, Unit
from transparency.models import FigureRow
from transparency.services.gathering import _Cell, _Figures, _month_key


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
