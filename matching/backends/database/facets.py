# ruff: noqa: S608 — the SQL built here interpolates only fixed column names, integer
# boosts and Django's own compiled SQL; every value from a query is a parameter.
"""Every facet's counts and the total in one GROUP BY over the documents that can count."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from matching.backends.base import FACETS
from matching.backends.database.conditions import _band_case, filters_q
from matching.query import Filters


def _flag(q: Q):
    """1 where the condition holds, else 0 (an empty condition holds everywhere)."""
    if not q:
        return Value(1, output_field=IntegerField())
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


RELAXABLE = ("category", "kind", "urgency", "budget")


@dataclass
class _Relaxed:
    """The documents a facet or the total can count, each with which filter it fails.

    Each relaxable facet's own filter is a flag per row (``c_…``, 1 or 0); the region, the
    service area and the ids are never relaxed (the region facet walks down the chosen
    region), so they are the ``queryset``'s condition with the audience. A row is counted
    when it fails at most one relaxable filter (with facets; else none): ``failed`` says
    which (1…4, in ``RELAXABLE`` order), 0 none. Rows failing none make the total and the
    page; each facet counts those failing none or only its own filter."""

    queryset: QuerySet[Any]
    checks: dict
    counted: str
    failed: str
    region_column: str  # the region facet's: the level below the chosen region ('' none)

    @property
    def value_columns(self) -> list[str]:
        """Each facet's value, in ``FACETS`` order (``''`` for a region not counted)."""
        return ["category", "kind", "urgency", self.region_column or "''", "band"]

    @property
    def columns(self) -> list[str]:
        return [c for c in self.value_columns if c != "''"]

    def count(self, facets: dict[str, Counter], values, failed: int, n: int) -> None:
        """Add a group of ``n`` rows with these ``value_columns`` values to the facets."""
        if failed:  # counted by the failed filter's own facet only
            facet = RELAXABLE[failed - 1]
            facets[facet][values[FACETS.index(facet)]] += n
            return
        for facet, value in zip(FACETS, values, strict=True):
            if facet != "region" or (self.region_column and value):
                facets[facet][value] += n


def _relaxed(visible, filters: Filters, *, facets: bool) -> _Relaxed:
    own = {facet: filters_q(Filters(**{facet: getattr(filters, facet)})) for facet in RELAXABLE}
    relaxed: dict[str, Any] = dict.fromkeys(RELAXABLE, ())
    rest = filters_q(replace(filters, **relaxed))
    checks = {f"c_{facet}": _flag(q) for facet, q in own.items()}
    depth = len(filters.region.strip("/").split("/")) if filters.region else 0
    return _Relaxed(
        queryset=(visible.filter(rest) if rest else visible).annotate(band=_band_case(), **checks).order_by(),
        checks=checks,
        counted=f"{' + '.join(checks)} >= {len(checks) - 1 if facets else len(checks)}",
        failed="CASE " + " ".join(f"WHEN {c} = 0 THEN {i}" for i, c in enumerate(checks, 1)) + " ELSE 0 END",
        region_column=f"region_l{depth + 1}" if facets and depth < 4 else "",
    )


def _facets_and_total(visible, filters: Filters) -> tuple[dict[str, Counter], int]:
    """Every facet's counts and the total in one pass over the documents that can count
    (one ``GROUP BY`` of the facets' values and the filter each row fails), where a
    statement per facet would read them five times."""
    rows = _relaxed(visible, filters, facets=True)
    facets: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    try:
        sql, params = rows.queryset.values(*rows.columns, *rows.checks).query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing
        return facets, 0
    group = ", ".join(rows.columns)
    statement = (
        f"SELECT {', '.join(rows.value_columns)}, failed, COUNT(*) FROM "
        f"(SELECT *, {rows.failed} AS failed FROM ({sql}) x WHERE {rows.counted}) y GROUP BY {group}, failed"
    )
    total = 0
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        for *values, failed, n in cursor.fetchall():
            rows.count(facets, values, failed, n)
            total += n if not failed else 0
    return facets, total
