"""What the browser tests do the way a person would: compute a TOTP code, sign in, read the nav."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time
from urllib.parse import urlsplit

from website.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET

LOGIN_PATH = "/accounts/login/"
MFA_AUTHENTICATE_PATH = "/accounts/2fa/authenticate/"
MFA_ACTIVATE_PATH = "/accounts/2fa/totp/activate/"
MFA_INDEX_PATH = "/accounts/2fa/"
DASHBOARD_PATH = "/dashboard/"
REAUTHENTICATE_PATH = "/accounts/reauthenticate/"
NEED_PAGE = re.compile(r"/needs/(\d+)/$")

# Demo accounts (website/demo_people.py) the tests of several pages sign in as.
CASEWORKER = "caseworker@safetynet.test"
APPROVER = "approver@safetynet.test"
SOCIAL_WORKER = "social.worker@safetynet.test"

# The browser: a desktop and a phone, and how long an action may take.
DESKTOP = {"width": 1280, "height": 800}
MOBILE = {"width": 375, "height": 812}
TIMEOUT_MS = 10_000

# --- TOTP (RFC 6238 over RFC 4226, SHA-1, 6 digits, 30-second step) ----------------

TOTP_STEP = 30


def hotp(secret: str, counter: int, digits: int = 6) -> str:
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8), casefold=True)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"


def totp(secret: str, at: float | None = None) -> str:
    return hotp(secret, int((time.time() if at is None else at) // TOTP_STEP))


# The live server accepts the code of the window either side of the current one
# (MFA_TOTP_TOLERANCE = 1, tests/e2e/conftest.py) and never the same code twice from one
# account. A code typed as its window ends is still good then, and an account signing in
# again types the next window's code rather than waiting for that window to come.

# The TOTP window of the code each account last signed in with (by email), since the
# live server last forgot the codes it has seen.
_signed_in_window: dict[str, int] = {}


def forget_sign_ins() -> None:
    """The live server's cache was cleared: every account may use the current code again."""
    _signed_in_window.clear()


def unused_window(email: str) -> int:
    """The window of a code the server accepts now and has not had from this account."""
    now = int(time.time() // TOTP_STEP)
    window = max(now, _signed_in_window.get(email.lower(), now - 1) + 1)
    assert window <= now + 1, f"{email} signs in a third time within one TOTP window"
    return window


# --- Helpers a test uses the way a person would ---------------------------------------


def path_of(page) -> str:
    return urlsplit(page.url).path


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def nav_keys(page) -> list[str]:
    return page.locator("[data-testid=main-nav] [data-nav]").evaluate_all("els => els.map(e => e.dataset.nav)")


def redirect_chain(response) -> list[str]:
    """The paths a navigation went through, first request first, ending with the page shown."""
    paths = []
    request = response.request
    while request is not None:
        paths.append(urlsplit(request.url).path)
        request = request.redirected_from
    return paths[::-1]


def confirm_password(page, password: str) -> None:
    """allauth's "confirm it's you" page (reauthentication)."""
    field = page.locator("form:has(input[name=password]) input[name=password]")
    field.fill(password)
    field.press("Enter")
    page.wait_for_url(lambda url: REAUTHENTICATE_PATH not in url)


def sign_in_with_password(page, base_url: str, email: str, password: str) -> None:
    page.goto(base_url + LOGIN_PATH)
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("input[name=password]").press("Enter")
    page.wait_for_url(lambda url: LOGIN_PATH not in url)


def enter_totp(page, secret: str, window: int | None = None) -> None:
    """Type the code of ``window`` (by default the current one) and send it."""
    code = totp(secret) if window is None else hotp(secret, window)
    form = page.locator("form:has(input[name=code])")
    form.locator("input[name=code]").fill(code)
    form.locator("input[name=code]").press("Enter")


def sign_in(page, base_url: str, email: str, password: str | None = None, secret: str | None = None) -> None:
    """Password, then the authenticator code; ends on the dashboard."""
    sign_in_with_password(page, base_url, email, password or DEMO_PASSWORD)
    assert path_of(page) == MFA_AUTHENTICATE_PATH, f"expected the MFA step, got {page.url}"
    window = unused_window(email)
    enter_totp(page, secret or DEMO_TOTP_SECRET, window)
    _signed_in_window[email.lower()] = window
    page.wait_for_url(re.compile(r"/dashboard/$"))


def sign_out(page) -> None:
    """The header's sign-out button; ends on the home page."""
    with page.expect_navigation():
        page.locator("[data-nav=logout]").click()


def confirm_password_if_asked(page, password: str) -> None:
    """A sensitive action may first ask for the password again (allauth's
    reauthentication); the suspended request resumes once it is given."""
    if path_of(page) == REAUTHENTICATE_PATH:
        confirm_password(page, password)


def resident_id(body: str) -> str:
    """A 居民身份证号码 from its first 17 digits, with the check character computed.

    ``stdnum.cn.ric.calc_check_digit`` expects the whole number (it ignores the last
    character), so the body gets a placeholder before the check character is computed.
    """
    from stdnum.cn import ric

    return body + ric.calc_check_digit(body + "0")


def new_page(browser, viewport):
    """A page in a browser context of its own (its own cookies: a second person), in Chinese."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    return context, context.new_page()


# --- A need's page ---------------------------------------------------------------------


def state_of(page) -> str:
    """The need state the page shows, from the badge's class (state-<value>)."""
    badge = page.get_by_test_id("need-state")
    return next(c.removeprefix("state-") for c in badge.get_attribute("class").split() if c.startswith("state-"))


def open_needs(page) -> None:
    with page.expect_navigation():
        page.locator("[data-nav=needs]").click()
    assert path_of(page) == "/needs/", page.url


def open_need(page, title: str) -> None:
    with page.expect_navigation():
        page.get_by_test_id("needs").get_by_role("link", name=title).click()
    assert NEED_PAGE.search(path_of(page)), page.url


def act(page, action: str) -> None:
    """Press one of the need's "next steps" buttons; ends on the need's page again."""
    with page.expect_navigation():
        page.locator(f"button[data-action={action}]").click()
    confirm_password_if_asked(page, DEMO_PASSWORD)
    assert NEED_PAGE.search(path_of(page)), page.url
