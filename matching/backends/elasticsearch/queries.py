"""The search request sent to Elasticsearch (text, audience, filters, facets, order) and its results read back."""

from __future__ import annotations

from typing import Any

from matching.backends.base import FACETS
from matching.backends.elasticsearch.mapping import REGION_LEVELS
from matching.query import (
    ALL,
    BAND_KEYS,
    BUDGET_BANDS,
    PHRASE,
    TITLE,
    Audience,
    Clause,
    Filters,
    SearchRequest,
    SearchResults,
    clauses,
)
from needs.selectors import ancestor_paths

# More than any facet has values (categories, kinds, urgencies, the regions one level down).
FACET_SIZE = 1000
# Elasticsearch's default index.max_result_window: from + size may not pass it.
MAX_WINDOW = 10_000
# sort=fit ranks this many best matches (by relevance) by the organisation's fit.
FIT_CANDIDATES = 1000


def clause_query(clause: Clause) -> dict:
    """One clause, scoring exactly its boost when it matches."""
    text = clause.text or " ".join(clause.tokens)
    field = "title" if clause.target == TITLE else "text"
    if clause.kind == PHRASE and len(clause.tokens) > 1:
        match: dict[str, Any] = {"match_phrase": {field: {"query": text}}}
    elif clause.kind == PHRASE:
        match = {"match": {field: {"query": text}}}
    else:
        distinct = list(dict.fromkeys(clause.tokens))
        if len(distinct) < len(clause.tokens):
            # A repeated token would count twice towards minimum_should_match; the
            # database counts distinct tokens. Alone, each token analyses to itself.
            text = " ".join(distinct)
        match = {"match": {field: {"query": text}}}
        if clause.kind == ALL:
            match["match"][field]["operator"] = "and"
        else:
            match["match"][field]["minimum_should_match"] = clause.required
    return {"constant_score": {"filter": match, "boost": clause.boost}}


def text_query(text: str, synonyms: dict[str, list[str]] | None = None) -> dict | None:
    """The query text as scoring clauses; None for no text (every need, unscored). Text
    without a single token finds nothing, as on the database."""
    if not text.strip():
        return None
    query_clauses = clauses(text, synonyms)
    if not query_clauses:
        return {"match_none": {}}
    return {"bool": {"should": [clause_query(c) for c in query_clauses], "minimum_should_match": 1}}


def audience_query(audience: Audience) -> dict | None:
    """Who may see which needs (``database.audience_q``); None for everything."""

    if audience.everything:
        return None
    visible: list[dict[str, Any]] = [{"prefix": {"agency_path": path}} for path in audience.agency_paths]
    if audience.organisation_ids:
        in_region: list[dict[str, Any]] = []
        for path in audience.service_paths:
            in_region.append({"prefix": {"region_path": path}})
            in_region.append({"terms": {"region_path": ancestor_paths(path)}})
        visible.append({"term": {"scope": "all"}})
        if in_region:
            visible.append({"bool": {"filter": [{"term": {"scope": "region"}}, _any_of(in_region)]}})
        visible.append({"terms": {"invited": list(audience.organisation_ids)}})
    return _any_of(visible)


def filter_queries(filters: Filters) -> dict[str, dict]:
    """Each active filter as a query, by name (``database._passes``)."""

    out: dict[str, dict] = {}
    if filters.ids:
        out["ids"] = {"terms": {"id": list(filters.ids)}}
    for name in ("category", "kind", "urgency"):
        if getattr(filters, name):
            out[name] = {"terms": {name: list(getattr(filters, name))}}
    if filters.region:
        out["region"] = {"prefix": {"region_path": filters.region}}
    if filters.budget:
        # A band that does not exist matches nothing, as on the database.
        bands = [_band_range(key) for key in filters.budget if key in BAND_KEYS]
        out["budget"] = _any_of(bands) if bands else {"match_none": {}}
    if filters.service_area:
        near: list[dict[str, Any]] = []
        for path in filters.service_area:
            near.append({"prefix": {"region_path": path}})
            near.append({"terms": {"region_path": ancestor_paths(path)}})
        out["service_area"] = _any_of(near)
    return out


def facet_aggregations(filters: Filters) -> dict:
    """One aggregation per facet, each filtered by every other filter (``database._counts``)."""
    active = filter_queries(filters)
    aggs = {}
    for facet in FACETS:
        if facet == "region":
            # The region facet walks down the tree: the children of the chosen region,
            # among the needs in it, so its own filter applies too.
            depth = len(filters.region.strip("/").split("/")) if filters.region else 0
            if depth >= REGION_LEVELS:
                continue
            values = {"terms": {"field": f"region_l{depth + 1}", "size": FACET_SIZE}}
            others = active
        elif facet == "budget":
            values = {"range": {"field": "budget", "ranges": [_band_bucket(key) for key in BAND_KEYS]}}
            others = {name: q for name, q in active.items() if name != facet}
        else:
            values = {"terms": {"field": facet, "size": FACET_SIZE}}
            others = {name: q for name, q in active.items() if name != facet}
        aggs[facet] = {"filter": _all_of(list(others.values())), "aggs": {"values": values}}
    return aggs


def sort_clause(sort: str) -> list:
    """``database._order``: ties always fall back to the newest, then the need id."""
    newest = [{"published_at": "desc"}, {"id": "desc"}]
    if sort == "newest":
        return newest
    if sort == "deadline":
        return [{"response_deadline": "asc"}, {"id": "desc"}]
    return [{"_score": "desc"}, *newest]  # relevance; fit is ordered afterwards, from this


def search_body(
    request: SearchRequest,
    audience: Audience,
    *,
    synonyms: dict[str, list[str]] | None = None,
    fit: bool = False,
) -> dict:
    """The request sent to Elasticsearch. ``fit``: fetch the best ``FIT_CANDIDATES``
    matches by relevance, to be ordered by fit here."""
    scoring = text_query(request.text, synonyms)
    visible = audience_query(audience)
    if visible is None:
        query = scoring or {"match_all": {}}
    elif scoring is None:
        query = {"bool": {"filter": [visible]}}
    else:
        query = {"bool": {"filter": [visible], "must": [scoring]}}
    if fit:
        start, size = 0, FIT_CANDIDATES
    else:
        start, size = (max(request.page, 1) - 1) * request.per_page, request.per_page
        if start + size > MAX_WINDOW:
            start, size = 0, 0  # beyond what Elasticsearch pages: counts and facets only
    body = {
        "query": query,
        "aggs": facet_aggregations(request.filters),
        "sort": sort_clause("relevance" if fit else request.sort),
        "from": start,
        "size": size,
        "track_total_hits": True,  # the exact count, past 10,000 too
        "track_scores": True,  # scores are shown whatever the order
        "_source": False,
    }
    active = filter_queries(request.filters)
    if active:
        body["post_filter"] = _all_of(list(active.values()))
    return body


def results_from(response: dict, request: SearchRequest, *, fits: dict[int, float] | None = None) -> SearchResults:
    """SearchResults from a search response; ``fits`` given, the hits are the fit
    candidates in relevance order, and the page is cut from them ordered by fit."""
    scored = bool(request.text.strip())
    hits = [(int(h["_id"]), float(h.get("_score") or 0) if scored else 0.0) for h in response["hits"]["hits"]]
    if fits is not None:
        # A stable sort keeps relevance, then newest, then id, among equal fits.
        hits.sort(key=lambda hit: -fits.get(hit[0], 0))
        start = (max(request.page, 1) - 1) * request.per_page
        hits = hits[start : start + request.per_page]
    facets: dict[str, dict[str, int]] = {facet: {} for facet in FACETS}
    for facet, agg in response.get("aggregations", {}).items():
        facets[facet] = {b["key"]: b["doc_count"] for b in agg["values"]["buckets"] if b["doc_count"]}
    return SearchResults(
        ids=[need_id for need_id, _score in hits],
        scores=dict(hits),
        total=response["hits"]["total"]["value"],
        facets=facets,
        page=request.page,
        per_page=request.per_page,
    )


def _any_of(queries: list[dict]) -> dict:
    if len(queries) == 1:
        return queries[0]
    return {"bool": {"should": queries, "minimum_should_match": 1}}


def _all_of(queries: list[dict]) -> dict:
    if not queries:
        return {"match_all": {}}
    if len(queries) == 1:
        return queries[0]
    return {"bool": {"filter": queries}}


def _band_bucket(key: str) -> dict:
    """A budget band as a range aggregation bucket: from inclusive, to exclusive, as ``band_of``."""
    _key, _label, low, high = next(band for band in BUDGET_BANDS if band[0] == key)
    bucket: dict = {"key": key}
    if low is not None:
        bucket["from"] = float(low)
    if high is not None:
        bucket["to"] = float(high)
    return bucket


def _band_range(key: str) -> dict:
    bucket = _band_bucket(key)
    bounds = {}
    if "from" in bucket:
        bounds["gte"] = bucket["from"]
    if "to" in bucket:
        bounds["lt"] = bucket["to"]
    return {"range": {"budget": bounds}}
