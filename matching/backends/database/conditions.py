"""The audience and the filters as conditions on SearchDocument, and the budget bands in SQL."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Case, CharField, Q, Value, When

from matching.query import BAND_KEYS, BUDGET_BANDS, Audience, Filters
from needs.selectors import ancestor_paths


def filters_q(filters: Filters) -> Q:
    """The filters as one condition on SearchDocument."""

    q = Q()
    if filters.ids:
        q &= Q(need_id__in=filters.ids)
    if filters.category:
        q &= Q(category__in=filters.category)
    if filters.kind:
        q &= Q(kind__in=filters.kind)
    if filters.urgency:
        q &= Q(urgency__in=filters.urgency)
    if filters.region:
        q &= Q(region_path__startswith=filters.region)
    if filters.budget:
        q &= reduce(or_, (_band_q(key) for key in filters.budget))
    if filters.service_area:
        q &= reduce(
            or_,
            (Q(region_path__startswith=p) | Q(region_path__in=ancestor_paths(p)) for p in filters.service_area),
        )
    return q


def _band_q(key: str) -> Q:
    for band, _label, low, high in BUDGET_BANDS:
        if band == key:
            q = Q()
            if low is not None:
                q &= Q(budget__gte=low)
            if high is not None:
                q &= Q(budget__lt=high)
            return q
    return Q(pk__in=[])


def _band_case() -> Case:
    """``band_of`` in SQL."""
    whens = [When(budget__lt=high, then=Value(key)) for key, _label, _low, high in BUDGET_BANDS if high is not None]
    return Case(*whens, default=Value(BAND_KEYS[-1]), output_field=CharField())


def audience_q(audience: Audience) -> Q:
    """The audience as a filter on SearchDocument (published needs only are indexed)."""

    visible = Q(pk__in=[])
    if audience.agency_paths:
        visible |= reduce(or_, (Q(agency_path__startswith=p) for p in audience.agency_paths))
    if audience.organisation_ids:
        in_scope = Q(scope="all")
        for path in audience.service_paths:
            in_scope |= Q(scope="region", region_path__startswith=path)
            in_scope |= Q(scope="region", region_path__in=ancestor_paths(path))
        for org_id in audience.organisation_ids:
            in_scope |= Q(invited__contains=f" {org_id} ")
        visible |= in_scope
    return visible
