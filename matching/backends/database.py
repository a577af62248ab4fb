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
"""

from __future__ import annotations

import itertools
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import reduce
from operator import or_
from typing import Any, cast

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import Case, CharField, Field, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone

from matching.backends.base import FACETS, FitFunction, SearchBackend
from matching.models import SearchDocument
from matching.query import (
    BAND_KEYS,
    BUDGET_BANDS,
    PHRASE,
    TEXT,
    TITLE,
    Audience,
    Clause,
    Filters,
    SearchRequest,
    SearchResults,
    clauses,
)
from needs.selectors import ancestor_paths

COLUMNS = {TEXT: "tokens", TITLE: "title_tokens"}
DOCUMENT_FIELDS = [f.name for f in SearchDocument._meta.concrete_fields if f.name not in {"need", "indexed_at"}]
# PostgreSQL: the card's tsvector from its title's tokens and the rest's, and the need's
# filter lexemes (three parameters).
WEIGHTED_VECTOR = (
    "setweight(to_tsvector('simple'::regconfig, %s), 'A') || to_tsvector('simple'::regconfig, %s) "
    "|| array_to_tsvector(%s::text[])"
)


def filter_lexemes(document: dict) -> list[str]:
    """The need's filter values as lexemes of its tsvector (PostgreSQL), so that the GIN
    index that finds the text also leaves out the needs outside the region and those
    failing more than one facet filter (``_pg_prefilter``): ``r:`` each level of the
    region path, ``c:`` the category, ``k:`` the kind, ``u:`` the urgency. No text token
    holds a colon (``matching.text``), so none is ever matched by the text."""
    levels = [document[f"region_l{i}"] for i in range(1, 5)]
    values = [("r", level) for level in levels if level]
    values += [("c", document["category"]), ("k", document["kind"]), ("u", document["urgency"])]
    return [f"{prefix}:{value}" for prefix, value in values]


def _title_and_rest(document: dict) -> list[str]:
    """The card's token string cut after its title's tokens (which open it: the title is
    the first line of the card's text, and tokens never cross a line)."""
    title, text = document["title_tokens"], document["tokens"]
    if not text.startswith(title):
        raise ValueError(f"need #{document['id']}: the card's tokens do not open with its title's")
    return [title, text[len(title) :]]


def document_rows(documents: list[dict]) -> tuple[list[str], list[list]]:
    """The index table's columns (quoted, but ``tokens_vector``) and the batch's rows,
    values adapted as the fields would, for one prepared INSERT (the ORM's bulk_create
    compiles a statement per batch row by row, the half of a SQLite rebuild)."""
    # Columns all, no reverse relations.
    fields = [cast(Field, SearchDocument._meta.get_field(name)) for name in ("need", *DOCUMENT_FIELDS, "indexed_at")]
    now = timezone.now()
    rows = [
        [f.get_db_prep_save(v, connection) for f, v in zip(fields, (d["id"], *_columns(d).values(), now), strict=True)]
        for d in documents
    ]
    return [connection.ops.quote_name(cast(str, f.column)) for f in fields], rows


def vector_parts(documents: list[dict]) -> list[list]:
    """PostgreSQL: the three parameters of ``WEIGHTED_VECTOR`` for each document."""
    return [[*_title_and_rest(d), filter_lexemes(d)] for d in documents]


# PostgreSQL's rebuild (``pg_rebuild``): the columns it copies, each document a line of
# COPY's text format, and the tsvector made from them by the server: the same as
# ``WEIGHTED_VECTOR`` of the document's ``vector_parts``.
COPY_COLUMNS: list[str] = [
    "need_id",
    *(cast(str, cast(Field, SearchDocument._meta.get_field(f)).column) for f in DOCUMENT_FIELDS),
    "indexed_at",
]
VECTOR_OF_COLUMNS = (
    "setweight(to_tsvector('simple'::regconfig, title_tokens), 'A') || "
    "to_tsvector('simple'::regconfig, substr(tokens, length(title_tokens) + 1)) || "
    "array_to_tsvector(array_remove(ARRAY['r:' || NULLIF(region_l1, ''), 'r:' || NULLIF(region_l2, ''), "
    "'r:' || NULLIF(region_l3, ''), 'r:' || NULLIF(region_l4, ''), 'c:' || category, 'k:' || kind, "
    "'u:' || urgency], NULL))"
)
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")


def copy_lines(documents: list[dict]) -> str:
    """The documents as lines of COPY's text format: ``COPY_COLUMNS``, then the title's
    tokens (a tab between values, backslash escapes; much quicker than adapting each
    value through the driver)."""
    now = timezone.now().isoformat()
    lines = []
    for d in documents:
        values = [str(d["id"]), *map(_copy_value, _columns(d).values()), now, _copy_value(d["title_tokens"])]
        lines.append("\t".join(values))
    return "\n".join(lines) + "\n" if lines else ""


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat()
    value = str(value)
    return value.translate(_COPY_ESCAPES) if _COPY_SPECIAL.search(value) else value  # seldom: quicker


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


def _total(matching, counted: int | None, request: SearchRequest, page: list) -> int:
    """The number of matches: counted with the facets, else counted now (unless the
    request does without)."""
    if counted is not None:
        return counted
    return matching.count() if request.count else len(page)


def _scored(query_clauses: list[Clause]) -> tuple[str, list]:
    """One SELECT of (id, score): each matching need and the sum of the boosts of the
    clauses it matches. A phrase (or any title clause) is one full-text match; the
    token clauses (ALL, MOST, a lone token) are scored in one pass over the needs holding
    any of their tokens, counting the distinct tokens each holds per clause (each token
    is matched once, so a row per need and token: a plain count)."""
    tokens: dict[str, None] = {}
    token_clauses: list[Clause] = []
    parts: list[tuple[str, list]] = []
    for clause in query_clauses:
        if clause.target != TEXT or (clause.kind == PHRASE and len(clause.tokens) > 1):
            sql, params = _match_sql(list(clause.tokens), clause.target)
            parts.append((f"SELECT id, {int(clause.boost)} AS boost FROM ({sql}) m", params))
        else:
            token_clauses.append(clause)
            tokens.update(dict.fromkeys(clause.tokens))
    params = []
    sql = ""
    if token_clauses:
        points = []
        for clause in token_clauses:
            wanted = sorted(set(clause.tokens))
            marks = ", ".join(["%s"] * len(wanted))
            points.append(
                f"CASE WHEN SUM(CASE WHEN tk IN ({marks}) THEN 1 ELSE 0 END) >= {int(clause.required)} "
                f"THEN {int(clause.boost)} ELSE 0 END"
            )
            params += wanted
        matched = []  # after the points: the parameters follow the text
        for token in tokens:
            match, match_params = _match_sql([token])
            matched.append(f"SELECT id, %s AS tk FROM ({match}) m")
            params += [token, *match_params]
        sql = (
            "WITH token_scores AS (SELECT id, "
            + " + ".join(points)
            + " AS boost FROM ("
            + " UNION ALL ".join(matched)
            + ") t GROUP BY id) "
        )
        parts.insert(0, ("SELECT id, boost FROM token_scores WHERE boost > 0", []))
    sql += "SELECT id, SUM(boost) AS score FROM (" + " UNION ALL ".join(p for p, _ in parts) + ") b GROUP BY id"
    params += [x for _, ps in parts for x in ps]
    return sql, params


def _match_sql(phrase: list[str], field: str = TEXT) -> tuple[str, list]:
    """A SELECT of the ids (column ``id``) of needs whose text (or title) holds this phrase."""
    if connection.vendor == "postgresql":
        # The stored tsvector and its GIN index; the title is its positions weighted A.
        match = "tokens_vector @@ to_tsquery('simple'::regconfig, %s)"
        return (
            f"SELECT need_id AS id FROM matching_searchdocument WHERE {match}",
            [_tsquery(phrase, "<->", weight="A" if field == TITLE else "")],
        )
    # FTS5: a column filter, then the phrase (tokens are letters and digits only).
    expression = f'{COLUMNS[field]} : "{" ".join(phrase)}"'
    return "SELECT rowid AS id FROM matching_fts WHERE matching_fts MATCH %s", [expression]


def _scored_page(sort, scored, visible, filters: Filters, start: int, size: int):
    """The page of a text search: the scores joined to the filtered documents, ordered
    in SQL (ties: newest, then the need id), with the total from the same statement."""
    try:
        sql, params = (
            visible.filter(filters_q(filters))
            .values("need_id", "published_at", "response_deadline", *(["fit_points"] if sort == "fit" else []))
            .query.sql_with_params()
        )
    except EmptyResultSet:  # a filter that can match nothing
        return [], {}, 0
    order = {
        "newest": "d.published_at DESC, d.need_id DESC",
        "deadline": "d.response_deadline ASC, d.need_id DESC",
        "fit": "d.fit_points DESC, s.score DESC, d.published_at DESC, d.need_id DESC",
    }.get(sort, "s.score DESC, d.published_at DESC, d.need_id DESC")
    statement = (
        f"SELECT d.need_id, s.score, COUNT(*) OVER () FROM ({sql}) d "
        f"JOIN ({scored[0]}) s ON s.id = d.need_id ORDER BY {order} LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, *scored[1], size, start])
        rows = cursor.fetchall()
    # Past the last page the window count is not there: count apart.
    total = rows[0][2] if rows else (visible.filter(filters_q(filters)).count() if start else 0)
    return [r[0] for r in rows], {r[0]: r[1] for r in rows}, total


def _fit_page(matching, scored, fit, start: int, size: int):
    """sort=fit: the organisation's fit is worked out in Python for every match."""
    if scored is None:
        rows = [(i, 0, p) for i, p in matching.values_list("need_id", "published_at")]
    else:
        try:
            sql, params = matching.values("need_id", "published_at").query.sql_with_params()
        except EmptyResultSet:  # a filter that can match nothing
            return [], {}, 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.need_id, s.score, d.published_at FROM ({sql}) d JOIN ({scored[0]}) s ON s.id = d.need_id",
                [*params, *scored[1]],
            )
            rows = [(i, score, _as_datetime(p)) for i, score, p in cursor.fetchall()]
    fits = fit([r[0] for r in rows])
    rows.sort(key=lambda r: (-fits.get(r[0], 0), -r[1], -r[2].timestamp(), -r[0]))
    page = rows[start : start + size]
    return [r[0] for r in page], {r[0]: r[1] for r in page}, len(rows)


def _as_datetime(value) -> datetime:
    """A datetime read by a raw cursor (SQLite returns text)."""
    if isinstance(value, str):
        from django.utils.dateparse import parse_datetime
        from django.utils.timezone import make_aware

        parsed = parse_datetime(value)
        parsed = cast(datetime, parsed)  # a timestamp the database wrote
        return parsed if parsed.tzinfo else make_aware(parsed, UTC)
    return value


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


def _columns(document: dict) -> dict:
    columns = {f: document[f] for f in DOCUMENT_FIELDS}
    columns["invited"] = " " + " ".join(str(i) for i in document["invited"]) + " " if document["invited"] else ""
    return columns


# --- PostgreSQL: a text search in one statement -----------------------------------------

# The page's order by sort (ties: newest, then the need id), as ``_scored_page`` orders.
PAGE_ORDER = {
    "relevance": "score DESC, published_at DESC, need_id DESC",
    "newest": "published_at DESC, need_id DESC",
    "deadline": "response_deadline ASC, need_id DESC",
}
# A ``most`` clause as a tsquery is an OR of every combination of its required tokens:
# past this many, the query is answered the general way (scores of the whole index).
MAX_COMBINATIONS = 64
# For the statement only: the matched rows and the GIN bitmaps fit in memory (an exact
# bitmap needs no recheck, which would read every row's TOASTed tsvector), no JIT
# compilation (longer than the query), and no sequential scan (it reads every row's
# tsvector: the planner does not count the cost of detoasting).
PG_SETTINGS = {"work_mem": "64MB", "jit": "off", "enable_seqscan": "off"}


def _tsquery(tokens: Iterable[str], operator: str, *, weight: str = "") -> str:
    """Tokens as a tsquery joined by ``operator``; with a weight, only positions of it
    (``A``: the title's) match."""
    label = f":{weight}" if weight else ""
    return f" {operator} ".join("'" + t.replace("'", "''") + "'" + label for t in tokens)


def _pg_match_plan(query_clauses: list[Clause]) -> tuple[str, str, str] | None:
    """Whether a need matches the text at all (any clause), as tsqueries: ``plain``, the
    clauses without phrase operators, for the GIN index (a phrase operator makes
    PostgreSQL recheck every row it finds against its tsvector, a TOAST read each);
    ``exact``, the phrase clauses a plain match does not already imply, and ``relaxed``,
    the same with their tokens anywhere (what the GIN index finds, without a recheck, for
    the needs ``plain`` misses; ``exact`` is then tested only on those that could count).
    None when a clause cannot be put so (the general way then answers)."""
    conjunctions: set[frozenset[str]] = set()  # plain: an OR of ANDs of tokens
    for clause in query_clauses:
        if clause.target == TEXT and not (clause.kind == PHRASE and len(clause.tokens) > 1):
            distinct = sorted(set(clause.tokens))
            if math.comb(len(distinct), clause.required) > MAX_COMBINATIONS:
                return None
            conjunctions.update(frozenset(c) for c in itertools.combinations(distinct, clause.required))
    if not conjunctions:
        return None

    def implied(tokens: tuple[str, ...]) -> bool:
        """Holding all these tokens is a plain match."""
        return any(c <= set(tokens) for c in conjunctions)

    phrases: list[tuple[str, ...]] = []
    for clause in query_clauses:
        if clause.target == TITLE:
            # The title's tokens are the first of the card's text (``matching.documents.document_from``):
            # a phrase in the title is one in the text, so its tokens are all held.
            if not implied(clause.tokens):
                return None
        elif clause.kind == PHRASE and len(clause.tokens) > 1 and not implied(clause.tokens):
            phrases.append(clause.tokens)
    minimal = sorted(sorted(c) for c in conjunctions if not any(o < c for o in conjunctions))
    plain = " | ".join(f"({_tsquery(c, '&')})" for c in minimal)
    exact = " | ".join(f"({_tsquery(p, '<->')})" for p in phrases)
    relaxed = " | ".join(f"({_tsquery(sorted(set(p)), '&')})" for p in phrases)
    return plain, exact, relaxed


def _flag(q: Q):
    """1 where the condition holds, else 0 (an empty condition holds everywhere)."""
    if not q:
        return Value(1, output_field=IntegerField())
    return Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())


def _lexeme(prefix: str, value: str) -> str:
    return "'" + f"{prefix}:{value}".replace("\\", "\\\\").replace("'", "''") + "'"


def _pg_prefilter(filters: Filters, *, relax: bool) -> str:
    """A tsquery of filter lexemes (``filter_lexemes``) that every need a facet or the
    page counts holds: in the chosen region, and passing the category, kind and urgency
    filters but at most one (all of them without facets). The budget, the service area,
    the audience and the ids are left to the statement's conditions. ``''`` (none) when
    nothing narrows."""
    # A region's path as the regions table has it (``51/5101/``, a level the lexemes hold).
    whole = filters.region.endswith("/") and filters.region.count("/") <= 4
    region = _lexeme("r", filters.region) if filters.region and whole else ""
    checks = [
        "(" + " | ".join(_lexeme(prefix, v) for v in values) + ")"
        for prefix, values in (("c", filters.category), ("k", filters.kind), ("u", filters.urgency))
        if values
    ]
    if relax and checks:
        # At least all but one: each check's absence allowed in turn (a budget filter is
        # the one that may fail: then all of these must pass, which the OR covers).
        groups = [[c for c in checks if c != skipped] for skipped in checks]
        checks = ["(" + " | ".join("(" + " & ".join(g) + ")" for g in groups) + ")"] if len(checks) > 1 else []
    parts = [region, *checks]
    return " & ".join(p for p in parts if p)


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


def _pg_text_search(request: SearchRequest, visible, query_clauses: list[Clause], plan) -> SearchResults:
    """A text search on PostgreSQL in one statement, scoring only what is shown.

    The needs the GIN index finds for the text (``_pg_match_plan``) are read once, only
    those that could count somewhere: visible, and passing every filter but at most one
    facet's own. Each facet counts those passing every other filter; the total and the
    page are those passing every filter, and only these are scored (the same sum of boosts
    as ``_scored``, each clause tested against the need's tsvector, read once). The
    results equal the general way's: same ids, order, scores, total and counts."""
    filters = request.filters
    rows = _relaxed(visible, filters, facets=request.facets)
    order_columns = ["response_deadline"] if request.sort == "deadline" else ["published_at"]
    columns = ["need_id", *order_columns, *rows.columns]
    empty = SearchResults([], {}, 0, {facet: Counter() for facet in FACETS}, request.page, request.per_page)
    try:
        sql, params = rows.queryset.values(*columns, *rows.checks).query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing
        return empty
    counted, failed, value_columns = rows.counted, rows.failed, rows.value_columns
    table = connection.ops.quote_name(SearchDocument._meta.db_table)
    head, _from, tail = sql.partition(f" FROM {table}")
    assert _from and f" FROM {table}" not in tail, sql
    # The rows the GIN index finds, fenced (OFFSET 0) so that the filters are applied to
    # them rather than chosen by the planner as the way in (then each row's tsvector is
    # read to test the text): those matching ``plain``, and those that hold the tokens of
    # a phrase clause but match no plain clause (``relaxed``, the phrase tested on each).
    # Each way in is filtered and scored apart (``branch``) and the two are appended: the
    # planner plans each for its own rows (5–8 % faster than one plan over their union).
    plain, exact, relaxed = plan
    # The filter lexemes narrow what the GIN index returns to the needs that can count
    # (the filters themselves are still applied to each row below).
    prefilter = _pg_prefilter(filters, relax=request.facets)
    match = "tokens_vector @@ to_tsquery('simple'::regconfig, %s)"
    if prefilter:
        match = "tokens_vector @@ (to_tsquery('simple'::regconfig, %s) && %s::tsquery)"
    # Each clause's points, the tsvector read once per scored need (``v``).
    points, score_params = [], []
    test = "to_tsquery('simple'::regconfig, %s)"
    for clause in query_clauses:
        if clause.target == TITLE:
            points.append(f"CASE WHEN v @@ {test} THEN {int(clause.boost)} ELSE 0 END")
            score_params.append(_tsquery(clause.tokens, "<->", weight="A"))
        elif clause.kind == PHRASE and len(clause.tokens) > 1:
            points.append(f"CASE WHEN v @@ {test} THEN {int(clause.boost)} ELSE 0 END")
            score_params.append(_tsquery(clause.tokens, "<->"))
        else:
            distinct = sorted(set(clause.tokens))
            held = " + ".join([f"CASE WHEN v @@ {test} THEN 1 ELSE 0 END"] * len(distinct))
            points.append(f"CASE WHEN {held} >= {int(clause.required)} THEN {int(clause.boost)} ELSE 0 END")
            score_params += [_tsquery([t], "&") for t in distinct]
    n = head.count("%s")
    score = "CASE WHEN failed = 0 THEN " + " + ".join(points) + " END"

    def branch(query: str, *, relaxed: bool) -> tuple[str, list]:
        """The counted rows of one way in, filtered, with the filter each fails and scored."""
        found = f"SELECT * FROM {table} WHERE {match} OFFSET 0"
        found_params = [query, *([prefilter] if prefilter else [])]
        rows_sql = f"{head}, {table}.tokens_vector AS tv FROM ({found}) {table}{tail}"
        read = "TRUE" if relaxed else "failed = 0"
        sql_ = (
            f"SELECT {', '.join(columns)}, failed, {score} AS score FROM (SELECT *, CASE WHEN {read} THEN "
            f"tv || ''::tsvector END AS v FROM (SELECT *, {failed} AS failed FROM ({rows_sql}) x "
            f"WHERE {counted} OFFSET 0) z OFFSET 0) y" + (f" WHERE v @@ {test}" if relaxed else "")
        )
        return sql_, [*score_params, *params[:n], *found_params, *params[n:], *([exact] if relaxed else [])]

    m_sql, m_params = branch(plain, relaxed=False)
    if exact:
        relaxed_sql, relaxed_params = branch(f"({relaxed}) & !({plain})", relaxed=True)
        m_sql, m_params = f"{m_sql} UNION ALL {relaxed_sql}", [*m_params, *relaxed_params]
    # ``m``: the counted rows, narrow (a wide row costs in the materialised table).
    order = PAGE_ORDER[request.sort]
    statement = f"WITH m AS MATERIALIZED ({m_sql}) "
    selected = [f"{c}::text" for c in value_columns]
    nothing = ", ".join(["NULL"] * len(value_columns))
    parts = [
        f"SELECT 'total', NULL::bigint, NULL::integer, NULL::bigint, {nothing}, 0, COUNT(*) FROM m WHERE failed = 0",
        # The page's order is numbered after the LIMIT, so that the sort keeps only the page
        # (a window function over the sort would have it sort every counted row).
        f"SELECT 'page', need_id, score, ROW_NUMBER() OVER (ORDER BY {order}), {nothing}, 0, 0 "
        f"FROM (SELECT need_id, score, {', '.join(order_columns)} FROM m WHERE failed = 0 "
        f"ORDER BY {order} LIMIT %s OFFSET %s) p",
    ]
    if request.facets:
        group_by = ", ".join(c for c in selected if c != "''::text")  # the region's: not counted here
        parts.append(
            f"SELECT 'facets', NULL, NULL, NULL, {', '.join(selected)}, failed, COUNT(*) FROM m "
            f"GROUP BY {group_by}, failed"
        )
    statement += " UNION ALL ".join(parts)
    start = (max(request.page, 1) - 1) * request.per_page
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(f"current_setting('{k}')" for k in PG_SETTINGS))
        before = cursor.fetchone()
        set_config = "SELECT " + ", ".join(f"set_config('{k}', %s, true)" for k in PG_SETTINGS)
        cursor.execute(set_config, list(PG_SETTINGS.values()))
        cursor.execute(statement, [*m_params, request.per_page, start])
        found = cursor.fetchall()
        cursor.execute(set_config, list(before))
    facets: dict[str, Counter[str]] = {facet: Counter() for facet in FACETS}
    total, page = 0, []
    for part, need_id, score, rank, *values, failed_filter, n in found:
        if part == "total":
            total = n
        elif part == "page":
            page.append((rank, need_id, score))
        else:
            rows.count(facets, values, failed_filter, n)
    page.sort()
    return SearchResults(
        ids=[i for _rank, i, _score in page],
        scores={i: float(score) for _rank, i, score in page},
        total=total,
        facets=cast(dict[str, dict[str, int]], facets),  # Counters
        page=request.page,
        per_page=request.per_page,
    )
