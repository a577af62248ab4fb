"""Browser tests: Playwright (sync API) driving Debian's chromium against pytest-django's live server.

The live server runs on a transactional database that is flushed after every test. On
SQLite that database is a file in WAL mode (``django_db_modify_db_settings`` below), so
the live server's threads have connections of their own and the test reads while the
server writes. The ``demo`` fixture seeds the demo data set for the first test and puts a
snapshot of it back for every later one (tests/e2e/demo_snapshot.py). Every demo account
signs in with DEMO_PASSWORD and a TOTP code computed here from DEMO_TOTP_SECRET.

Never run ``playwright install``: the browser is /usr/bin/chromium from apt.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.e2e.demo_snapshot import DemoSnapshot
from tests.e2e.helpers import DESKTOP, MOBILE, forget_sign_ins, new_page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(config, items):
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing; install Debian's chromium (apt-get install chromium)")
    for item in items:
        if "e2e" in item.keywords:
            item.add_marker(skip)


# --- Fixtures -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """The browser tests' SQLite database in a file in WAL mode, not Django's shared
    in-memory one: the live server then opens connections of its own instead of sharing
    the test's (whose transactions and savepoints the two threads would interleave, and
    whose reads met the server's writes as "database table is locked"). Each xdist worker
    has its own temporary folder, so its own file."""
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.sqlite3" or database.get("TEST", {}).get("NAME"):
        return
    database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("database") / "e2e.sqlite3")
    database["OPTIONS"] = {
        **database.get("OPTIONS", {}),
        # Readers never wait for the writer; a writer waits for the other (IMMEDIATE takes
        # the write lock at BEGIN, the timeout is how long it waits). Durability is moot.
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; Django would then
    # refuse ORM calls from the test body (seeding, factories) as "async unsafe". Only for
    # the browser tests, so the rest of the suite keeps Django's guard.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(autouse=True)
def _totp_tolerance(settings):
    """The live server accepts the TOTP code of the window either side of the current
    one (allauth's MFA_TOTP_TOLERANCE; the site keeps 0): an account signing in again
    types the next window's code instead of waiting up to 30 seconds for it."""
    settings.MFA_TOTP_TOLERANCE = 1


_SNAPSHOT = DemoSnapshot()


@pytest.fixture
def demo(live_server):
    """The demo data set on the live server's (freshly flushed) database: seeded by the
    first test, restored from its snapshot for the others. E2E_SEED_EVERY_TEST=1 seeds it
    for every test instead."""
    from django.core.cache import cache

    from website.demo import seed_demo

    # The live server shares this process's local-memory cache: forget used TOTP codes
    # and rate-limit counters left by earlier tests.
    cache.clear()
    forget_sign_ins()
    if _SNAPSHOT.taken:
        _SNAPSHOT.restore()
    else:
        seed_demo()
        if DemoSnapshot.supported() and not os.environ.get("E2E_SEED_EVERY_TEST"):
            _SNAPSHOT.take()
    return live_server


@pytest.fixture
def base_url(demo) -> str:
    return demo.url


@pytest.fixture
def page(browser, base_url):
    context, page = new_page(browser, DESKTOP)
    yield page
    context.close()


@pytest.fixture
def mobile_page(browser, base_url):
    context, page = new_page(browser, MOBILE)
    yield page
    context.close()
