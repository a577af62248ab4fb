"""Each demo role sees the navigation its roles give it (accounts.policy.navigation_for), and nothing more."""

from __future__ import annotations

import pytest

from tests.e2e.helpers import html_lang, nav_keys, sign_in

pytestmark = pytest.mark.e2e

# Every key navigation_for can give; the account links (profile, security, logout) are for everyone.
ROLE_KEYS = {
    "dashboard",
    "my_agency",
    "my_organisation",
    "vetting",
    "organisations",
    "agencies",
    "audit",
    "reports",
    "cms",
    "admin",
}
ACCOUNT_KEYS = {"profile", "security", "logout"}

AGENCY_STAFF = {"dashboard", "my_agency", "organisations"}
ORGANISATION_MEMBER = {"dashboard", "my_organisation"}

CASES = [
    ("caseworker@safetynet.test", AGENCY_STAFF),
    ("approver@safetynet.test", AGENCY_STAFF),
    ("finance@safetynet.test", AGENCY_STAFF),
    ("charity.admin@safetynet.test", ORGANISATION_MEMBER),
    ("social.worker@safetynet.test", ORGANISATION_MEMBER),
    ("pending.admin@safetynet.test", ORGANISATION_MEMBER),
    ("vetting@safetynet.test", {"dashboard", "vetting"}),
    ("auditor@safetynet.test", {"dashboard", "organisations", "agencies", "audit", "reports"}),
    ("editor@safetynet.test", {"dashboard", "cms"}),
    ("admin@safetynet.test", {"dashboard", "organisations", "agencies", "audit", "cms", "admin"}),
]


@pytest.mark.parametrize(
    ("email", "present", "absent"),
    [(email, present, ROLE_KEYS - present) for email, present in CASES],
    ids=[email.split("@")[0] for email, _ in CASES],
)
def test_each_role_sees_only_its_navigation(page, base_url, email, present, absent):
    sign_in(page, base_url, email)

    keys = nav_keys(page)
    assert present | ACCOUNT_KEYS <= set(keys), f"missing: {sorted(present | ACCOUNT_KEYS - set(keys))}"
    assert not absent & set(keys), f"should not see: {sorted(absent & set(keys))}"
    assert "login" not in keys
    assert html_lang(page) == "zh-Hans"
