"""Fit both ways: recommended needs on the organisation's home page, suggested
organisations on the agency's need page, each with plain reasons."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Role
from categories.models import Category
from matching.fit import fit_for, suggested_organisations
from needs.models import NeedInvitation
from regions.models import Region
from tests.factories import OrganisationFactory, UserFactory
from tests.matching.helpers import published


def organisation(name, region_code, categories, **extra):
    org = OrganisationFactory(legal_name=name, **{"capacity": 3, **extra})
    org.service_regions.set([Region.objects.get(code=region_code)])
    org.service_categories.set(Category.objects.filter(code__in=categories))
    return org


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def elder_need(county_agency, caseworker, approver):
    return published(
        county_agency, caseworker, approver, title="独居老人助餐", qualifications="持证社工", urgency="urgent"
    )


def test_fit_prefers_the_closest_area_and_explains_itself(elder_need):
    township = organisation("晋原社工", "510129001", ["elderly_care"], social_workers=2)
    county = organisation("县慈善会", "510129", ["elderly_care"])
    stranger = organisation("锦江助学", "510104", ["education"], capacity=0)
    fits = {o.legal_name: fit_for(o, [elder_need])[elder_need.pk] for o in (township, county, stranger)}
    assert fits["晋原社工"].score > fits["县慈善会"].score > fits["锦江助学"].score
    assert fits["晋原社工"].score == 30 + 25 + 10 + 10 + 5
    assert "serves Jinyuan Subdistrict" in fits["晋原社工"].reasons  # in the language of the page
    with translation.override("zh-hans"):
        assert any("晋原街道" in r for r in fit_for(township, [elder_need])[elder_need.pk].reasons)
    assert "no capacity left" in fits["锦江助学"].concerns
    assert "asks for licensed social workers" in fits["县慈善会"].concerns


def test_completed_cases_count_as_track_record(elder_need, county_agency, caseworker, approver):
    from needs.models import Need

    org = organisation("晋原社工", "510129001", ["elderly_care"])
    before = fit_for(org, [elder_need])[elder_need.pk].score
    done = published(county_agency, caseworker, approver, title="已完成的助餐")
    Need.objects.filter(pk=done.pk).update(state="closed", claimed_by=org)
    after = fit_for(org, [elder_need])[elder_need.pk]
    assert after.score == before + 2 and any("completed" in r for r in after.reasons)


def test_recommended_on_the_organisation_home_page(client_for, elder_need, county_agency, caseworker, approver):
    published(
        county_agency,
        caseworker,
        approver,
        title="困境儿童课后照料",
        category=Category.objects.get(code="child_care"),
        scope="all",
        budget=Decimal("2000"),
    )
    org = organisation("晋原社工", "510129001", ["elderly_care"], social_workers=1)
    member = UserFactory()
    Membership.objects.create(user=member, role=Role.ORG_MEMBER, organisation=org)
    page = client_for(member, reauthenticated=False).get("/en/dashboard/").content.decode()
    assert 'data-testid="recommended"' in page
    assert page.index("独居老人助餐") < page.index("困境儿童课后照料")
    assert "1 licensed social worker" in page


def test_recommended_needs_are_the_first_page_by_fit_without_counting_the_rest(
    elder_need, county_agency, caseworker, approver
):
    """ "Recommended for you" is the search's first page by fit; the matches are not
    counted (a count of every visible need cost a third of it at 200,000 needs)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matching.fit import acting_organisation, fit_function, recommended_for
    from matching.query import SearchRequest
    from matching.selectors import search_needs

    for title in ("困境儿童课后照料", "老人助浴", "重病家庭康复护理"):
        published(county_agency, caseworker, approver, title=title, scope="all", budget=Decimal("2000"))
    org = organisation("晋原社工", "510129001", ["elderly_care"], social_workers=1)
    member = UserFactory()
    Membership.objects.create(user=member, role=Role.ORG_MEMBER, organisation=org)
    with CaptureQueriesContext(connection) as queries:
        recommended = recommended_for(member, limit=3)
    assert not [q for q in queries if "COUNT(" in q["sql"].upper() and "matching_searchdocument" in q["sql"]]
    fit = fit_function(acting_organisation(member))
    first_page = search_needs(member, SearchRequest(sort="fit", per_page=3), fit=fit)
    assert [need.pk for need, _fit in recommended] == first_page.ids and first_page.total == 4


def test_suggested_organisations_for_the_agency_with_an_invite(client_for, elder_need, caseworker):
    best = organisation("晋原社工", "510129001", ["elderly_care"], social_workers=2)
    organisation("县慈善会", "510129", ["elderly_care"])
    organisation("锦江助学", "510104", ["education"])  # neither the category nor the area
    suggestions = suggested_organisations(elder_need)
    assert [o.legal_name for o, _fit in suggestions] == ["晋原社工", "县慈善会"]
    client = client_for(caseworker)
    page = client.get(reverse("needs:detail", args=[elder_need.pk])).content.decode()
    assert 'data-testid="suggestions"' in page and "晋原社工" in page
    client.post(reverse("needs:invite", args=[elder_need.pk]), {"organisation": best.pk})
    assert NeedInvitation.objects.filter(need=elder_need, organisation=best).exists()
    assert [o.legal_name for o, _fit in suggested_organisations(elder_need)] == ["县慈善会"]


def test_suggestions_cost_the_same_queries_for_many_organisations(client_for, elder_need, caseworker):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(caseworker)
    url = reverse("needs:detail", args=[elder_need.pk])

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    organisation("晋原社工", "510129001", ["elderly_care"])
    queries()  # the navigation's links to the public pages are read once, then cached
    few = queries()
    for i in range(8):
        organisation(f"县助老服务社{i}", "510129", ["elderly_care"])
    assert queries() == few
    assert len(suggested_organisations(elder_need)) == 5
