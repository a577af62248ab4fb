"""Sort by fit in the database: ``fit_expression`` gives exactly ``fit_for``'s score, so
the database backend's order by fit (and "Recommended for you") is the one the
exhaustive computation in Python gives, page by page."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Membership, Role
from categories.models import Category
from matching.backends import get_backend
from matching.documents import document_for
from matching.fit import fit_expression, fit_for, fit_function
from matching.models import SearchDocument
from matching.query import SearchRequest
from matching.selectors import audience_for
from needs.models import Beneficiary, Need
from regions.models import Region
from tests.factories import OrganisationFactory, UserFactory

QUALIFICATIONS = ("", "", "持证社工", "需要社会工作专业背景", "Licensed SOCIAL WORKERS", "护理证")


@pytest.fixture
def many_needs(county_agency, caseworker, approver):
    rng = random.Random(7)
    beneficiary = Beneficiary.objects.create(
        agency=county_agency, name="测试", id_number="510129195001011234", created_by=caseworker
    )
    categories = list(Category.objects.filter(is_active=True))
    regions = list(Region.objects.filter(code__in=["510129", "510129001", "510129002", "510104", "510100"]))
    now = timezone.now()
    needs = Need.objects.bulk_create(
        Need(
            agency=county_agency,
            beneficiary=beneficiary,
            title="老人助餐" if n % 3 else "儿童课后照料",
            summary="需要上门服务。",
            category=rng.choice(categories),
            kind="service",
            urgency=rng.choice(("routine", "urgent", "emergency")),
            response_deadline=now + timedelta(days=10),
            region=rng.choice(regions),
            budget=Decimal(1000),
            duration_days=30,
            qualifications=rng.choice(QUALIFICATIONS),
            scope=rng.choice(("all", "region", "region")),
            state="published",
            prepared_by=caseworker,
            approved_by=approver,
            # Some share a publication time: the ties fall back to the need id.
            published_at=now - timedelta(hours=n // 2),
        )
        for n in range(80)
    )
    loaded = Need.objects.select_related("category", "region", "agency").prefetch_related("invitations")
    get_backend().rebuild(document_for(n) for n in loaded)
    # Track record: closed cases in one category for the first organisation below.
    return needs


def member(org):
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.ORG_MEMBER, organisation=org)
    return user


def organisations(county_agency, caseworker, approver):
    township = OrganisationFactory(capacity=3, social_workers=2)
    township.service_regions.set(Region.objects.filter(code__in=["510129001", "510100"]))
    township.service_categories.set(Category.objects.filter(code__in=["elderly_care", "medical"]))
    full = OrganisationFactory(capacity=0, social_workers=0)
    full.service_regions.set(Region.objects.filter(code="510129"))
    full.service_categories.set(Category.objects.filter(code="child_care"))
    far = OrganisationFactory(capacity=5, social_workers=0)
    far.service_regions.set(Region.objects.filter(code="510104"))
    done = Need.objects.filter(category__code="elderly_care")[:3]
    Need.objects.filter(pk__in=[n.pk for n in done]).update(state="closed", claimed_by=township)
    SearchDocument.objects.filter(need_id__in=[n.pk for n in done]).delete()
    return [township, full, far]


def test_the_fit_expression_is_fit_for(many_needs, county_agency, caseworker, approver):
    for org in organisations(county_agency, caseworker, approver):
        in_sql = dict(SearchDocument.objects.annotate(f=fit_expression(org)).values_list("need_id", "f"))
        needs = Need.objects.filter(pk__in=in_sql).select_related("category", "region")
        in_python = {pk: fit.score for pk, fit in fit_for(org, needs).items()}
        assert in_sql == in_python


@pytest.mark.parametrize("text", ["", "老人", "儿童 照料"])
def test_sort_by_fit_in_sql_is_the_exhaustive_order(many_needs, county_agency, caseworker, approver, text):
    for org in organisations(county_agency, caseworker, approver):
        audience = audience_for(member(org))
        in_sql = fit_function(org)

        def exhaustive(ids, in_sql=in_sql):  # the same scores without the expression: every match in Python
            return in_sql(ids)

        for page in (1, 2, 3):
            request = SearchRequest(text=text, sort="fit", page=page, per_page=9)
            got = get_backend().search(request, audience, fit=in_sql)
            want = get_backend().search(request, audience, fit=exhaustive)
            assert (got.ids, got.total, got.scores) == (want.ids, want.total, want.scores)
            assert got.total > 0
