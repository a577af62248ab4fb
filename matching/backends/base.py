"""What every search backend does. Both backends answer the same request with the same
needs, facets and order: they share the tokeniser (``matching.text``), the clauses and
their boosts (``matching.query``), the filters and the audience rule."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable

from matching.query import Audience, SearchRequest, SearchResults

FACETS = ("category", "kind", "urgency", "region", "budget")
FitFunction = Callable[[list[int]], dict[int, float]]


class SearchUnavailable(Exception):
    """The search service cannot answer now (Elasticsearch down or unreachable): a view
    shows a "search is unavailable, try again shortly" message instead of an error page."""


class SearchBackend(ABC):
    name: str

    @abstractmethod
    def index(self, documents: Iterable[dict]) -> int:
        """Add or replace documents (``matching.documents.document_for``); returns how many."""

    @abstractmethod
    def remove(self, need_ids: Iterable[int]) -> None:
        """Drop needs from the index (no error for those not in it)."""

    @abstractmethod
    def search(self, request: SearchRequest, audience: Audience, *, fit: FitFunction | None = None) -> SearchResults:
        """The page of needs ``audience`` may see that match, with facet counts.

        ``fit(need_ids)`` gives the searching organisation's fit score of each, for sort=fit.
        """

    @abstractmethod
    def rebuild(self, documents: Iterable[dict], *, batch_size: int = 500, progress=None) -> int:
        """Replace the whole index with these documents; the old one answers until the
        new one is complete. ``progress(done)`` is called after each batch."""
