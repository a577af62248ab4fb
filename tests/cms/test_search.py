"""The public site search: Chinese words found, titles first, only what anyone may read,
and whatever a person types gets a page, never an error."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from wagtail.models import PageViewRestriction

from cms.models import GuidancePage, NewsIndexPage, NewsPage, SiteSearchEntry, StandardPage
from cms.search import highlight, parse_query, site_search

pytestmark = pytest.mark.django_db


def _body(html: str) -> list:
    return [{"type": "paragraph", "value": html}]


HOME = "救助衔接平台"


def titles(query: str) -> list[str]:
    """The titles found, best first, less the home page (its introduction speaks of
    审核 too: it is searchable like any page, see test_the_home_page_is_searchable_from_the_first_migration)."""
    found = [str(r.title).replace("<mark>", "").replace("</mark>", "") for r in site_search(text=query).results]
    return [t for t in found if t != HOME]


def test_the_home_page_is_searchable_from_the_first_migration(home):
    # The migrations made it without publishing it; post_migrate indexed it.
    assert SiteSearchEntry.objects.filter(page_id=home.pk).exists()
    assert site_search(text="救助衔接").results[0].page.pk == home.pk


def test_two_character_chinese_words_are_found_in_titles_and_bodies(home, make):
    make(home, GuidancePage, title="社会组织如何通过资质审核", slug="vetting")
    make(home, StandardPage, title="关于平台", slug="about", body=_body("<p>机构须经过<b>审核</b>才能承接服务。</p>"))
    make(home, StandardPage, title="联系我们", slug="contact", body=_body("<p>工作日接待。</p>"))
    assert set(titles("审核")) == {"社会组织如何通过资质审核", "关于平台"}
    assert titles("资质") == ["社会组织如何通过资质审核"]
    assert titles("接待") == ["联系我们"]
    assert titles("资质审核") == ["社会组织如何通过资质审核"]


def test_title_matches_rank_above_body_matches(home, make):
    # The body mentions the word many times and is newer; the title still wins.
    make(home, StandardPage, title="平台介绍", slug="intro", body=_body("<p>" + "资质审核，" * 20 + "</p>"))
    make(home, StandardPage, title="资质审核须知", slug="notes", body=_body("<p>请准备材料。</p>"))
    assert titles("资质审核") == ["资质审核须知", "平台介绍"]
    results = site_search(text="资质审核").results
    assert results[0].score > results[1].score


def test_english_words_are_found_in_english_text(client, home, make):
    make(home, GuidancePage, title="如何通过审核", title_en="How an organisation gets vetted", slug="vetting")
    make(home, StandardPage, title="关于", slug="about", body_en=_body("<p>Vetting takes ten working days.</p>"))
    # Words are matched as written: no stemming (vetting is not vetted).
    assert titles("vetting") == ["关于"]
    assert titles("vetted") == ["如何通过审核"]
    page = client.get("/en/search/?q=Vetted").content.decode()
    assert "How an organisation gets <mark>vetted</mark>" in page


def test_drafts_unpublished_private_and_deleted_pages_are_never_found(home, make):
    live = make(home, StandardPage, title="审核公告", slug="live")
    make(home, StandardPage, title="审核草稿", slug="draft", live=False)
    private = make(home, StandardPage, title="审核内部说明", slug="private")
    below_private = make(private, StandardPage, title="审核内部细则", slug="below")
    gone = make(home, StandardPage, title="审核旧页", slug="gone")
    assert len(titles("审核")) == 4

    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    gone.delete()
    assert titles("审核") == ["审核公告"]
    assert not SiteSearchEntry.objects.filter(page_id__in=[private.pk, below_private.pk, gone.pk]).exists()

    live.unpublish()
    assert titles("审核") == []
    assert not SiteSearchEntry.objects.filter(page_id=live.pk).exists()


def test_lifting_a_privacy_setting_brings_the_pages_back(home, make):
    private = make(home, StandardPage, title="审核内部说明", slug="private")
    make(private, StandardPage, title="审核内部细则", slug="below")
    restriction = PageViewRestriction.objects.create(
        page=private, restriction_type=PageViewRestriction.PASSWORD, password="secret"
    )
    assert titles("审核") == []
    restriction.delete()
    assert set(titles("审核")) == {"审核内部说明", "审核内部细则"}


def test_republishing_a_changed_page_updates_what_is_found(home, make):
    page = make(home, StandardPage, title="旧标题", slug="page")
    page.title = "资质说明"
    page.save_revision().publish()
    assert titles("资质") == ["资质说明"]
    assert titles("旧标题") == []


def test_a_draft_edit_of_a_live_page_is_not_searchable_until_published(home, make):
    page = make(home, StandardPage, title="布告标题", slug="page")
    page.title = "未发布的资质标题"
    page.save_revision()  # saved as a draft, not published
    assert titles("资质") == []
    assert titles("布告") == ["布告标题"]


def test_the_rebuild_command_indexes_exactly_the_public_pages(home, make):
    live = make(home, StandardPage, title="审核公告", slug="live")
    draft = make(home, StandardPage, title="审核草稿", slug="draft", live=False)
    # The pages the migrations made (the transparency page) are indexed too; these two are the test's.
    ours = SiteSearchEntry.objects.filter(page_id__in=[live.pk, draft.pk])
    before = set(ours.values_list("page_id", "tokens"))
    SiteSearchEntry.objects.all().delete()
    assert titles("审核") == []
    call_command("rebuild_site_search", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert set(ours.values_list("page_id", "tokens")) == before
    assert titles("审核") == ["审核公告"]


def test_results_are_paginated_and_an_odd_page_number_is_a_page(client, home, make):
    news = make(home, NewsIndexPage, title="新闻", slug="news")
    for day in range(1, 13):
        make(news, NewsPage, title=f"审核通知{day:02d}", slug=f"n{day}", date=date(2026, 3, day))
    first = site_search(text="审核通知")
    assert first.total == 12 and len(first.results) == 10 and first.pages == 2
    assert str(first.results[0].title) == "<mark>审核通知</mark>12"  # ties: newest first
    assert len(site_search(text="审核通知", page=2).results) == 2

    page = client.get("/search/?q=审核通知&page=2").content.decode()
    assert "</mark>01</a>" in page and "</mark>12</a>" not in page
    assert 'rel="prev"' in page
    for odd in ["abc", "-3", "0", "1e9", "99999999999999", "２"]:
        assert client.get("/search/", {"q": "审核通知", "page": odd}).status_code == 200
    past_the_end = client.get("/en/search/", {"q": "审核通知", "page": "50"}).content.decode()
    assert "12 pages found" in past_the_end and "showing 11–12" in past_the_end  # the last page


BAD_INPUT = [
    "",
    "   ",
    "审" * 201,
    "x" * 2000,  # the longest query-string value (MAX_QUERY_VALUE_CHARS); longer is a 400
    "!!!",
    "，。、？",
    '" OR 1=1 --',
    "' OR '1'='1",
    "title:*",
    "tokens : 审核",
    '"审核',
    "审核\"'",
    "((审核",
    "NEAR(审核 资质)",
    "AND OR NOT",
    "审核 AND",
    "*",
    "^审核",
    "'; DROP TABLE cms_sitesearch_fts; --",
    "%",
    "_",
    "\\",
    "<script>alert(1)</script>",
    "\x00审核",
    "１２３",
]


@pytest.mark.parametrize("query", BAD_INPUT)
def test_whatever_is_typed_gets_a_page_and_never_an_error(client, home, make, query):
    make(home, StandardPage, title="资质审核须知", slug="notes", body=_body("<p>请准备材料。</p>"))
    for prefix in ("", "/en"):
        response = client.get(f"{prefix}/search/", {"q": query})
        assert response.status_code == 200
        html = response.content.decode()
        assert "<script>alert(1)</script>" not in html
    assert SiteSearchEntry.objects.count() >= 1  # nothing was dropped


def test_an_empty_or_punctuation_only_query_asks_for_a_word(client, home):
    assert "Type a word or two, for example" in client.get("/en/search/").content.decode()
    assert "punctuation and symbols on their own find nothing" in client.get("/en/search/?q=!!!").content.decode()


def test_a_long_query_is_cut_and_the_reader_is_told(client, home, make):
    make(home, StandardPage, title="资质审核须知", slug="notes")
    page = client.get("/en/search/", {"q": "资质审核 " + "x" * 300}).content.decode()
    assert "Only the first 200 characters were searched." in page


def test_sql_and_full_text_syntax_are_searched_as_words(home, make):
    make(home, StandardPage, title="标题 title 说明", slug="title")
    assert titles("title:*") == ["标题 title 说明"]  # the word "title", nothing more
    assert titles('" OR 1=1 --') == []
    assert titles("AND OR NOT") == []  # stop words and operators: no word to look for


def test_snippets_mark_the_match_and_escape_the_page_text(client, home, make):
    make(
        home,
        StandardPage,
        title="<b>审核</b> & 说明",
        slug="notes",
        body=_body("<p>" + "前言。" * 40 + "机构须经过资质审核才能承接服务。" + "后记。" * 40 + "</p>"),
    )
    html = client.get("/search/", {"q": "资质审核"}).content.decode()
    assert "&lt;b&gt;<mark>审核</mark>&lt;/b&gt; &amp; 说明" in html
    assert "机构须经过<mark>资质审核</mark>才能承接服务" in html
    assert "…" in html  # cut around the match


def test_highlight_escapes_text_and_marks_whole_latin_words_only():
    needles = parse_query("vet")
    from cms.search import _needles

    marked = highlight("<i>vet</i> vetting", _needles(needles))
    assert str(marked) == "&lt;i&gt;<mark>vet</mark>&lt;/i&gt; vetting"
    assert str(highlight("ＡＢＣ审核", _needles(parse_query("abc")))) == "<mark>ＡＢＣ</mark>审核"


def test_the_english_view_shows_english_text_and_marks_chinese_fallbacks(client, home, make):
    make(home, StandardPage, title="资质审核须知", title_en="Vetting notes", slug="notes", summary="审核材料清单")
    make(home, StandardPage, title="审核流程", slug="flow")
    html = client.get("/en/search/", {"q": "审核"}).content.decode()
    assert ">Vetting notes</a>" in html
    assert 'lang="zh-Hans"><mark>审核</mark>流程</a>' in html
    assert 'lang="zh-Hans"><mark>审核</mark>材料清单' in html  # no English summary: the Chinese one, marked


def test_vetted_organisations_from_the_directory_are_found(client, home, vetted_org, unvetted_org):
    from tests.factories import OrganisationFactory

    OrganisationFactory(legal_name="大邑县仁爱养老服务中心", approved_until=timezone.now() - timedelta(days=1))
    found = site_search(text="仁爱")
    assert [o.legal_name for o in found.organisations] == ["大邑县仁爱慈善会"]  # the lapsed approval is not
    html = client.get("/search/", {"q": unvetted_org.legal_name}).content.decode()
    assert f"/directory/{unvetted_org.pk}/" not in html
    html = client.get("/en/search/", {"q": "仁爱"}).content.decode()
    assert f'href="/en/directory/{vetted_org.pk}/"' in html


def test_only_get_is_answered(client, home):
    assert client.post("/search/", {"q": "审核"}).status_code == 405


def test_the_search_box_partial_points_at_the_search(client, home):
    from django.template.loader import render_to_string

    html = render_to_string("cms/partials/_search_box.html", {"site_search_q": '"><x'})
    assert 'action="/search/"' in html and 'name="q"' in html and "&quot;&gt;&lt;x" in html


@pytest.mark.parametrize("role", ["outsider", "charity_member", "caseworker", "auditor", "superuser"])
def test_everyone_sees_the_same_public_results(client_for, home, make, role, request):
    make(home, StandardPage, title="审核公告", slug="live")
    private = make(home, StandardPage, title="审核内部说明", slug="private")
    PageViewRestriction.objects.create(page=private, restriction_type=PageViewRestriction.LOGIN)
    client = client_for(request.getfixturevalue(role), reauthenticated=False)
    html = client.get("/search/", {"q": "审核"}).content.decode()
    assert "审核公告" not in html or "<mark>审核</mark>公告" in html
    assert "<mark>审核</mark>公告" in html
    assert "内部说明" not in html


def test_a_single_chinese_character_is_found_inside_words(home, make):
    make(home, StandardPage, title="税务登记", slug="tax", body=_body("<p>纳税人须知</p>"))
    make(home, StandardPage, title="联系我们", slug="contact")
    assert titles("税") == ["税务登记"]
