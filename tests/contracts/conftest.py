"""A claimed need and the people a contract involves: the agency's preparer
(caseworker), two approvers (one signs, the other accepts), two finance officers
(one records, the other authorises) and the charity's administrator and member."""

from __future__ import annotations

import pytest

from accounts.models import Role
from categories.models import Category
from needs import services as need_services
from regions.models import Region
from tests.contracts.helpers import draft, sign, staff
from tests.needs.helpers import publish


@pytest.fixture
def second_approver(county_agency):
    return staff(county_agency, Role.AGENCY_APPROVER, "approver2@example.test")


@pytest.fixture
def finance(county_agency):
    return staff(county_agency, Role.AGENCY_FINANCE, "finance@example.test")


@pytest.fixture
def second_finance(county_agency):
    return staff(county_agency, Role.AGENCY_FINANCE, "finance2@example.test")


@pytest.fixture
def claimed_need(county_agency, caseworker, approver, vetted_org, charity_admin, charity_member):
    vetted_org.capacity = 5
    vetted_org.save()
    vetted_org.service_regions.set([Region.objects.get(code="510129")])
    vetted_org.service_categories.set(Category.objects.filter(code="elderly_care"))
    need = publish(county_agency, caseworker, approver)
    return need_services.need_transition(need=need, action="claim", by=charity_member, organisation=vetted_org)


@pytest.fixture
def signed(claimed_need, caseworker, approver, charity_admin):
    return sign(draft(claimed_need, caseworker), approver, charity_admin)
