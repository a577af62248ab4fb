"""Signing in, switching language and signing out, as the people who use the platform do."""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator

from accounts.models import Membership, Role
from tests.e2e.helpers import (
    DASHBOARD_PATH,
    MFA_ACTIVATE_PATH,
    MFA_INDEX_PATH,
    REAUTHENTICATE_PATH,
    confirm_password,
    enter_totp,
    html_lang,
    nav_keys,
    path_of,
    redirect_chain,
    sign_in,
    sign_in_with_password,
)
from tests.factories import PASSWORD, OrganisationFactory, UserFactory
from website.demo import USERS

pytestmark = pytest.mark.e2e

SCREENSHOT = "/tmp/e2e-dashboard.png"
CASEWORKER_NAME = next(u.display_name for u in USERS if u.email == "caseworker@safetynet.test")


def test_caseworker_signs_in_switches_language_and_signs_out(page, base_url):
    sign_in(page, base_url, "caseworker@safetynet.test")

    assert path_of(page) == DASHBOARD_PATH
    keys = nav_keys(page)
    assert "my_agency" in keys
    assert not {"my_organisation", "vetting", "audit"} & set(keys)
    assert html_lang(page) == "zh-Hans"
    # The demo display name (王晓梅（经办人）) greets the person: signed in, and CJK text comes through.
    assert CASEWORKER_NAME in page.locator("h1").inner_text()
    page.screenshot(path=SCREENSHOT, full_page=True)

    with page.expect_navigation():
        page.get_by_test_id("switch-language").click()
    assert path_of(page) == "/en" + DASHBOARD_PATH
    assert html_lang(page) == "en"
    assert page.get_by_test_id("switch-language").inner_text().strip() == "简体中文"
    assert "my_agency" in nav_keys(page)

    with page.expect_navigation():
        page.get_by_test_id("switch-language").click()
    assert path_of(page) == DASHBOARD_PATH
    assert html_lang(page) == "zh-Hans"

    with page.expect_navigation():
        page.locator("[data-nav=logout]").click()
    assert path_of(page) == "/"
    keys = nav_keys(page)
    assert "login" in keys
    assert "logout" not in keys and "dashboard" not in keys
    assert html_lang(page) == "zh-Hans"


def test_charity_admin_sees_their_organisation(page, base_url):
    sign_in(page, base_url, "charity.admin@safetynet.test")

    keys = nav_keys(page)
    assert "my_organisation" in keys
    assert "my_agency" not in keys


def test_charity_admin_without_mfa_is_sent_to_set_it_up(page, base_url):
    organisation = OrganisationFactory(legal_name="大邑县新成立慈善会")
    user = UserFactory(email="new.admin@example.test", mfa=False)
    Membership.objects.create(user=user, role=Role.ORG_ADMIN, organisation=organisation)

    sign_in_with_password(page, base_url, user.email, PASSWORD)
    response = page.goto(base_url + DASHBOARD_PATH)
    # RequireMFAMiddleware sends the dashboard request to the TOTP set-up page ...
    assert redirect_chain(response)[:2] == [DASHBOARD_PATH, MFA_ACTIVATE_PATH], redirect_chain(response)
    if path_of(page) == REAUTHENTICATE_PATH:
        # ... where allauth (MFA_REAUTHENTICATION_REQUIRED, on by default) asks for the
        # password once more, although it was typed seconds ago: see the e2e report.
        confirm_password(page, PASSWORD)
    assert path_of(page) == MFA_ACTIVATE_PATH

    # Every other page still sends the person back; the MFA pages stay reachable.
    page.goto(base_url + "/en" + DASHBOARD_PATH)
    assert path_of(page).endswith(MFA_ACTIVATE_PATH)
    response = page.goto(base_url + MFA_INDEX_PATH)
    assert response.status == 200 and path_of(page) == MFA_INDEX_PATH
    page.goto(base_url + MFA_ACTIVATE_PATH)
    assert path_of(page) == MFA_ACTIVATE_PATH

    # The page shows the new secret (next to the QR code); an authenticator app would read it.
    secret = page.locator("#authenticator_secret").input_value().strip()
    assert re.fullmatch(r"[A-Z2-7]{16,}=*", secret), secret
    enter_totp(page, secret)
    page.wait_for_url(lambda url: MFA_ACTIVATE_PATH not in url)

    page.goto(base_url + DASHBOARD_PATH)
    assert path_of(page) == DASHBOARD_PATH
    keys = nav_keys(page)
    assert "my_organisation" in keys
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def test_mobile_dashboard_has_visible_nav_and_no_horizontal_scroll(mobile_page, base_url):
    page = mobile_page
    sign_in(page, base_url, "caseworker@safetynet.test")

    nav = page.get_by_test_id("main-nav")
    assert nav.is_visible()
    for key in ("dashboard", "my_agency", "logout"):
        assert page.locator(f"[data-nav={key}]").is_visible(), key
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= 375 + 1, f"page scrolls sideways: scrollWidth={width}"


def _security_key(page):
    """Chromium's virtual authenticator (DevTools protocol), answering as a USB security
    key with a PIN that the person touches; the DevTools session and its id."""
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "usb",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
        "automaticPresenceSimulation": True,
    }
    return devtools, devtools.send("WebAuthn.addVirtualAuthenticator", {"options": options})["authenticatorId"]


def _add_security_key(page, base_url, email: str, *, passwordless: bool = False) -> None:
    from tests.e2e.helpers import DEMO_PASSWORD, confirm_password_if_asked

    sign_in(page, base_url, email)
    page.goto(base_url + "/accounts/2fa/webauthn/add/")
    confirm_password_if_asked(page, DEMO_PASSWORD)
    page.locator("input[name=name]").fill("办公室的安全密钥")
    if passwordless:
        page.locator("input[name=passwordless]").check()
    with page.expect_navigation():
        page.locator("#mfa_webauthn_add").click()
    assert Authenticator.objects.filter(user__email=email, type=Authenticator.Type.WEBAUTHN).count() == 1


def test_a_caseworker_adds_a_security_key_and_signs_in_with_it(page, base_url):
    """WebAuthn in a real browser, as the second step after the password."""
    from tests.e2e.helpers import DEMO_PASSWORD, MFA_AUTHENTICATE_PATH, sign_out

    devtools, authenticator = _security_key(page)
    email = "caseworker@safetynet.test"
    _add_security_key(page, base_url, email)
    stored = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert len(stored) == 1  # the key holds the credential the site registered

    sign_out(page)
    sign_in_with_password(page, base_url, email, DEMO_PASSWORD)
    assert path_of(page) == MFA_AUTHENTICATE_PATH
    with page.expect_navigation():
        page.locator("#mfa_webauthn_authenticate").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert CASEWORKER_NAME in page.locator("h1").inner_text()
    signed = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert signed[0]["signCount"] > stored[0]["signCount"]  # the key signed the sign-in


def test_a_passkey_signs_in_without_the_password(page, base_url):
    """A key added for passwordless use signs in from the sign-in page alone."""
    from tests.e2e.helpers import LOGIN_PATH, sign_out

    devtools, authenticator = _security_key(page)
    _add_security_key(page, base_url, "caseworker@safetynet.test", passwordless=True)
    stored = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert stored[0]["isResidentCredential"]  # a passkey: the key keeps the account's handle

    sign_out(page)
    page.goto(base_url + LOGIN_PATH)
    with page.expect_navigation():
        page.locator("#passkey_login").click()
    page.wait_for_url(re.compile(r"/dashboard/$"))
    assert CASEWORKER_NAME in page.locator("h1").inner_text()
