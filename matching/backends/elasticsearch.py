"""Elasticsearch: the same search as the database backend, on an index behind an alias.

*Text.* ``text`` is analysed by the built-in ``cjk`` analyzer (standard tokenizer,
``cjk_width``, ``lowercase``, ``cjk_bigram``, stop words), given ``matching.text``'s stop
list, because Lucene's default CJK list differs from it (it keeps "an" and drops "s", "t"
and "www"). That is the tokenisation ``matching.text.tokens`` reproduces for the database.

*Ranking.* Each clause of ``matching.query.clauses`` becomes a ``constant_score`` query
whose boost is the clause's boost, inside a ``bool`` ``should``: a need's score is the sum
of the boosts of the clauses it matches, exactly as on the database. A clause is given
the text it came from, so Elasticsearch analyses the query as it analysed the needs.
Synonyms are expanded there too, once, for both backends: the analyzer has no synonym
filter, which would score differently from the database.

*Filters and facets.* The audience (who may see what) is a filter of the query itself.
The searcher's filters are a ``post_filter``, and each facet's aggregation is filtered by
every *other* filter, as ``database._counts`` counts: a facet shows the alternatives to
its own choice.

*Index.* Indexes are named ``{ELASTICSEARCH_INDEX_PREFIX}-needs-<timestamp>`` and read
and written through the alias ``{prefix}-needs``. ``rebuild`` fills a new index while the
old one answers, then moves the alias in one atomic step and deletes the old index.
Writes made during a rebuild go to both (through a second alias, ``{prefix}-needs-next``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from decimal import Decimal
from itertools import batched
from typing import Any

from django.conf import settings

from matching.backends.base import FACETS, FitFunction, SearchBackend, SearchUnavailable
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
from matching.text import STOP_WORDS
from needs.selectors import ancestor_paths

ANALYZER = "cjk_text"
# More than any facet has values (categories, kinds, urgencies, the regions one level down).
FACET_SIZE = 1000
# Elasticsearch's default index.max_result_window: from + size may not pass it.
MAX_WINDOW = 10_000
# sort=fit ranks this many best matches (by relevance) by the organisation's fit.
FIT_CANDIDATES = 1000
REGION_LEVELS = 4

_KEYWORD = {"type": "keyword"}
_STORED = {"type": "keyword", "index": False, "doc_values": False}  # shown, never searched

INDEX_SETTINGS = {
    "number_of_shards": 1,
    "auto_expand_replicas": "0-1",  # a replica once a second node joins
    "analysis": {"analyzer": {ANALYZER: {"type": "cjk", "stopwords": sorted(STOP_WORDS)}}},
}

MAPPINGS = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "title": {"type": "text", "analyzer": ANALYZER},  # title clauses (query.TITLE)
        "text": {"type": "text", "analyzer": ANALYZER},
        "category": _KEYWORD,
        "kind": _KEYWORD,
        "urgency": _KEYWORD,
        "scope": _KEYWORD,
        "region_path": _KEYWORD,
        **{f"region_l{level}": _KEYWORD for level in range(1, REGION_LEVELS + 1)},
        "agency_path": _KEYWORD,
        "invited": {"type": "long"},  # organisation ids, an array
        "budget": {"type": "scaled_float", "scaling_factor": 100},  # CNY, to the fen
        # Nanosecond dates: the database orders by the microsecond, and so must this.
        "response_deadline": {"type": "date_nanos"},
        "published_at": {"type": "date_nanos"},
        "qualifications": _STORED,
    },
}


# --- Documents ------------------------------------------------------------------------


def source_of(document: dict) -> dict:
    """A ``matching.documents.document_for`` dict as the index stores it. Empty region
    levels are left out, so the region facet never counts a blank."""
    source = {
        "id": document["id"],
        "title": document["title"],
        "text": document["text"],
        "category": document["category"],
        "kind": document["kind"],
        "urgency": document["urgency"],
        "scope": document["scope"],
        "region_path": document["region_path"],
        "agency_path": document["agency_path"],
        "invited": list(document["invited"]),
        "budget": str(Decimal(document["budget"])),  # exact: the field parses it to the fen
        "response_deadline": document["response_deadline"].isoformat(),
        "published_at": document["published_at"].isoformat(),
        "qualifications": document["qualifications"],
    }
    for level in range(1, REGION_LEVELS + 1):
        if document[f"region_l{level}"]:
            source[f"region_l{level}"] = document[f"region_l{level}"]
    return source


# --- Queries --------------------------------------------------------------------------


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


# --- The backend ----------------------------------------------------------------------


@contextmanager
def _answering() -> Iterator[None]:
    """Elasticsearch down, unreachable or overloaded becomes SearchUnavailable; a request
    it refuses (a 4xx) stays an error, because it is a bug here."""
    from elasticsearch import ApiError, TransportError

    try:
        yield
    except TransportError as exc:  # connection refused, timeout, TLS
        raise SearchUnavailable(str(exc)) from exc
    except ApiError as exc:
        if exc.status_code >= 500 or exc.status_code == 429:
            raise SearchUnavailable(str(exc)) from exc
        raise


class ElasticsearchBackend(SearchBackend):
    name = "elasticsearch"

    def __init__(self, *, url: str | None = None, prefix: str | None = None, client=None):
        self.prefix = prefix or settings.ELASTICSEARCH_INDEX_PREFIX
        self.alias = f"{self.prefix}-needs"  # what every search reads and every write goes to
        self.next_alias = f"{self.prefix}-needs-next"  # the index a rebuild is filling
        self._index_name = re.compile(rf"^{re.escape(self.alias)}-\d{{20}}$")
        if client is None:
            from elasticsearch import Elasticsearch

            client = Elasticsearch(url or settings.ELASTICSEARCH_URL, request_timeout=10)
        self.client = client

    # --- Writing ---------------------------------------------------------------------

    def index(self, documents: Iterable[dict]) -> int:
        documents = list(documents)
        if not documents:
            return 0
        with _answering():
            if not self.client.indices.exists_alias(name=self.alias):
                self._ensure_index()
            self._write(lambda target: [op for d in documents for op in self._index_op(target, d)])
        return len(documents)

    def remove(self, need_ids: Iterable[int]) -> None:
        ids = list(need_ids)
        if not ids:
            return
        with _answering():
            self._write(lambda target: [{"delete": {"_index": target, "_id": str(i)}} for i in ids], ignore=(404,))

    def rebuild(self, documents: Iterable[dict], *, batch_size: int = 500, progress=None) -> int:
        """Fill a new index, then point the alias at it in one step. Until then the old
        index answers every search; a write meanwhile goes to both."""
        new = f"{self.alias}-{datetime.now(UTC):%Y%m%d%H%M%S%f}"
        loader = self.client.options(request_timeout=120)  # a batch takes longer than a search
        done = 0
        with _answering():
            # Refreshing only once, at the end, makes the bulk load quicker.
            load_settings = {**INDEX_SETTINGS, "refresh_interval": "-1"}
            self.client.indices.create(
                index=new, settings=load_settings, mappings=MAPPINGS, aliases={self.next_alias: {}}
            )
            try:
                for batch in batched(documents, batch_size, strict=False):
                    # create, not index: a newer version written meanwhile by index() wins.
                    ops = [op for d in batch for op in self._index_op(new, d, op_type="create")]
                    self._bulk(ops, ignore=(409,), require_alias=False, client=loader)
                    done += len(batch)
                    if progress:
                        progress(done)
                self.client.indices.put_settings(index=new, settings={"index": {"refresh_interval": None}})
                loader.indices.refresh(index=new)
                actions = [{"remove": {"index": old, "alias": self.alias}} for old in self._indices_of(self.alias)]
                actions.append({"add": {"index": new, "alias": self.alias}})
                actions.append({"remove": {"index": new, "alias": self.next_alias}})
                self.client.indices.update_aliases(actions=actions)
            except BaseException:
                with suppress(Exception):  # the first error is the one to report
                    self.client.indices.delete(index=new, ignore_unavailable=True)
                raise
            # Older indexes: the one just replaced, and any left by a rebuild that failed.
            for stale in self._managed_indices():
                if stale < new:
                    self.client.indices.delete(index=stale, ignore_unavailable=True)
        return done

    def _ensure_index(self) -> None:
        """Create the first index and its alias (there is none yet). The first index has a
        fixed name, so two workers racing to create it make one index, not two."""
        from elasticsearch import BadRequestError

        try:
            self.client.indices.create(
                index=f"{self.alias}-{'0' * 20}", settings=INDEX_SETTINGS, mappings=MAPPINGS, aliases={self.alias: {}}
            )
        except BadRequestError as exc:
            if exc.error != "resource_already_exists_exception":
                raise

    def _write(self, operations_for: Callable[[str], list[dict]], *, ignore: tuple[int, ...] = ()) -> None:
        """Write to the index a rebuild is filling, if one is, then through the alias. In
        this order a write that races the swap of the alias reaches the new index anyway."""
        if self.client.indices.exists_alias(name=self.next_alias):
            # 404: the rebuild has just finished, and the write through the alias reaches it.
            self._bulk(operations_for(self.next_alias), ignore=(*ignore, 404))
        self._bulk(operations_for(self.alias), ignore=ignore)

    def _index_op(self, target: str, document: dict, *, op_type: str = "index") -> list[dict]:
        return [{op_type: {"_index": target, "_id": str(document["id"])}}, source_of(document)]

    def _bulk(
        self, operations: list[dict], *, ignore: tuple[int, ...] = (), require_alias: bool = True, client=None
    ) -> None:
        """One bulk request; raises if any item failed (other than the statuses ignored).
        ``require_alias``: a write to a missing alias fails rather than create an index of
        that name, with a mapping guessed from the document, that no alias could replace."""
        if not operations:
            return
        response = (client or self.client).bulk(operations=operations, require_alias=require_alias)
        if not response["errors"]:
            return
        failed = [
            item
            for entry in response["items"]
            for item in entry.values()
            if item.get("status", 500) >= 300 and item.get("status") not in ignore
        ]
        if failed:
            raise RuntimeError(f"Elasticsearch refused {len(failed)} of the writes, the first: {failed[0]}")

    def _indices_of(self, alias: str) -> list[str]:
        from elasticsearch import NotFoundError

        try:
            return sorted(self.client.indices.get_alias(name=alias).body)
        except NotFoundError:
            return []

    def _managed_indices(self) -> list[str]:
        """Every index of ours (``{prefix}-needs-<timestamp>``), oldest first."""
        from elasticsearch import NotFoundError

        try:
            names = self.client.indices.get(index=f"{self.alias}-*", expand_wildcards="all").body
        except NotFoundError:
            return []
        return sorted(n for n in names if self._index_name.match(n))

    def drop(self) -> None:
        """Delete every index of this prefix (tests, and a prefix taken out of use)."""
        with _answering():
            for name in self._managed_indices():
                self.client.indices.delete(index=name, ignore_unavailable=True)

    # --- Reading ---------------------------------------------------------------------

    def search(
        self,
        request: SearchRequest,
        audience: Audience,
        *,
        fit: FitFunction | None = None,
    ) -> SearchResults:
        from elasticsearch import NotFoundError

        if audience.nothing:
            return _empty(request)
        by_fit = bool(fit) and request.sort == "fit"
        body = search_body(request, audience, fit=by_fit)
        with _answering():
            try:
                response = self.client.search(index=self.alias, body=body).body
            except NotFoundError:
                return _empty(request)  # nothing indexed yet
        fits = None
        if by_fit and fit is not None:
            fits = fit([int(h["_id"]) for h in response["hits"]["hits"]])
        return results_from(response, request, fits=fits)


def _empty(request: SearchRequest) -> SearchResults:
    return SearchResults(
        ids=[], scores={}, total=0, facets={f: {} for f in FACETS}, page=request.page, per_page=request.per_page
    )
