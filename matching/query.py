"""What a search asks, independent of the backend that answers it.

A query's text becomes weighted *clauses*; a need's score is the sum of the boosts of the
clauses it matches, so both backends rank from exactly the same inputs:

========================  =====  ==========================================================
clause                    boost  matches when the need's text …
========================  =====  ==========================================================
``phrase`` of the chunk     8    holds the chunk's tokens consecutively (the words as typed)
``phrase`` in the title     2    … and its *title* does (a word in the title is what the need
                                 is about; a bigram meeting by accident rarely is)
``phrase`` of a synonym     6    holds the chunk with one term swapped for a synonym
``all`` of the chunk        4    holds every token of the chunk, anywhere
``phrase`` of a term        3    holds a synonym-list term found inside a longer chunk
``phrase`` of its synonym   2    holds one of that term's synonyms
``most`` of the chunk       1    holds at least 75 % of the chunk's distinct tokens
========================  =====  ==========================================================

A chunk is a whitespace-separated part of the query. Tokens that only meet by accident
(the chunk's bigrams scattered over the text) earn the ``most`` clause at best, far below
a real phrase; a synonym never outranks the word itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from matching.text import normalise, tokens

PHRASE, ALL, MOST = "phrase", "all", "most"
MOST_SHOULD_MATCH = 0.75
MAX_QUERY_LENGTH = 200
MAX_CHUNKS = 8

SORTS = {
    "relevance": _("Relevance"),
    "newest": _("Newest"),
    "deadline": _("Deadline soonest"),
    "fit": _("Best fit"),
}

# Budget bands (CNY): key, label, lower bound (inclusive), upper bound (exclusive).
BUDGET_BANDS = [
    ("lt1000", _("Under 1,000"), None, Decimal(1000)),
    ("1000-5000", _("1,000–5,000"), Decimal(1000), Decimal(5000)),
    ("5000-20000", _("5,000–20,000"), Decimal(5000), Decimal(20000)),
    ("20000-50000", _("20,000–50,000"), Decimal(20000), Decimal(50000)),
    ("ge50000", _("50,000 and more"), Decimal(50000), None),
]
BAND_KEYS = [key for key, *_rest in BUDGET_BANDS]


TEXT, TITLE = "text", "title"


@dataclass(frozen=True)
class Clause:
    kind: str  # PHRASE, ALL or MOST
    tokens: tuple[str, ...]
    boost: int
    target: str = TEXT  # the field matched: TEXT (the whole card) or TITLE
    # The normalised words the tokens came from (the chunk, a synonym term, the chunk with a
    # term swapped): what a backend that analyses text itself, Elasticsearch, is given.
    # Not part of a clause's identity: the same tokens are the same clause.
    text: str = field(default="", compare=False)

    @property
    def required(self) -> int:
        """How many distinct tokens must match (MOST: 75 %, rounded down, at least one)."""
        distinct = len(set(self.tokens))
        if self.kind == MOST:
            return max(1, math.floor(distinct * MOST_SHOULD_MATCH))
        return distinct


@dataclass(frozen=True)
class Filters:
    category: tuple[str, ...] = ()  # category codes
    kind: tuple[str, ...] = ()
    urgency: tuple[str, ...] = ()
    region: str = ""  # a region path: needs in it or below
    budget: tuple[str, ...] = ()  # BUDGET_BANDS keys
    service_area: tuple[str, ...] = ()  # region paths: "in my service area"
    ids: tuple[int, ...] = ()  # only these needs (does a new need fit a saved search?)

    def without(self, facet: str) -> Filters:
        """These filters less one facet's own, for that facet's counts."""
        from dataclasses import replace

        changes: dict[str, Any] = {facet: "" if facet == "region" else ()}
        return replace(self, **changes)


@dataclass(frozen=True)
class SearchRequest:
    text: str = ""
    filters: Filters = field(default_factory=Filters)
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: bool = True  # False: the page only ("Recommended for you"); a backend may skip the counts
    # False: the total is not wanted either (the database backend then does not count the
    # matches of a search without text; the total is the page's length).
    count: bool = True


@dataclass(frozen=True)
class Audience:
    """Whose search it is, as filters every backend applies (the same rule as
    ``needs.selectors.needs_visible_to`` for published needs)."""

    everything: bool = False  # superusers and auditors
    agency_paths: tuple[str, ...] = ()  # agency staff: needs of these agencies and below
    organisation_ids: tuple[int, ...] = ()  # organisations that may act today
    service_paths: tuple[str, ...] = ()  # the regions those organisations serve

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.agency_paths or self.organisation_ids)


@dataclass
class SearchResults:
    ids: list[int]  # need ids of this page, best first
    scores: dict[int, float]
    total: int
    facets: dict[str, dict[str, int]]  # facet → value → count (every other filter applied)
    page: int = 1
    per_page: int = 20

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def clauses(text: str, synonyms: dict[str, list[str]] | None = None) -> list[Clause]:
    """The weighted clauses of a query text (see the table above)."""
    synonyms = synonyms if synonyms is not None else synonym_map()
    chunks = [c for c in normalise(text)[:MAX_QUERY_LENGTH].split() if tokens(c)][:MAX_CHUNKS]
    out: dict[tuple[str, tuple[str, ...], str], tuple[int, str]] = {}

    def add(kind: str, chunk: str, boost: int, target: str = TEXT) -> None:
        toks = tuple(tokens(chunk))
        if toks:
            key = (kind, toks, target)
            best, text = out.get(key, (0, chunk))
            out[key] = (max(best, boost), text)

    for chunk in chunks:
        add(PHRASE, chunk, 8)
        add(PHRASE, chunk, 2, TITLE)
        add(ALL, chunk, 4)
        add(MOST, chunk, 1)
        for term, alternatives in synonyms.items():
            if term not in chunk:
                continue
            if term != chunk:
                add(PHRASE, term, 3)
            for alternative in alternatives:
                add(PHRASE, chunk.replace(term, alternative), 6)
                if term != chunk:
                    add(PHRASE, alternative, 2)
    return [Clause(kind, toks, boost, target, text) for (kind, toks, target), (boost, text) in out.items()]


def synonym_map() -> dict[str, list[str]]:
    """term → its synonyms, from the active groups (normalised like the text)."""
    from matching.models import SynonymGroup

    mapping: dict[str, list[str]] = {}
    for group in SynonymGroup.objects.filter(is_active=True):
        terms = [normalise(t) for t in group.term_list()]
        for term in terms:
            mapping.setdefault(term, [])
            mapping[term].extend(t for t in terms if t != term and t not in mapping[term])
    return mapping


def band_of(budget: Decimal) -> str:
    for key, _label, low, high in BUDGET_BANDS:
        if (low is None or budget >= low) and (high is None or budget < high):
            return key
    return BAND_KEYS[-1]
