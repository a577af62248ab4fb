"""The public directory: exactly the organisations that may act today, and nothing private.

Anyone may read it, signed in or not. An organisation is listed while it is approved and
its approval has not run out (organisations.selectors.organisations_may_act); the moment
either stops holding it disappears, even before the expiry sweep has run.
"""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from categories.models import Category
from organisations.models import Organisation, OrganisationKind, VettingState
from organisations.selectors import organisation_may_act, organisations_may_act
from tests.factories import OrganisationFactory, region
from tests.needs.helpers import card, person

pytestmark = pytest.mark.django_db

BANK_ACCOUNT = "6228480402564890018"
PHONE = "028-88886666"
EMAIL = "finance@renai.example.test"
CONTACT = "王会计"


def url(name: str, *args, lang: str = "zh-hans") -> str:
    with translation.override("zh-hans"):
        path = reverse(name, args=args)
    return path if lang == "zh-hans" else f"/{lang}{path}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def listed(client, **params) -> set[str]:
    response = client.get(url("directory:list"), params)
    assert response.status_code == 200
    page = response.context["page"]
    assert page.paginator.num_pages == 1
    return {o.legal_name for o in page.object_list}


def categories(*codes: str) -> list[Category]:
    return list(Category.objects.filter(code__in=codes))


@pytest.fixture
def directory(db) -> dict[str, Organisation]:
    """One organisation in each situation; only the first two may act."""
    now = timezone.now()

    def org(name, state, *, until=None, serves=("510129",), cats=("basic_living",), **fields):
        organisation = OrganisationFactory(
            legal_name=name,
            vetting_state=state,
            approved_until=until,
            vetted_since=now - timedelta(days=30) if until else None,
            phone=PHONE,
            email=EMAIL,
            contact_name=CONTACT,
            bank_name="中国农业银行大邑县支行",
            bank_account_name=name,
            bank_account=BANK_ACCOUNT,
            **fields,
        )
        organisation.service_regions.set([region(code) for code in serves])
        organisation.service_categories.set(categories(*cats))
        return organisation

    year = now + timedelta(days=365)
    return {
        "renai": org(
            "大邑县仁爱慈善会",
            VettingState.APPROVED,
            until=year,
            kind=OrganisationKind.CHARITY,
            cats=("basic_living", "medical"),
        ),
        "sunshine": org(
            "大邑县阳光社会工作服务中心",
            VettingState.APPROVED,
            until=now + timedelta(hours=1),
            serves=("510129105",),
            cats=("elderly_care", "child_care"),
        ),
        "submitted": org("大邑县仁爱助学服务社", VettingState.SUBMITTED),
        "under_review": org("审核中服务中心", VettingState.UNDER_REVIEW),
        "draft": org("草稿服务中心", VettingState.DRAFT),
        "rejected": org("未通过服务中心", VettingState.REJECTED),
        "suspended": org("暂停服务中心", VettingState.SUSPENDED, until=year),
        "revoked": org("撤销服务中心", VettingState.REVOKED, until=year),
        "expired": org("过期服务中心", VettingState.EXPIRED, until=now - timedelta(days=1)),
        # Approved, but the approval ran out a minute ago and the sweep has not run yet.
        "lapsed": org("大邑县仁爱养老服务中心", VettingState.APPROVED, until=now - timedelta(minutes=1)),
    }


MAY_ACT = {"大邑县仁爱慈善会", "大邑县阳光社会工作服务中心"}


def test_the_directory_lists_exactly_the_organisations_that_may_act(client, directory):
    assert {o.legal_name for o in organisations_may_act()} == MAY_ACT

    assert listed(client) == MAY_ACT
    page = text(client.get(url("directory:list")))
    for organisation in directory.values():
        assert (organisation.legal_name in page) == (organisation.legal_name in MAY_ACT), organisation.legal_name


def test_an_approval_that_runs_out_leaves_the_directory_at_once(client, directory):
    sunshine = directory["sunshine"]
    sunshine.approved_until = timezone.now() - timedelta(seconds=1)
    sunshine.save()

    assert listed(client) == {"大邑县仁爱慈善会"}
    assert client.get(url("directory:detail", sunshine.pk)).status_code == 404


@pytest.mark.parametrize(
    "key", ["submitted", "under_review", "draft", "rejected", "suspended", "revoked", "expired", "lapsed"]
)
def test_an_organisation_that_may_not_act_has_no_directory_page(client, directory, key):
    response = client.get(url("directory:detail", directory[key].pk))

    assert response.status_code == 404
    assert directory[key].legal_name not in text(response)


def test_a_listed_organisation_has_a_public_page(client, directory):
    renai = directory["renai"]

    response = client.get(url("directory:detail", renai.pk, lang="en"))

    assert response.status_code == 200
    page = text(response)
    assert renai.legal_name in page and renai.uscc in page
    assert "Charity organisation" in page
    assert "Basic living" in page and "Medical" in page
    assert "Dayi County, Chengdu City, Sichuan Province" in page  # the English page names it in English
    chinese = text(client.get(url("directory:detail", renai.pk, lang="zh-hans")))
    assert "四川省 成都市 大邑县" in chinese


def test_an_unknown_organisation_is_not_found(client, directory):
    assert client.get(url("directory:detail", 999_999)).status_code == 404


def test_search_by_a_chinese_substring(client, directory):
    # "仁爱" is also in the names of a submitted and a lapsed organisation: neither may act.
    assert listed(client, q="仁爱") == {"大邑县仁爱慈善会"}
    assert listed(client, q="阳光") == {"大邑县阳光社会工作服务中心"}
    assert listed(client, q="大邑县") == MAY_ACT
    assert listed(client, q="  仁爱慈善  ") == {"大邑县仁爱慈善会"}
    assert listed(client, q="不存在的机构") == set()


def test_a_search_with_no_result_says_so(client, directory):
    response = client.get(url("directory:list", lang="en"), {"q": "不存在的机构"})

    assert "No vetted organisation matches" in text(response)


def test_filter_by_category(client, directory):
    assert listed(client, category="medical") == {"大邑县仁爱慈善会"}
    assert listed(client, category="child_care") == {"大邑县阳光社会工作服务中心"}
    assert listed(client, category="basic_living") == {"大邑县仁爱慈善会"}
    assert listed(client, category="housing") == set()


def test_filter_by_region(client, directory):
    # Serving somewhere inside the region counts, as does being registered in it.
    assert listed(client, region="安仁镇") == {"大邑县阳光社会工作服务中心"}
    assert listed(client, region="510129105") == {"大邑县阳光社会工作服务中心"}
    assert listed(client, region="大邑县") == MAY_ACT
    assert listed(client, region="510104") == set()


def test_filter_by_region_and_category_and_name_together(client, directory):
    assert listed(client, region="大邑县", category="medical", q="仁爱") == {"大邑县仁爱慈善会"}
    assert listed(client, region="安仁镇", category="medical") == set()


def test_filter_by_type(client, directory):
    assert listed(client, kind=OrganisationKind.CHARITY) == {"大邑县仁爱慈善会"}
    assert listed(client, kind=OrganisationKind.SOCIAL_WORK) == {"大邑县阳光社会工作服务中心"}


def test_an_unknown_region_is_explained_not_an_error(client, directory):
    response = client.get(url("directory:list", lang="en"), {"region": "火星"})

    assert response.status_code == 200
    assert "No region matches" in text(response)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_directory_pages_show_no_bank_account_or_contact_details(client, directory, lang):
    pages = [client.get(url("directory:list", lang=lang))]
    pages += [client.get(url("directory:detail", directory[key].pk, lang=lang)) for key in ("renai", "sunshine")]

    for response in pages:
        assert response.status_code == 200
        page = text(response)
        for private in (BANK_ACCOUNT, PHONE, EMAIL, CONTACT, "中国农业银行"):
            assert private not in page, private


def test_signed_in_people_see_the_same_directory(client_for, directory, caseworker, charity_admin, outsider):
    for user in (caseworker, charity_admin, outsider):
        client = client_for(user, reauthenticated=False)
        assert listed(client) == MAY_ACT


# --- organisation_may_act at a given time --------------------------------------------------


def test_organisation_may_act_at_a_given_time(db):
    until = timezone.now() + timedelta(days=10)
    organisation = OrganisationFactory(vetting_state=VettingState.APPROVED, approved_until=until)

    assert organisation_may_act(organisation=organisation)
    assert organisation_may_act(organisation=organisation, at=until - timedelta(seconds=1))
    # The approval ends at approved_until: not at that instant, nor after.
    assert not organisation_may_act(organisation=organisation, at=until)
    assert not organisation_may_act(organisation=organisation, at=until + timedelta(days=1))
    assert organisation_may_act(organisation=organisation, at=timezone.now() - timedelta(days=100))
    assert organisation in organisations_may_act(at=until - timedelta(seconds=1))
    assert organisation not in organisations_may_act(at=until)


@pytest.mark.parametrize(
    "state",
    [s for s in VettingState.values if s != VettingState.APPROVED],
)
def test_only_an_approved_organisation_may_act(db, state):
    until = timezone.now() + timedelta(days=10)
    organisation = OrganisationFactory(vetting_state=state, approved_until=until)

    assert not organisation_may_act(organisation=organisation)
    assert not organisation_may_act(organisation=organisation, at=timezone.now())


def test_may_act_agrees_with_is_vetted(directory):
    for organisation in directory.values():
        assert organisation_may_act(organisation=organisation) == organisation.is_vetted, organisation.legal_name
    assert set(Organisation.objects.vetted()) == set(organisations_may_act())


def test_filter_by_rating_at_least(client, directory):
    Organisation.objects.filter(pk=directory["renai"].pk).update(rating="4A")
    Organisation.objects.filter(pk=directory["sunshine"].pk).update(rating="3A")
    assert listed(client, rating="4A") == {"大邑县仁爱慈善会"}
    assert listed(client, rating="3A") == MAY_ACT
    assert listed(client, rating="9Z") == MAY_ACT  # unknown: no filter, no error


def test_sort_by_track_record_shows_completed_cases(client, directory, county_agency, caseworker):
    from decimal import Decimal

    from needs import services
    from needs.models import Need

    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    Need.objects.filter(pk=need.pk).update(state="closed", claimed_by=directory["sunshine"], budget=Decimal(1))
    response = client.get(url("directory:list", lang="en"), {"sort": "track_record"})
    names = [o.legal_name for o in response.context["page"].object_list]
    assert names == ["大邑县阳光社会工作服务中心", "大邑县仁爱慈善会"]
    assert "1 completed case" in text(response) and "0 completed cases" in text(response)
    assert client.get(url("directory:list"), {"sort": "'; DROP"}).status_code == 200
