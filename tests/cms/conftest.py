"""Pages of the public site, made and published as an editor would."""

from __future__ import annotations

from datetime import date

import pytest

from tests.cms.helpers import publish


@pytest.fixture
def home(db):
    from cms.models import HomePage

    return HomePage.objects.first()


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
