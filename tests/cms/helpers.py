"""Pages of the public site as an editor publishes them, and their addresses."""

from __future__ import annotations

from django.utils import translation


def publish(parent, page, *, live: bool = True):
    """Add ``page`` under ``parent``; publish it (as the Publish button does) unless
    ``live`` is False, when it stays a draft."""
    if not live:
        page.live = False
    parent.add_child(instance=page)
    revision = page.save_revision()
    if live:
        revision.publish()
    page.refresh_from_db()
    return page.specific


def url(page, language: str = "zh-hans") -> str:
    """The page's address in a language (the test client leaves the last request's
    language active, which ``page.url`` would follow)."""
    with translation.override(language):
        return page.get_url()
