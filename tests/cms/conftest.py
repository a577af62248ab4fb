"""Pages of the public site, made and published as an editor would."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.fixture
def home(db):
    from cms.models import HomePage

    return HomePage.objects.first()


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


@pytest.fixture
def make():
    """make(parent, Model, title=..., **fields): a published (or draft) page."""

    def _make(parent, model, *, live: bool = True, **fields):
        from django.utils.text import slugify

        fields.setdefault("slug", slugify(fields.get("title_en") or "") or f"p{abs(hash(fields['title'])) % 10**8}")
        if model.__name__ == "PolicyDocumentPage":
            fields.setdefault("issuing_body", "大邑县民政局")
            fields.setdefault("date_issued", date(2026, 1, 1))
        return publish(parent, model(**fields), live=live)

    return _make


def url(page, language: str = "zh-hans") -> str:
    """The page's address in a language (the test client leaves the last request's
    language active, which ``page.url`` would follow)."""
    from django.utils import translation

    with translation.override(language):
        return page.get_url()
