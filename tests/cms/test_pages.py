"""Each page type reads in Chinese and in English, falling back to Chinese field by field."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile

from cms.models import (
    GuidancePage,
    NewsIndexPage,
    NewsPage,
    PolicyDocumentPage,
    PolicyIndexPage,
    PolicyStatus,
    StandardPage,
)
from tests.cms.helpers import url

pytestmark = pytest.mark.django_db


def _paragraph(html: str) -> list:
    return [{"type": "paragraph", "value": html}]


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def test_a_standard_page_reads_in_chinese_and_in_english(client, home, make):
    page = make(
        home,
        StandardPage,
        title="关于我们",
        title_en="About us",
        summary="平台简介",
        summary_en="What the platform is",
        body=_paragraph("<p>中文正文</p>"),
        body_en=_paragraph("<p>English body</p>"),
    )
    chinese = main(client.get(url(page)))
    assert "关于我们" in chinese and "平台简介" in chinese and "中文正文" in chinese
    assert "English body" not in chinese
    english = main(client.get(url(page, "en")))
    assert "About us" in english and "What the platform is" in english and "English body" in english
    assert "中文正文" not in english


def test_an_untranslated_field_falls_back_to_chinese_marked_as_chinese(client, home, make):
    make(home, StandardPage, title="联系我们", slug="contact", summary="工作日接待", body=_paragraph("<p>地址见下</p>"))
    english = main(client.get("/en/contact/"))
    assert '<h1 lang="zh-Hans">联系我们</h1>' in english
    assert 'lang="zh-Hans">工作日接待' in english
    assert '<div class="page-body" lang="zh-Hans">' in english and "地址见下" in english
    # The Chinese view marks nothing: Chinese is the page's language.
    assert 'lang="zh-Hans"' not in main(client.get("/contact/"))


def test_a_standard_page_lists_its_live_public_children(client, home, make):
    parent = make(home, StandardPage, title="服务指南", title_en="Services")
    make(parent, GuidancePage, title="如何申请", title_en="How to apply", summary="申请步骤")
    make(parent, GuidancePage, title="草稿指南", title_en="Draft guidance", live=False)
    page = main(client.get(url(parent)))
    assert "如何申请" in page and "申请步骤" in page
    assert "草稿指南" not in page


def test_a_guidance_page_numbers_its_steps(client, home, make):
    steps = {
        "type": "steps",
        "value": {
            "intro": "三步完成",
            "steps": [
                {"heading": "注册账号", "body": "<p>填写资料</p>"},
                {"heading": "提交材料", "body": "<p>上传证书</p>"},
            ],
        },
    }
    page = make(
        home,
        GuidancePage,
        title="如何申请",
        title_en="How to apply",
        audience="社会组织",
        audience_en="Social organisations",
        body=[steps],
    )
    chinese = main(client.get(url(page)))
    assert '<ol class="step-list">' in chinese
    assert chinese.index("注册账号") < chinese.index("提交材料")
    english = main(client.get(url(page, "en")))
    assert "How to apply" in english and "Social organisations" in english
    assert "Who this is for:" in english
    assert 'lang="zh-Hans"' in english and "注册账号" in english  # the steps are not translated yet


def test_the_news_index_lists_live_items_newest_first_ten_to_a_page(client, home, make):
    index = make(home, NewsIndexPage, title="新闻", title_en="News", slug="news")
    for day in range(1, 13):
        make(index, NewsPage, title=f"消息{day:02d}", slug=f"item-{day}", date=date(2026, 3, day))
    make(index, NewsPage, title="未发布的消息", slug="draft", date=date(2026, 4, 1), live=False)

    first = main(client.get("/news/"))
    assert first.index("消息12") < first.index("消息11")
    assert "消息03" in first and "消息02" not in first  # ten to a page
    assert "未发布的消息" not in first
    second = main(client.get("/news/?page=2"))
    assert "消息02" in second and "消息01" in second and "消息12" not in second
    # A page that is not a number, or past the end, is a page rather than an error.
    assert client.get("/news/?page=abc").status_code == 200
    assert "消息01" in main(client.get("/news/?page=999"))
    english = main(client.get("/en/news/"))
    assert "<h1>News</h1>" in english and 'lang="zh-Hans">消息12' in english


def test_a_news_item_shows_its_date_and_links_back(client, home, make):
    index = make(home, NewsIndexPage, title="新闻", title_en="News", slug="news")
    item = make(
        index,
        NewsPage,
        title="平台上线",
        title_en="The platform opens",
        slug="opens",
        date=date(2026, 9, 15),
        summary="试运行开始",
        body=_paragraph("<p>九月十五日上线</p>"),
        body_en=_paragraph("<p>Opened on 15 September</p>"),
    )
    english = main(client.get(url(item, "en")))
    assert "The platform opens" in english and 'datetime="2026-09-15"' in english
    assert "Opened on 15 September" in english and 'href="/en/news/"' in english
    assert "九月十五日上线" in main(client.get(url(item)))


def _document():
    from wagtail.documents.models import Document

    from website.demo import demo_pdf

    document = Document(title="文件")
    document.file.save("policy.pdf", ContentFile(demo_pdf("policy")), save=False)
    document.save()
    return document


def test_a_policy_document_shows_its_facts_and_its_file(client, home, make):
    index = make(home, PolicyIndexPage, title="政策文件", title_en="Policies", slug="policies")
    new = make(
        index,
        PolicyDocumentPage,
        title="实施办法",
        title_en="Measures",
        slug="measures",
        document_number="大民发〔2026〕8号",
        issuing_body="大邑县民政局",
        issuing_body_en="Dayi County Civil Affairs Bureau",
        date_issued=date(2026, 8, 1),
        effective_date=date(2026, 9, 1),
        summary="付款期限",
        document=_document(),
    )
    old = make(
        index,
        PolicyDocumentPage,
        title="暂行办法",
        title_en="Interim measures",
        slug="interim",
        date_issued=date(2021, 5, 10),
        status=PolicyStatus.SUPERSEDED,
        superseded_by=new,
    )
    page = main(client.get(url(new)))
    assert "大民发〔2026〕8号" in page and "大邑县民政局" in page and 'datetime="2026-09-01"' in page
    assert "PDF" in page and "/documents/" in page
    english = main(client.get(url(new, "en")))
    assert "Dayi County Civil Affairs Bureau" in english and "Current" in english
    assert "Download the document" in english
    superseded = main(client.get(url(old, "en")))
    assert "This document has been superseded." in superseded and 'href="/en/policies/measures/"' in superseded
    assert 'lang="zh-Hans">大邑县民政局' in superseded  # the issuer is not translated

    listing = main(client.get("/en/policies/"))
    assert listing.index("Measures") < listing.index("Interim measures")  # in force first
    current_only = main(client.get("/en/policies/?status=current"))
    assert "Measures" in current_only and "Interim measures" not in current_only
    assert "Interim measures" in main(client.get("/en/policies/?status=nonsense"))  # an odd filter: all


def test_a_policy_cannot_take_effect_before_it_is_issued(home):
    from django.core.exceptions import ValidationError

    page = PolicyDocumentPage(
        title="文件", slug="x", issuing_body="局", date_issued=date(2026, 8, 1), effective_date=date(2026, 7, 1)
    )
    with pytest.raises(ValidationError) as raised:
        page.full_clean()
    assert "effective_date" in raised.value.message_dict


def test_a_draft_page_is_not_served(client, home, make):
    make(home, StandardPage, title="草稿", slug="draft", live=False)
    assert client.get("/draft/").status_code == 404
    assert client.get("/en/draft/").status_code == 404


def test_the_home_page_still_reads_in_both_languages(client, home):
    assert client.get("/").status_code == 200
    assert client.get("/en/").status_code == 200
