"""The demo's pages: there after seeding, and seeding twice changes nothing."""

from __future__ import annotations

import pytest

from cms.models import GuidancePage, NewsPage, PolicyDocumentPage, SiteSearchEntry, StandardPage
from cms.search import site_search
from website.demo_cms import seed_site_pages

pytestmark = pytest.mark.django_db


def test_the_demo_pages_exist_read_in_both_languages_and_are_searchable(client, home):
    assert seed_site_pages()["pages"] == 9
    guidance = GuidancePage.objects.get(slug="how-organisations-get-vetted")
    assert guidance.live and guidance.get_parent().specific.slug == "about"
    assert StandardPage.objects.filter(slug="about", live=True).exists()
    assert NewsPage.objects.live().count() == 3
    current = PolicyDocumentPage.objects.get(status="current")
    assert current.document is not None and current.document.file.read(5) == b"%PDF-"
    assert PolicyDocumentPage.objects.get(status="superseded").superseded_by == current

    for path in ["/about/", "/about/how-organisations-get-vetted/", "/news/", "/policies/", current.url]:
        assert client.get(path).status_code == 200
        assert client.get("/en" + path).status_code == 200
    english = client.get("/en/about/how-organisations-get-vetted/").content.decode()
    assert "How an organisation gets vetted" in english and "The vetting officer checks each item" in english

    assert site_search(text="资质审核").results[0].page.pk == guidance.pk
    assert site_search(text="vetted").total >= 1


def test_seeding_twice_changes_nothing(home):
    seed_site_pages()
    before = (
        list(SiteSearchEntry.objects.order_by("pk").values_list("pk", "tokens")),
        list(NewsPage.objects.values_list("pk", "title", "latest_revision_id")),
    )
    assert seed_site_pages() == {"pages": 0}
    after = (
        list(SiteSearchEntry.objects.order_by("pk").values_list("pk", "tokens")),
        list(NewsPage.objects.values_list("pk", "title", "latest_revision_id")),
    )
    assert before == after
