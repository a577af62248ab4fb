"""The audit log says what happened in words and filters by kind (issue 20, items 4 and 17)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from audit.actions import ACTION_LABELS
from audit.services import record

pytestmark = pytest.mark.django_db


def test_the_log_shows_words_and_filters_by_kind(client_for, auditor, vetting_officer):
    record(action="auth.login", actor=vetting_officer)
    record(action="document.preview", actor=vetting_officer)
    record(action="document.download", actor=vetting_officer)
    client = client_for(auditor)
    with translation.override("zh-hans"):
        url = reverse("audit:list")
        page = client.get(url).content.decode()
        words = {code: str(ACTION_LABELS[code]) for code in ("auth.login", "document.preview", "document.download")}
    assert all(word in page and not word.isascii() for word in words.values()), words
    assert '<option value="document.preview">' in page

    def kinds(**params) -> list[str]:
        return [e.action for e in client.get(url, params).context["page"].object_list]

    assert kinds(action="document.preview") == ["document.preview"]
    assert set(kinds(action="auth.login")) == {"auth.login"}
    assert sorted(kinds(action="document.")) == ["document.download", "document.preview"]
