"""/transparency/ and /commendations/: live on a fresh site, read from the snapshot in a
few queries whatever the data, data tables under every chart, both languages, nothing
below 5 shown, and editable by editors in /cms/."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from cms.models import Commendation, CommendationsPage, HomePage, TransparencyPage
from tests.factories import PERSONAS, UserFactory
from tests.transparency.builders import ON, Figures, at, populate
from transparency.services import snapshot_compute

pytestmark = pytest.mark.django_db

COUNT_METRICS = {"needs_published", "needs_met"}


@pytest.fixture
def figures(county_agency, vetted_org):
    return Figures(county_agency, vetted_org)


@pytest.fixture
def snapshot(figures):
    populate(figures)
    return snapshot_compute(on=ON)


def _chart_data(html: str) -> list[dict]:
    return [
        json.loads(m) for m in re.findall(r'<script id="chart-[^"]+-data" type="application/json">(.*?)</script>', html)
    ]


def test_a_fresh_site_has_both_pages_live_under_the_home_page():
    home = HomePage.objects.get()
    for model, url in ((TransparencyPage, "/transparency/"), (CommendationsPage, "/commendations/")):
        page = model.objects.get()
        assert page.live
        assert page.get_parent().pk == home.pk
        assert page.url == url
    assert len(TransparencyPage.objects.get().body) >= 5


def test_without_a_snapshot_the_page_says_so_instead_of_showing_zeros(client):
    html = client.get("/en/transparency/").content.decode()

    assert "The figures have not been computed yet" in html
    assert 'data-metric="needs_published"' not in html
    assert "<table" not in html


def test_the_page_shows_figures_charts_with_tables_and_the_agency_table(client, snapshot):
    response = client.get("/en/transparency/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "Figures computed" in html and "covering everything up to June 30, 2026" in html
    assert re.search(r'data-metric="needs_published">\s*<dt[^>]*>Needs published</dt>\s*<dd[^>]*>10 ', html)
    assert "Average days to match" in html
    # Every chart has its data table; the chart's data says the same and no more.
    charts = _chart_data(html)
    assert len(charts) == 4
    assert html.count('class="table tp-data"') == 4 + 1
    monthly = charts[0]
    assert monthly["labels"] == ["March 2026", "April 2026", "May 2026", "June 2026"]
    assert 'data-testid="agency-timeliness"' in html
    assert "大邑县民政局" in html
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert 'href="/en/transparency/figures.csv"' in html


def test_nothing_below_5_is_shown_in_tables_or_chart_data(client, snapshot):
    for url in ("/transparency/", "/en/transparency/"):
        html = client.get(url).content.decode()
        for chart in _chart_data(html):
            if chart["unit"] in ("needs", "个需求"):
                for value, text in zip(chart["values"], chart["texts"], strict=True):
                    assert (value is None and not re.search(r"\d", text.replace("5", ""))) or value >= 5
        for table in re.findall(r'<table class="table tp-data" data-metric="needs_[a-z]+".*?</table>', html, re.S):
            for cell in re.findall(r"<td>(.*?)</td>", table):
                assert not cell.isdigit() or int(cell.replace(",", "")) >= 5, cell


def test_a_hidden_point_is_null_in_the_chart_and_words_in_the_table(client, figures):
    populate(figures)
    page = TransparencyPage.objects.get()
    page.body = [
        ("chart", {"metric": "needs_published", "dimension": "category", "kind": "bar", "region_level": "county"})
    ]
    page.body_en = []
    page.save_revision().publish()
    snapshot_compute(on=ON)

    html = client.get("/en/transparency/").content.decode()
    chart = _chart_data(html)[0]
    medical = chart["labels"].index("Medical")

    assert chart["values"][medical] is None
    assert chart["texts"][medical] == "fewer than 5"
    assert chart["values"][chart["labels"].index("Elderly care")] == 7
    assert re.search(r'<tr class="suppressed"><th scope="row">Medical</th><td>fewer than 5</td>', html)


def test_the_page_costs_the_same_queries_however_much_data(client, figures):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/transparency/").status_code == 200
        return len(captured)

    populate(figures)
    snapshot_compute(on=ON)
    queries()  # warm Wagtail's site cache
    snapshot_compute(on=ON)  # a new snapshot: the blocks are rendered again
    small = queries()
    populate(figures, scale=6)
    snapshot_compute(on=ON)
    assert queries() == small
    assert small <= 15
    # Until the page or the snapshot changes, the rendered blocks are reused.
    assert queries() < small


def test_chinese_is_the_default_and_english_falls_back_to_the_chinese_blocks(client, snapshot):
    page = TransparencyPage.objects.get()
    page.body_en = []
    page.save_revision().publish()

    chinese = client.get("/transparency/").content.decode()
    english = client.get("/en/transparency/").content.decode()

    assert "<h1>公开透明</h1>" in chinese
    assert "<h1>Transparency</h1>" in english
    assert "养老服务" in chinese or "养老" in chinese
    # The Chinese blocks, with their figures named in English.
    assert "Needs published" in english
    assert len(_chart_data(english)) == len(_chart_data(chinese)) == 4


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_visitor_reads_the_same_public_page(persona, request, client, client_for, snapshot):
    reader = client if persona == "anonymous" else client_for(request.getfixturevalue(persona), reauthenticated=False)
    html = reader.get("/en/transparency/").content.decode()
    assert "Needs published" in html
    assert "测试人" not in html  # never a beneficiary's name


# --- Commendations -----------------------------------------------------------------------


def test_commendations_beside_the_best_records(client, figures, vetted_org, county_agency):
    for day in range(5):
        figures.closed(organisation=vetted_org, signed=at(date(2026, 3, 2 + day)))
    snapshot_compute(on=ON)
    page = CommendationsPage.objects.get()
    Commendation.objects.create(
        page=page, organisation=vetted_org, citation="按期交付，服务优良。", citation_en="Delivered on time.", date=ON
    )
    Commendation.objects.create(page=page, agency=county_agency, citation="付款及时。", date=ON)

    english = client.get("/en/commendations/").content.decode()
    chinese = client.get("/commendations/").content.decode()

    assert "Delivered on time." in english
    assert "付款及时。" in english  # no English citation: the Chinese one
    assert "按期交付，服务优良。" in chinese
    assert f'href="/en/directory/{vetted_org.pk}/"' in english
    assert 'data-testid="best-organisations"' in english
    assert re.search(r"<th scope=\"row\">大邑县仁爱慈善会</th><td>5</td><td>100%</td><td>4.50</td>", english)
    assert "at least 5 completed contracts" in english


def test_an_organisation_with_four_contracts_is_not_ranked(client, figures, vetted_org):
    for day in range(4):
        figures.closed(organisation=vetted_org, signed=at(date(2026, 3, 2 + day)))
    snapshot_compute(on=ON)

    html = client.get("/en/commendations/").content.decode()

    assert "No organisation has enough completed contracts yet." in html


def test_a_commendation_names_one_organisation_or_one_agency(vetted_org, county_agency):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    page = CommendationsPage.objects.get()
    both = Commendation(page=page, organisation=vetted_org, agency=county_agency, citation="x", date=ON)
    with pytest.raises(ValidationError):
        both.clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Commendation.objects.create(page=page, citation="x", date=ON)


# --- The editors ---------------------------------------------------------------------------


@pytest.fixture
def editor(client_for):
    """An editor who may publish (the demo's Editors group may; Wagtail's own only drafts)."""
    user = UserFactory(mfa=True)
    user.groups.add(Group.objects.get(name="Editors"), Group.objects.get(name="Moderators"))
    return client_for(user, reauthenticated=False)


def test_an_editor_rearranges_the_transparency_page(editor, snapshot, client):
    page = TransparencyPage.objects.get()
    assert editor.get(f"/cms/pages/{page.pk}/edit/").status_code == 200
    data = nested_form_data(
        {
            "title": "公开透明",
            "slug": "transparency",
            "title_en": "Transparency",
            "intro": "",
            "intro_en": "",
            "body": streamfield(
                [
                    ("text", rich_text("<p>编辑写的说明</p>")),
                    ("headline_figures", {"heading": "总数", "figures": ["money_paid"]}),
                    (
                        "chart",
                        {
                            "heading": "",
                            "metric": "money_paid",
                            "dimension": "month",
                            "kind": "line",
                            "region_level": "county",
                            "months": "6",
                            "limit": "12",
                            "note": "",
                        },
                    ),
                ]
            ),
            "body_en": streamfield([]),
            "action-publish": "publish",
        }
    )
    # A multiple choice posts its key once per choice, which nested_form_data cannot say.
    data["body-1-value-figures"] = [data.pop("body-1-value-figures-0")]
    response = editor.post(f"/cms/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors.as_json()[:3000] if response.context else ""

    html = client.get("/transparency/").content.decode()
    assert html.index("编辑写的说明") < html.index("总数")
    assert 'data-metric="money_paid"' in html and 'data-metric="needs_published"' not in html
    assert [c["kind"] for c in _chart_data(html)] == ["line"]


def test_an_editor_adds_a_commendation(editor, vetted_org, client):
    page = CommendationsPage.objects.get()
    data = nested_form_data(
        {
            "title": "表彰",
            "slug": "commendations",
            "title_en": "Commendations",
            "intro": "",
            "intro_en": "",
            "commendations": inline_formset(
                [
                    {
                        "organisation": str(vetted_org.pk),
                        "agency": "",
                        "citation": "社区服务表现突出。",
                        "citation_en": "Outstanding community service.",
                        "date": "2026-11-01",
                    }
                ]
            ),
            "action-publish": "publish",
        }
    )
    response = editor.post(f"/cms/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors.as_json()[:3000] if response.context else ""
    assert "Outstanding community service." in client.get("/en/commendations/").content.decode()


def test_an_editor_cannot_add_a_second_transparency_page(editor):
    home = HomePage.objects.get()
    response = editor.get(f"/cms/pages/add/cms/transparencypage/{home.pk}/")
    assert response.status_code in (302, 403)
    assert TransparencyPage.objects.count() == 1


def test_the_pages_are_not_offered_outside_the_home_page():
    assert TransparencyPage.parent_page_types == ["cms.HomePage"]
    assert not Page.objects.filter(depth__gt=3).exists()
