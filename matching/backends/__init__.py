"""The search backend: the database by default, Elasticsearch when ELASTICSEARCH_URL is set."""

from __future__ import annotations

from functools import cache

from django.conf import settings


@cache
def _backend(name: str):
    if name == "elasticsearch":
        from matching.backends.elasticsearch import ElasticsearchBackend

        return ElasticsearchBackend()
    from matching.backends.database import DatabaseBackend

    return DatabaseBackend()


def get_backend(name: str | None = None):
    return _backend(name or settings.SEARCH_BACKEND)
