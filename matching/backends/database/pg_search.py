# ruff: noqa: S608 — the SQL built here interpolates only fixed column names, integer
# boosts and Django's own compiled SQL; every value from a query is a parameter.
"""PostgreSQL: a text search in one statement that scores only the needs it shows."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from typing import cast

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction

from matching.backends.base import FACETS
from matching.backends.database.facets import _relaxed
from matching.backends.database.scoring import _tsquery
from matching.models import SearchDocument
from matching.query import PHRASE, TEXT, TITLE, Clause, Filters, SearchRequest, SearchResults

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
