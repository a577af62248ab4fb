"""A claimed need and the people a contract involves: the agency's preparer
(caseworker), two approvers (one signs, the other accepts), two finance officers
(one records, the other authorises) and the charity's administrator and member."""

from __future__ import annotations

import pytest

from accounts.models import Role
from tests.contracts.helpers import draft, sign, staff


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
def claimed_need(world):
    return world.claimed_need()


@pytest.fixture
def signed(claimed_need, caseworker, approver, charity_admin):
    return sign(draft(claimed_need, caseworker), approver, charity_admin)
