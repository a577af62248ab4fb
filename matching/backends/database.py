"""The embedded default: SQLite FTS5 or PostgreSQL full-text search over pre-tokenised text.

``SearchDocument.tokens`` holds the need's bigrams and words joined by spaces, so stock
tokenisers (FTS5's ``unicode61``, PostgreSQL's ``simple`` configuration) see exactly our
tokens. The text clauses run in the database (one query per distinct token and per
phrase); the audience is a SQL filter; filters, facets, scores and order are worked out
from the matching rows here, in one place, the same way for both databases.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db import connection, transaction
from django.db.models import Q

from matching.backends.base import FACETS, SearchBackend
from matching.models import SearchDocument
from matching.query import (
    ALL,
    MOST,
    PHRASE,
    TEXT,
    TITLE,
    Audience,
    Clause,
    Filters,
    SearchRequest,
    SearchResults,
    band_of,
    clauses,
)

COLUMNS = {TEXT: "tokens", TITLE: "title_tokens"}
DOCUMENT_FIELDS = [f.name for f in SearchDocument._meta.concrete_fields if f.name not in {"need", "indexed_at"}]


@dataclass(frozen=True)
class Row:
    id: int
    category: str
    kind: str
    urgency: str
    region_path: str
    levels: tuple[str, str, str, str]
    budget: Decimal
    band: str
    published_at: datetime
    response_deadline: datetime


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
            SearchDocument.objects.bulk_create([SearchDocument(need_id=d["id"], **_columns(d)) for d in documents])
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany("DELETE FROM matching_fts WHERE rowid = %s", [(i,) for i in ids])
                    cursor.executemany(
                        "INSERT INTO matching_fts(rowid, tokens, title_tokens) VALUES (%s, %s, %s)",
                        [(d["id"], d["tokens"], d["title_tokens"]) for d in documents],
                    )
        return len(documents)

    def remove(self, need_ids: Iterable[int]) -> None:
        ids = list(need_ids)
        with transaction.atomic():
            SearchDocument.objects.filter(need_id__in=ids).delete()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.executemany("DELETE FROM matching_fts WHERE rowid = %s", [(i,) for i in ids])

    def rebuild(self, documents: Iterable[dict], *, batch_size: int = 500, progress=None) -> int:
        # One transaction: searches see the old index until the new one is complete.
        done = 0
        with transaction.atomic():
            SearchDocument.objects.all().delete()
            if connection.vendor == "sqlite":
                with connection.cursor() as cursor:
                    cursor.execute("DELETE FROM matching_fts")
            batch: list[dict] = []
            for document in documents:
                batch.append(document)
                if len(batch) >= batch_size:
                    done += self.index(batch)
                    batch = []
                    if progress:
                        progress(done)
            if batch:
                done += self.index(batch)
                if progress:
                    progress(done)
        return done

    # --- Reading ---------------------------------------------------------------------

    def search(
        self,
        request: SearchRequest,
        audience: Audience,
        *,
        fit: Callable[[list[int]], dict[int, float]] | None = None,
    ) -> SearchResults:
        rows = self._visible_rows(audience)
        scores: dict[int, float] | None = None
        if request.text.strip():
            scores = self._scores(clauses(request.text), candidates=set(rows))
            rows = {i: r for i, r in rows.items() if i in scores}
        filters = request.filters
        matching = [r for r in rows.values() if _passes(r, filters)]
        facets = {facet: _counts(facet, rows.values(), filters) for facet in FACETS}
        fits = fit([r.id for r in matching]) if fit and request.sort == "fit" else {}
        matching.sort(key=_order(request.sort, scores or {}, fits))
        start = (max(request.page, 1) - 1) * request.per_page
        page = matching[start : start + request.per_page]
        return SearchResults(
            ids=[r.id for r in page],
            scores={r.id: float((scores or {}).get(r.id, 0)) for r in page},
            total=len(matching),
            facets=facets,
            page=request.page,
            per_page=request.per_page,
        )

    def _visible_rows(self, audience: Audience) -> dict[int, Row]:
        if audience.nothing:
            return {}
        qs = SearchDocument.objects.all()
        if not audience.everything:
            qs = qs.filter(audience_q(audience))
        fields = ["need_id", "category", "kind", "urgency", "region_path", "region_l1", "region_l2", "region_l3"]
        fields += ["region_l4", "budget", "published_at", "response_deadline"]
        rows = {}
        for values in qs.values_list(*fields):
            need_id, category, kind, urgency, path, l1, l2, l3, l4, budget, published, deadline = values
            levels = (l1, l2, l3, l4)
            rows[need_id] = Row(
                need_id, category, kind, urgency, path, levels, budget, band_of(budget), published, deadline
            )
        return rows

    def _scores(self, query_clauses: list[Clause], *, candidates: set[int]) -> dict[int, float]:
        """Sum of the boosts of the clauses each candidate matches."""
        per_token: dict[str, set[int]] = {}
        for clause in query_clauses:
            if clause.target == TEXT and (clause.kind in (ALL, MOST) or len(clause.tokens) == 1):
                for token in set(clause.tokens):
                    if token not in per_token:
                        per_token[token] = self._match([token]) & candidates
        scores: Counter[int] = Counter()
        for clause in query_clauses:
            if clause.target != TEXT or (clause.kind == PHRASE and len(clause.tokens) > 1):
                matched = self._match(list(clause.tokens), clause.target) & candidates
            else:
                hits = Counter(i for token in set(clause.tokens) for i in per_token[token])
                matched = {i for i, n in hits.items() if n >= clause.required}
            for need_id in matched:
                scores[need_id] += clause.boost
        return dict(scores)

    def _match(self, phrase: list[str], field: str = TEXT) -> set[int]:
        """Needs whose text (or title) holds this phrase (one token: holds that token)."""
        column = COLUMNS[field]
        if connection.vendor == "postgresql":
            from django.contrib.postgres.search import SearchQuery, SearchVector

            raw = " <-> ".join("'" + t.replace("'", "''") + "'" for t in phrase)
            query = SearchQuery(raw, search_type="raw", config="simple")
            return set(
                SearchDocument.objects.annotate(v=SearchVector(column, config="simple"))
                .filter(v=query)
                .values_list("need_id", flat=True)
            )
        with connection.cursor() as cursor:
            # FTS5: a column filter, then the phrase (tokens are letters and digits only).
            expression = f'{column} : "{" ".join(phrase)}"'
            cursor.execute("SELECT rowid FROM matching_fts WHERE matching_fts MATCH %s", [expression])
            return {row[0] for row in cursor.fetchall()}


def audience_q(audience: Audience) -> Q:
    """The audience as a filter on SearchDocument (published needs only are indexed)."""
    from needs.selectors import ancestor_paths

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


def _passes(row: Row, filters: Filters) -> bool:
    from needs.selectors import ancestor_paths

    if filters.ids and row.id not in filters.ids:
        return False
    if filters.category and row.category not in filters.category:
        return False
    if filters.kind and row.kind not in filters.kind:
        return False
    if filters.urgency and row.urgency not in filters.urgency:
        return False
    if filters.region and not row.region_path.startswith(filters.region):
        return False
    if filters.budget and row.band not in filters.budget:
        return False
    return not filters.service_area or any(
        row.region_path.startswith(p) or row.region_path in ancestor_paths(p) for p in filters.service_area
    )


def _counts(facet: str, rows: Iterable[Row], filters: Filters) -> Counter:
    """Counts of one facet's values among rows passing every other filter."""
    others = filters.without(facet)
    counts: Counter[str] = Counter()
    depth = len(filters.region.strip("/").split("/")) if filters.region else 0
    for row in rows:
        if not _passes(row, others):
            continue
        if facet == "region":
            if filters.region and not row.region_path.startswith(filters.region):
                continue
            child = row.levels[depth] if depth < 4 else ""
            if child:
                counts[child] += 1
        elif facet == "budget":
            counts[row.band] += 1
        else:
            counts[getattr(row, facet)] += 1
    return counts


def _order(sort: str, scores: dict[int, float], fits: dict[int, float]):
    """Sort keys; ties always fall back to the newest, then the need id."""
    if sort == "newest":
        return lambda r: (-r.published_at.timestamp(), -r.id)
    if sort == "deadline":
        return lambda r: (r.response_deadline.timestamp(), -r.id)
    if sort == "fit":
        return lambda r: (-fits.get(r.id, 0), -scores.get(r.id, 0), -r.published_at.timestamp(), -r.id)
    return lambda r: (-scores.get(r.id, 0), -r.published_at.timestamp(), -r.id)
