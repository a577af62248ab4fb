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

The backend is here; the index's settings and mapping are in ``mapping``, the request
and the reading of its response in ``queries``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from itertools import batched

from django.conf import settings

from matching.backends.base import FACETS, FitFunction, SearchBackend, SearchUnavailable
from matching.backends.elasticsearch.mapping import ANALYZER, INDEX_SETTINGS, MAPPINGS, REGION_LEVELS, source_of
from matching.backends.elasticsearch.queries import (
    FACET_SIZE,
    FIT_CANDIDATES,
    MAX_WINDOW,
    audience_query,
    clause_query,
    facet_aggregations,
    filter_queries,
    results_from,
    search_body,
    sort_clause,
    text_query,
)
from matching.query import Audience, SearchRequest, SearchResults

__all__ = [
    "ANALYZER",
    "FACET_SIZE",
    "FIT_CANDIDATES",
    "INDEX_SETTINGS",
    "MAPPINGS",
    "MAX_WINDOW",
    "REGION_LEVELS",
    "ElasticsearchBackend",
    "audience_query",
    "clause_query",
    "facet_aggregations",
    "filter_queries",
    "results_from",
    "search_body",
    "sort_clause",
    "source_of",
    "text_query",
]


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
