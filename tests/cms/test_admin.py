"""Editors make each page type in the Wagtail admin, under the right parents only."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail.models import Page
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from cms.models import (
    GuidancePage,
    HomePage,
    NewsIndexPage,
    NewsPage,
    PolicyDocumentPage,
    PolicyIndexPage,
    SiteSearchEntry,
    StandardPage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory
    from website.demo import ensure_reference_data

    ensure_reference_data()  # the Editors group's page permissions, as the platform sets them
    user = UserFactory(mfa=True)
    user.groups.add(Group.objects.get(name="Editors"))
    return user


@pytest.fixture(params=["superuser", "editor"])
def admin_client(request, client_for):
    return client_for(request.getfixturevalue(request.param), reauthenticated=False)


def _add_url(model, parent) -> str:
    return reverse("wagtailadmin_pages:add", args=("cms", model._meta.model_name, parent.pk))


def _post(client, model, parent, data: dict):
    return client.post(_add_url(model, parent), nested_form_data({"action-publish": "Publish", **data}))


def _body(text: str) -> dict:
    return streamfield([("paragraph", rich_text(f"<p>{text}</p>"))])


def test_an_editor_publishes_a_standard_page_under_the_home_page(admin_client, home):
    response = _post(
        admin_client,
        StandardPage,
        home,
        {
            "title": "关于我们",
            "slug": "about-us",
            "title_en": "About us",
            "summary": "平台简介",
            "summary_en": "",
            "body": _body("我们做什么"),
            "body_en": streamfield([]),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    page = StandardPage.objects.get(slug="about-us")
    assert page.live and page.get_parent().pk == home.pk
    assert "我们做什么" in page.body.render_as_block()
    assert SiteSearchEntry.objects.filter(page_id=page.pk).exists()  # published: searchable


def test_an_editor_builds_the_news_and_policy_sections(admin_client, home):
    assert _post(admin_client, NewsIndexPage, home, {"title": "新闻", "slug": "news"}).status_code == 302
    news = NewsIndexPage.objects.get(slug="news")
    response = _post(
        admin_client,
        NewsPage,
        news,
        {
            "title": "平台上线",
            "slug": "opens",
            "date": "2026-09-15",
            "summary": "试运行",
            "body": _body("九月上线"),
            "body_en": streamfield([]),
        },
    )
    assert response.status_code == 302
    assert NewsPage.objects.get(slug="opens").get_parent().pk == news.pk

    assert _post(admin_client, PolicyIndexPage, home, {"title": "政策文件", "slug": "policies"}).status_code == 302
    policies = PolicyIndexPage.objects.get(slug="policies")
    response = _post(
        admin_client,
        PolicyDocumentPage,
        policies,
        {
            "title": "实施办法",
            "slug": "measures",
            "document_number": "大民发〔2026〕8号",
            "issuing_body": "大邑县民政局",
            "date_issued": "2026-08-01",
            "effective_date": "2026-09-01",
            "status": "current",
            "summary": "付款期限",
        },
    )
    assert response.status_code == 302
    assert PolicyDocumentPage.objects.get(slug="measures").document_number == "大民发〔2026〕8号"


def test_an_editor_adds_guidance_under_a_standard_page(admin_client, home, make):
    about = make(home, StandardPage, title="关于", slug="about")
    response = _post(
        admin_client,
        GuidancePage,
        about,
        {
            "title": "如何通过审核",
            "slug": "vetting",
            "audience": "社会组织",
            "body": _body("第一步"),
            "body_en": streamfield([]),
        },
    )
    assert response.status_code == 302
    assert GuidancePage.objects.get(slug="vetting").get_parent().pk == about.pk


def test_a_policy_that_takes_effect_before_it_is_issued_is_refused(admin_client, home, make):
    policies = make(home, PolicyIndexPage, title="政策文件", slug="policies")
    response = _post(
        admin_client,
        PolicyDocumentPage,
        policies,
        {
            "title": "实施办法",
            "slug": "measures",
            "issuing_body": "大邑县民政局",
            "date_issued": "2026-08-01",
            "effective_date": "2026-07-01",
            "status": "current",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not PolicyDocumentPage.objects.exists()


WRONG_PARENTS = [
    # (the page type, where it may not go)
    (NewsPage, "home"),
    (NewsPage, "standard"),
    (PolicyDocumentPage, "home"),
    (PolicyDocumentPage, "standard"),
    (StandardPage, "news_index"),
    (GuidancePage, "news_index"),
    (StandardPage, "policy_index"),
    (StandardPage, "guidance"),
    (StandardPage, "news"),
    (HomePage, "home"),
]


@pytest.mark.parametrize(("model", "parent_key"), WRONG_PARENTS, ids=lambda v: getattr(v, "__name__", v))
def test_a_page_type_cannot_be_made_under_the_wrong_parent(admin_client, home, make, model, parent_key):
    from datetime import date

    parents = {"home": home}
    if parent_key != "home":
        parents["standard"] = make(home, StandardPage, title="关于", slug="about")
        parents["news_index"] = make(home, NewsIndexPage, title="新闻", slug="news")
        parents["policy_index"] = make(home, PolicyIndexPage, title="政策", slug="policies")
        parents["guidance"] = make(home, GuidancePage, title="指南", slug="guide")
        parents["news"] = make(parents["news_index"], NewsPage, title="消息", slug="item", date=date(2026, 1, 1))
    parent = parents[parent_key]
    before = Page.objects.count()
    # Wagtail's admin answers a refusal by sending the editor back to the dashboard with
    # a message ("Sorry, you do not have permission to access this area.").
    for response in (
        admin_client.get(_add_url(model, parent)),
        _post(admin_client, model, parent, {"title": "不该在这里", "slug": "misplaced"}),
    ):
        assert response.status_code in {302, 403}
        assert response.status_code == 403 or response["Location"] == "/cms/"
    assert Page.objects.count() == before


def test_the_allowed_parents_are_declared_on_the_models():
    assert {m.__name__ for m in NewsPage.allowed_parent_page_models()} == {"NewsIndexPage"}
    assert {m.__name__ for m in PolicyDocumentPage.allowed_parent_page_models()} == {"PolicyIndexPage"}
    assert {m.__name__ for m in GuidancePage.allowed_parent_page_models()} == {"HomePage", "StandardPage"}
    creatable_under_home = {m.__name__ for m in HomePage.creatable_subpage_models()}
    assert {"StandardPage", "GuidancePage", "NewsIndexPage", "PolicyIndexPage"} <= creatable_under_home


def test_people_without_cms_access_cannot_make_pages(client_for, charity_member, home):
    client = client_for(charity_member, reauthenticated=False)
    response = client.get(_add_url(StandardPage, home))
    assert response.status_code in {302, 403}
    assert not StandardPage.objects.exists()
