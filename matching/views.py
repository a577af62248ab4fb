"""The charity's search at /needs/: full text, facets with counts, "in my service area",
sorts, pagination. The whole state lives in the query string; htmx swaps the results
without a reload and pushes the address, and the page works the same without JavaScript."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts import policy
from categories.models import Category
from matching.backends.base import SearchUnavailable
from matching.fit import fit_for, fit_function
from matching.models import AlertFrequency
from matching.query import BAND_KEYS, BUDGET_BANDS, SORTS, Filters, SearchRequest, SearchResults
from matching.selectors import search_needs
from needs.models import Need, NeedKind, NeedState, Proposal, Urgency
from needs.selectors import needs_visible_to
from organisations.selectors import acting_organisations
from regions.models import Region

PER_PAGE = 20
MAX_PAGE = 500


def parse(
    params: QueryDict, *, service_paths: tuple[str, ...], can_fit: bool, strict: bool = False, known=None
) -> SearchRequest:
    """A search request from the query string, never an error. A filter value the search
    does not know is kept (it matches nothing, and the page says which value it was),
    unless ``strict``, which drops it (a saved search keeps only what it understands).
    ``known``: ``known_values()``, when the caller has them."""
    known = known or known_values()
    region = _clean(params.get("region", ""))[:80]
    if strict and region not in known["region"]:
        region = ""
    sort = params.get("sort", "relevance")
    if sort not in SORTS or (sort == "fit" and not can_fit):
        sort = "relevance"
    try:
        page = min(max(int(params.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1

    def values(name: str) -> tuple[str, ...]:
        given = [_clean(v)[:40] for v in params.getlist(name)[:10]]
        return tuple(v for v in given if v in known[name] or not strict)

    return SearchRequest(
        text=_clean(params.get("q", ""))[:200],
        filters=Filters(
            category=values("category"),
            kind=values("kind"),
            urgency=values("urgency"),
            region=region,
            budget=values("budget"),
            service_area=service_paths if params.get("area") == "1" else (),
        ),
        sort=sort,
        page=page,
        per_page=PER_PAGE,
    )


def _clean(value: str) -> str:
    """Without control characters: PostgreSQL refuses NUL in text, and none belongs in a search."""
    return "".join(c for c in value if c >= " " or c in "\t")


def known_values() -> dict:
    """The values each filter understands (the categories: code → name)."""
    return {
        "category": {c.code: str(c) for c in Category.objects.filter(is_active=True)},
        "kind": set(NeedKind.values),
        "urgency": set(Urgency.values),
        "budget": set(BAND_KEYS),
        "region": _RegionPaths(),
    }


class _RegionPaths:
    """``path in`` asks the regions table (there are tens of thousands)."""

    def __contains__(self, path: str) -> bool:
        return bool(path) and Region.objects.filter(path=path).exists()


def unknown_filters(search: SearchRequest, known=None) -> list[str]:
    known = known or known_values()
    f = search.filters
    names = ("category", "kind", "urgency", "budget")
    unknown = [v for name in names for v in getattr(f, name) if v not in known[name]]
    if f.region and f.region not in known["region"]:
        unknown.append(f.region)
    return unknown


def search_page(request: HttpRequest) -> HttpResponse:
    acting = acting_organisations(request.user)
    organisation = acting[0] if acting else None  # the one the member searches for
    service_paths = tuple(r.path for r in organisation.service_regions.all()) if organisation else ()
    known = known_values()
    search = parse(request.GET, service_paths=service_paths, can_fit=organisation is not None, known=known)
    try:
        fit = fit_function(organisation) if organisation and search.sort == "fit" else None
        results = search_needs(request.user, search, fit=fit, acting=acting)
    except SearchUnavailable:
        messages.warning(request, _("Search is unavailable for a moment: the newest needs are shown, unfiltered."))
        results = _newest_without_search(request.user, search)
    by_id = Need.objects.select_related("category", "region", "agency").in_bulk(results.ids)
    needs = [by_id[i] for i in results.ids if i in by_id]
    fits = fit_for(organisation, needs) if organisation else {}
    state = _state(search)
    context = {
        "search": search,
        "results": results,
        "hits": [(need, fits.get(need.pk)) for need in needs],
        "organisation": organisation,
        "facets": _facets(results.facets, search, state, known["category"]),
        "region_trail": _region_trail(search.filters.region, state),
        "region_children": region_children(results.facets["region"], state),
        "sorts": [(key, label) for key, label in SORTS.items() if key != "fit" or organisation],
        "state": state,
        "pages": _pages(results, state),
        "first_page_url": _url(state, page=None),
        "unknown_filters": unknown_filters(search, known),
        "clear_url": "?" + urlencode({"q": search.text}) if search.text else "?",
        "area_on": bool(search.filters.service_area),
        "area_url": _url(state, area=None if search.filters.service_area else "1", page=None),
        "mine": _mine(request.user),
        "query_string": _url(state).removeprefix("?"),
        "frequencies": AlertFrequency.choices,
    }
    partial = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    return render(request, "matching/_results.html" if partial else "matching/search.html", context)


def _state(search: SearchRequest) -> dict[str, list[str]]:
    """The current search as query-string values (only those that were understood)."""
    f = search.filters
    state = {
        "q": [search.text] if search.text else [],
        "category": list(f.category),
        "kind": list(f.kind),
        "urgency": list(f.urgency),
        "region": [f.region] if f.region else [],
        "budget": list(f.budget),
        "area": ["1"] if f.service_area else [],
        "sort": [search.sort] if search.sort != "relevance" else [],
    }
    return state


def _url(state: dict[str, list[str]], **changes) -> str:
    merged = {k: list(v) for k, v in state.items()}
    for key, value in changes.items():
        merged[key] = [] if value is None else [value]
    return "?" + urlencode([(k, v) for k, values in merged.items() for v in values])


def _toggle(state: dict[str, list[str]], key: str, value: str) -> str:
    values = list(state.get(key, []))
    values = [v for v in values if v != value] if value in values else [*values, value]
    merged = {**state, key: values}
    return "?" + urlencode([(k, v) for k, vs in merged.items() for v in vs])


def _facets(counts: dict[str, dict[str, int]], search: SearchRequest, state, categories: dict[str, str]) -> list[dict]:
    f = search.filters
    labels: dict[str, Mapping[str, object]] = {
        "category": categories,
        "kind": dict(NeedKind.choices),
        "urgency": dict(Urgency.choices),
        "budget": {key: str(label) for key, label, *_rest in BUDGET_BANDS},
    }
    titles = {"category": _("Category"), "kind": _("Kind"), "urgency": _("Urgency"), "budget": _("Budget (CNY)")}
    groups = []
    for name in ("category", "urgency", "kind", "budget"):
        selected = set(getattr(f, name))
        keys = list(labels[name]) if name != "category" else sorted(labels[name], key=lambda k: -counts[name].get(k, 0))
        values = [
            {
                "key": key,
                "label": labels[name][key],
                "count": counts[name].get(key, 0),
                "selected": key in selected,
                "url": _toggle({**state, "page": []}, name, key),
            }
            for key in keys
            if counts[name].get(key, 0) or key in selected
        ]
        groups.append({"name": name, "title": titles[name], "values": values})
    return groups


def _region_trail(path: str, state) -> dict:
    """Where the region facet stands (province → … → here) and its children with counts."""
    trail = []
    if path:
        codes = path.strip("/").split("/")
        by_code = {r.code: r for r in Region.objects.filter(code__in=codes)}
        for code in codes:
            region = by_code.get(code)
            if region:
                trail.append({"name": region.local_name, "url": _url(state, region=region.path, page=None)})
    return {"trail": trail, "all_url": _url(state, region=None, page=None)}


def region_children(counts: dict[str, int], state) -> list[dict]:
    codes = [p.strip("/").split("/")[-1] for p in counts]
    names = {r.path: r.local_name for r in Region.objects.filter(code__in=codes).only("path", "name", "name_en")}
    return sorted(
        (
            {"name": names.get(p, p), "count": n, "url": _url(state, region=p, page=None)}
            for p, n in counts.items()
            if n
        ),
        key=lambda c: -c["count"],
    )


def _pages(results, state) -> dict:
    return {
        "number": results.page,
        "count": results.pages,
        "previous": _url(state, page=str(results.page - 1)) if results.page > 1 else "",
        "next": _url(state, page=str(results.page + 1)) if results.page < results.pages else "",
    }


def _mine(user) -> list[Need]:
    """Needs the member's organisations took on or proposed for (not in the search)."""

    org_ids = policy.organisation_ids(user)
    if not org_ids:
        return []
    open_states = [NeedState.PUBLISHED, NeedState.PROPOSALS_OPEN]
    proposed = Proposal.objects.filter(organisation__in=org_ids).values("need")
    # The newest ten of each side, then of both: one condition with an OR over a million
    # needs is a sequential scan; each side alone is an index's few rows.
    order = ("-created_at", "-pk")
    sides = (
        Need.objects.filter(claimed_by__in=org_ids),
        Need.objects.filter(pk__in=proposed).exclude(state__in=open_states),
    )
    ids = [pk for side in sides for pk in side.order_by(*order).values_list("pk", flat=True)[:10]]
    return list(Need.objects.filter(pk__in=ids).select_related("category").order_by(*order)[:10])


def canonical_query(query: str) -> str:
    """A saved search's query string: only the parameters the search understands, valid
    values only, no page. ("area" is kept as asked; it is resolved when the search runs.)"""
    search = parse(QueryDict(query), service_paths=("area",), can_fit=True, strict=True)
    return _url(_state(search)).removeprefix("?")


def _newest_without_search(user, search: SearchRequest) -> SearchResults:
    """When the search backend cannot answer: the open needs the user may see, newest
    first, straight from the database (no text, no facets)."""
    from matching.backends.base import FACETS
    from matching.documents import INDEXED_STATES

    visible = needs_visible_to(user).filter(state__in=INDEXED_STATES).order_by("-published_at", "-pk")
    start = (search.page - 1) * search.per_page
    ids = list(visible.values_list("pk", flat=True)[start : start + search.per_page])
    return SearchResults(
        ids=ids, scores={}, total=visible.count(), facets={f: {} for f in FACETS}, page=search.page, per_page=PER_PAGE
    )
