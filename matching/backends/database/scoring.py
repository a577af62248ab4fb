# ruff: noqa: S608 — the SQL built here interpolates only fixed column names, integer
# boosts and Django's own compiled SQL; every value from a query is a parameter.
"""The general way of a text search: every match scored into a table, then the page ordered and cut in SQL."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import cast

from django.core.exceptions import EmptyResultSet
from django.db import connection

from matching.backends.database.conditions import filters_q
from matching.query import PHRASE, TEXT, TITLE, Clause, Filters, SearchRequest

COLUMNS = {TEXT: "tokens", TITLE: "title_tokens"}


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


def _tsquery(tokens: Iterable[str], operator: str, *, weight: str = "") -> str:
    """Tokens as a tsquery joined by ``operator``; with a weight, only positions of it
    (``A``: the title's) match."""
    label = f":{weight}" if weight else ""
    return f" {operator} ".join("'" + t.replace("'", "''") + "'" + label for t in tokens)
