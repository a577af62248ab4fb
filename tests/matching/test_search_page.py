"""The charity's search page at /needs/: the state in the URL, htmx partials, facets,
fit reasons, odd query strings, and who may search."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from categories.models import Category
from regions.models import Region
from tests.factories import OrganisationFactory, UserFactory
from tests.matching.helpers import published

URL = "/en/needs/"


@pytest.fixture
def needs(county_agency, caseworker, approver):
    make = lambda **o: published(county_agency, caseworker, approver, **o)  # noqa: E731
    return [
        make(title="独居老人助餐", summary="高龄独居老人需要每日助餐服务。", qualifications="持证社工"),
        make(title="空巢老人送餐上门", summary="子女在外地，老人行动不便，需要送餐和探访。"),
        make(
            title="困境儿童课后照料",
            summary="父母外出务工，儿童放学后无人照看。",
            category=Category.objects.get(code="child_care"),
            region=Region.objects.get(code="510129002"),
            scope="all",
        ),
    ]


@pytest.fixture
def member(db):
    org = OrganisationFactory(legal_name="晋原社工服务中心", capacity=3, social_workers=2)
    org.service_regions.set([Region.objects.get(code="510129001")])
    org.service_categories.set(Category.objects.filter(code="elderly_care"))
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.ORG_MEMBER, organisation=org)
    return user


def test_a_member_searches_and_sees_fit_reasons(client_for, needs, member):
    client = client_for(member, reauthenticated=False)
    page = client.get(URL, {"q": "独居老人"}).content.decode()
    assert "独居老人助餐" in page and "空巢老人送餐上门" in page  # the synonym
    assert page.index("独居老人助餐") < page.index("空巢老人送餐上门")  # the word itself first
    assert "困境儿童课后照料" not in page
    assert 'data-testid="fit-reasons"' in page
    assert "serves Elderly care" in page and "2 licensed social workers" in page
    assert "3 cases of capacity free" in page


def test_the_state_lives_in_the_url_and_htmx_gets_a_partial(client_for, needs, member):
    client = client_for(member, reauthenticated=False)
    full = client.get(URL, {"category": "child_care", "sort": "newest"})
    html = full.content.decode()
    assert "困境儿童课后照料" in html and "独居老人助餐" not in html
    assert 'value="child_care" checked' in html and '<option value="newest" selected' in html
    partial = client.get(URL, {"category": "child_care"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in partial and 'id="search-body"' in partial and "困境儿童课后照料" in partial
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    restore = client.get(URL, {"category": "child_care"}, headers=headers)
    assert "<html" in restore.content.decode()  # the back button gets the whole page


def test_facet_counts(client_for, needs, member):
    page = client_for(member, reauthenticated=False).get(URL).content.decode()
    checkbox = '<input type="checkbox" name="category" value="elderly_care"> Elderly care'
    assert checkbox + ' <span class="count" data-testid="facet-count">2</span>' in page


def test_in_my_service_area(client_for, needs, member):
    client = client_for(member, reauthenticated=False)
    page = client.get(URL, {"area": "1"}).content.decode()
    assert "独居老人助餐" in page and "困境儿童课后照料" not in page
    # The toggle is a link, which aria-pressed does not fit (axe aria-allowed-attr): its
    # words say whether it is on.
    assert "aria-pressed" not in page
    assert "Only my service area is shown: show every area" in page
    off = client.get(URL).content.decode()
    assert "Show only my service area" in off and "aria-pressed" not in off


def test_sort_by_fit(client_for, needs, member):
    page = client_for(member, reauthenticated=False).get(URL, {"sort": "fit"}).content.decode()
    # Serves the category and the township: the elder-care needs fit better.
    assert page.index("独居老人助餐") < page.index("困境儿童课后照料")


def test_an_empty_search_helps(client_for, needs, member):
    page = client_for(member, reauthenticated=False).get(URL, {"q": "潜水艇", "kind": "material"}).content.decode()
    assert 'data-testid="search-empty"' in page and "Remove every filter" in page


ODD = [
    "%00",
    "\x00",
    "' OR 1=1 --",
    '" OR 1=1 --',
    "title:*",
    '"独居老人',
    "(((",
    "NEAR(a b)",
    "<script>alert(1)</script>",
    "１２３",
    "x" * 2000,  # the longest query-string value (MAX_QUERY_VALUE_CHARS); longer is a 400
    "-1",
    "999999999999",
    "！？。，",
    "老人elderly3岁",
]


@pytest.mark.parametrize("value", ODD)
def test_odd_query_strings_never_fail(client_for, needs, member, value):
    client = client_for(member, reauthenticated=False)
    for param in ("q", "category", "kind", "urgency", "region", "budget", "area", "sort", "page"):
        response = client.get(URL, {param: value})
        assert response.status_code == 200, (param, value)
        assert "<script>alert(1)</script>" not in response.content.decode()


def test_who_searches_what(client_for, needs, unvetted_member, outsider, caseworker):
    page = client_for(unvetted_member, reauthenticated=False).get(URL, {"q": "老人"}).content.decode()
    assert "独居老人助餐" not in page and 'data-testid="search-empty"' in page
    assert client_for(outsider, reauthenticated=False).get(URL).status_code == 403
    # Agency staff keep their list of every state.
    staff = client_for(caseworker).get(reverse("needs:list")).content.decode()
    assert 'data-testid="search-body"' not in staff and "独居老人助餐" in staff


def test_pagination_keeps_the_search(client_for, county_agency, caseworker, approver, member):
    for i in range(23):
        published(county_agency, caseworker, approver, title=f"老人探访{i}", summary="老人需要每周探访。")
    page = client_for(member, reauthenticated=False).get(URL, {"q": "探访"}).content.decode()
    assert "Page 1 of 2" in page and "?q=%E6%8E%A2%E8%AE%BF&amp;page=2" in page


def test_when_search_is_down_the_newest_needs_are_shown(client_for, needs, member, monkeypatch):
    from matching.backends.base import SearchUnavailable
    from matching.backends.database import DatabaseBackend

    def down(*args, **kwargs):
        raise SearchUnavailable("the node does not answer")

    monkeypatch.setattr(DatabaseBackend, "search", down)
    response = client_for(member, reauthenticated=False).get(URL, {"q": "独居老人"})
    page = response.content.decode()
    assert response.status_code == 200 and "Search is unavailable" in page
    assert "独居老人助餐" in page and "空巢老人送餐上门" in page


@pytest.mark.parametrize("query", ["独居老人", "助餐"])
def test_the_demo_social_worker_finds_the_demo_elder_care_needs_first(db, client_for, query):
    from django.core.management import call_command

    from accounts.models import User

    call_command("seed_demo")
    worker = User.objects.get(email="social.worker@safetynet.test")
    response = client_for(worker, reauthenticated=False).get(URL, {"q": query})
    hits = response.context["hits"]
    need, fit = hits[0]
    assert need.title == "独居老人助餐与探访" and need.category.code == "elderly_care"
    assert "serves Elderly care" in fit.reasons and any("Dayi County" in r for r in fit.reasons)


def test_a_page_past_the_end_says_so(client_for, needs, member):
    page = client_for(member, reauthenticated=False).get(URL, {"page": "40"}).content.decode()
    assert 'data-testid="search-past-end"' in page and "Go to the first page" in page
    for param in ("category", "kind", "urgency", "budget", "region"):
        unknown = client_for(member, reauthenticated=False).get(URL, {param: "no_such_value"})
        html = unknown.content.decode()
        assert unknown.status_code == 200 and "独居老人助餐" not in html, param
        assert 'data-testid="unknown-filters"' in html and "no_such_value" in html


def test_my_needs_beside_the_search_are_the_newest_ten_taken_on_or_proposed_for(
    county_agency, caseworker, approver, charity_member, vetted_org
):
    from datetime import timedelta

    from django.utils import timezone

    from matching.views import _mine
    from needs.models import Need, Proposal

    make = lambda **o: published(county_agency, caseworker, approver, **o)  # noqa: E731
    claimed = [make(title=f"认领{i}") for i in range(8)]
    proposed = [make(title=f"投标{i}") for i in range(5)]
    still_open = make(title="仍在征集")
    others = make(title="别家")
    now = timezone.now()
    for i, need in enumerate([*claimed, *proposed, still_open, others]):
        Need.objects.filter(pk=need.pk).update(created_at=now - timedelta(hours=i))
    Need.objects.filter(pk__in=[n.pk for n in claimed]).update(state="claimed", claimed_by=vetted_org)
    Need.objects.filter(pk__in=[n.pk for n in proposed]).update(state="proposals_closed")
    for need in [*proposed, still_open]:
        Proposal.objects.create(
            need=need,
            organisation=vetted_org,
            submitted_by=charity_member,
            plan="计划",
            price=1000,
            duration_days=30,
            timeline="一个月",
            team="社工两名",
        )
    mine = _mine(charity_member)
    assert [n.pk for n in mine] == [n.pk for n in [*claimed, *proposed]][:10]


def test_the_page_reads_the_members_organisations_and_the_categories_once(client_for, needs, member):
    """The organisations a member acts for decide the audience, the page check and the fit:
    one read for all three, and one of the categories for the filter and its labels."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(member, reauthenticated=False)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(URL, {"q": "老人", "category": "elderly_care"})
    assert page.status_code == 200 and "独居老人助餐" in page.content.decode()
    sql = [q["sql"] for q in captured.captured_queries]
    organisations = [s for s in sql if s.startswith('SELECT "organisations_organisation"') and "vetting_state" in s]
    categories = [s for s in sql if 'FROM "categories_category" WHERE "categories_category"."is_active"' in s]
    assert len(organisations) == 1, organisations
    assert len(categories) == 1, categories
