# ruff: noqa: S608 — the SQL built here interpolates only fixed column names, integer
# boosts and Django's own compiled SQL; every value from a query is a parameter.
"""The embedded default: SQLite FTS5 or PostgreSQL full-text search over pre-tokenised text.

The need's bigrams and words are written joined by spaces, so stock tokenisers (FTS5's
``unicode61``, PostgreSQL's ``simple`` configuration) see exactly our tokens: into an FTS5
table on SQLite, as one tsvector on PostgreSQL (the title's positions weighted ``A``).
Everything runs in the database: the text's scores once per request into a temporary
table, the audience and filters as one condition, every facet's counts and the total one
``GROUP BY`` (``_facets_and_total``) and the page ordered and cut in SQL, the same way on
both databases. On PostgreSQL a text search (but
sort by fit) is one statement that reads only the needs a facet or the page can count
and scores only those passing every filter (``_pg_text_search``).

The backend is here; its parts are modules: ``rows`` (what is written to the index),
``conditions`` (the audience and the filters), ``scoring`` (the general way),
``facets`` (the counts) and ``pg_search`` (PostgreSQL's one statement).
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterable
from typing import cast

from django.db import connection, transaction
from django.db.models.expressions import RawSQL

from matching.backends.base import FACETS, FitFunction, SearchBackend
from matching.backends.database.conditions import _band_case, audience_q, filters_q
from matching.backends.database.facets import RELAXABLE, _facets_and_total
from matching.backends.database.pg_search import (
    MAX_COMBINATIONS,
    PAGE_ORDER,
    PG_SETTINGS,
    _pg_match_plan,
    _pg_text_search,
)
from matching.backends.database.rows import (
    COPY_COLUMNS,
    DOCUMENT_FIELDS,
    VECTOR_OF_COLUMNS,
    WEIGHTED_VECTOR,
    copy_lines,
    document_rows,
    filter_lexemes,
    vector_parts,
)
from matching.backends.database.scoring import COLUMNS, _fit_page, _scored, _scored_page, _total
from matching.models import SearchDocument
from matching.query import Audience, SearchRequest, SearchResults, clauses

__all__ = [
    "COLUMNS",
    "COPY_COLUMNS",
    "DOCUMENT_FIELDS",
    "MAX_COMBINATIONS",
    "PAGE_ORDER",
    "PG_SETTINGS",
    "RELAXABLE",
    "VECTOR_OF_COLUMNS",
    "WEIGHTED_VECTOR",
    "DatabaseBackend",
    "_band_case",
    "_pg_match_plan",
    "audience_q",
    "copy_lines",
    "document_rows",
    "filter_lexemes",
    "filters_q",
    "vector_parts",
]


class DatabaseBackend(SearchBackend):
    name = "database"

    # --- Writing ---------------------------------------------------------------------

    def index(self, documents: Iterable[dict]) -> int:
        documents = list(documents)
        if not documents:
            return 0
        with transaction.atomic():
            ids = [d["id"] for d in documents]
            SearchDocument.objects.filter(need_id__in=ids).delete()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany("DELETE FROM matching_fts WHERE rowid = %s", [(i,) for i in ids])
            self._insert(documents)
        return len(documents)

    def _insert(self, documents: list[dict]) -> None:
        statement, rows = self._insert_rows(documents)
        with connection.cursor() as cursor:
            cursor.executemany(statement, rows)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.executemany(
                    "INSERT INTO matching_fts(rowid, tokens, title_tokens) VALUES (%s, %s, %s)",
                    [(d["id"], d["tokens"], d["title_tokens"]) for d in documents],
                )

    def _insert_rows(self, documents: list[dict]) -> tuple[str, list[list]]:
        """One prepared INSERT for the batch and its rows (``document_rows``)."""
        columns, rows = document_rows(documents)
        table = connection.ops.quote_name(SearchDocument._meta.db_table)
        marks = ", ".join(["%s"] * len(columns))
        if connection.vendor == "postgresql":
            # The card's tsvector, the title's positions (its tokens come first) weighted A.
            marks += f", {WEIGHTED_VECTOR}"
            columns += ["tokens_vector"]
            rows = [[*row, *vector] for row, vector in zip(rows, vector_parts(documents), strict=True)]
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows

    def remove(self, need_ids: Iterable[int]) -> None:
        ids = list(need_ids)
        with transaction.atomic():
            SearchDocument.objects.filter(need_id__in=ids).delete()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany("DELETE FROM matching_fts WHERE rowid = %s", [(i,) for i in ids])

    def rebuild(self, documents: Iterable[dict], *, batch_size: int = 500, progress=None) -> int:
        batches = itertools.batched(documents, batch_size, strict=False)
        if connection.vendor == "postgresql":
            from matching.backends import pg_rebuild

            return pg_rebuild.rebuild(
                batches, progress, columns=COPY_COLUMNS, lines=copy_lines, vector=VECTOR_OF_COLUMNS
            )
        # One transaction: searches see the old index until the new one is complete.
        done = 0
        with transaction.atomic():
            SearchDocument.objects.all().delete()
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM matching_fts")
            for batch in batches:
                self._insert(list(batch))
                done += len(batch)
                if progress:
                    progress(done)
        return done

    # --- Reading ---------------------------------------------------------------------

    def search(
        self,
        request: SearchRequest,
        audience: Audience,
        *,
        fit: FitFunction | None = None,
    ) -> SearchResults:
        # Everything runs in the database: the audience, the text (a score per matching
        # need, see ``_scored``), the filters, each facet's counts and the page. Python
        # only sees one page of ids and the counts (and every matching id for a fit
        # function without a SQL ``expression``).
        query_clauses = clauses(request.text) if request.text.strip() else []
        if audience.nothing or (request.text.strip() and not query_clauses):
            return SearchResults([], {}, 0, {facet: Counter() for facet in FACETS}, request.page, request.per_page)
        visible = SearchDocument.objects.all()
        if not audience.everything:
            visible = visible.filter(audience_q(audience))
        if not query_clauses:
            return self._search(request, visible, None, fit)
        if connection.vendor == "postgresql" and request.sort in PAGE_ORDER:
            plan = _pg_match_plan(query_clauses)
            if plan is not None:
                return _pg_text_search(request, visible, query_clauses, plan)
        # The text's scores are worked out once, into a temporary table of this
        # connection, which the facets and the page then join.
        drop = f"DROP TABLE IF EXISTS {'pg_temp' if connection.vendor == 'postgresql' else 'temp'}.search_scored"
        sql, params = _scored(query_clauses)
        with connection.cursor() as cursor:
            cursor.execute(drop)
            cursor.execute("CREATE TEMPORARY TABLE search_scored (id integer PRIMARY KEY, score integer NOT NULL)")
            if connection.vendor == "postgresql":
                # A common token matches most rows and the planner then prefers a sequential
                # scan, which reads every row's (TOASTed) tsvector; the GIN bitmap scan needs
                # no recheck for a token and is several times faster. Only for this statement:
                # the setting ends with it (or is undone with the savepoint if it fails).
                with transaction.atomic():
                    cursor.execute("SET LOCAL enable_seqscan = off")
                    cursor.execute(f"INSERT INTO search_scored (id, score) {sql}", params)
                    cursor.execute("RESET enable_seqscan")
            else:
                cursor.execute(f"INSERT INTO search_scored (id, score) {sql}", params)
        try:
            visible = visible.filter(need_id__in=RawSQL("SELECT id FROM search_scored", []))
            return self._search(request, visible, ("SELECT id, score FROM search_scored", []), fit)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(drop)

    def _search(self, request: SearchRequest, visible, scored, fit) -> SearchResults:
        filters = request.filters
        facets: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
        counted = None
        if request.facets:
            facets, counted = _facets_and_total(visible, filters)
        matching = visible.filter(filters_q(filters))
        start = (max(request.page, 1) - 1) * request.per_page
        expression = getattr(fit, "expression", None) if request.sort == "fit" else None
        if expression is not None and scored is None:
            order: tuple[str, ...] = ("-fit_points", "-published_at", "-need_id")
            ranked = matching.annotate(fit_points=expression()).order_by(*order)
            page = list(ranked.values_list("need_id", flat=True)[start : start + request.per_page])
            scores, total = {}, _total(matching, counted, request, page)
        elif expression is not None:
            page, scores, total = _scored_page(
                "fit", scored, visible.annotate(fit_points=expression()), filters, start, request.per_page
            )
        elif request.sort == "fit" and fit:
            page, scores, total = _fit_page(matching, scored, fit, start, request.per_page)
        elif scored is None:
            order = ("response_deadline", "-need_id") if request.sort == "deadline" else ("-published_at", "-need_id")
            page = list(matching.order_by(*order).values_list("need_id", flat=True)[start : start + request.per_page])
            scores, total = {}, _total(matching, counted, request, page)
        else:
            page, scores, total = _scored_page(request.sort, scored, visible, filters, start, request.per_page)
        return SearchResults(
            ids=page,
            scores={i: float(scores.get(i, 0)) for i in page},
            total=total,
            facets=cast(dict[str, dict[str, int]], facets),  # Counters
            page=request.page,
            per_page=request.per_page,
        )
