"""Shared fixtures: the personas every permission test speaks of.

One agency tree (county bureau with a township office below it, and an unrelated
county elsewhere), a vetted charity and an unvetted one, and one person per role.
Each is a fixture of its own; ``world`` holds them all, with the steps most tests
begin with (a need published at the county bureau, taken on by the vetted charity).
"""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership, Role
from organisations.models import VettingState
from tests.factories import PASSWORD, AgencyFactory, OrganisationFactory, UserFactory, region
from tests.world import World


def _flushes_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server", "django_db_reset_sequences"} & set(fixtures)
    )


def pytest_collection_modifyitems(config, items):
    """Tests marked ``postgres`` need PostgreSQL (row locks, triggers, its full-text
    search), those marked ``elasticsearch`` a live node: without them they are skipped,
    saying what would run them."""
    missing = {}
    if connection.vendor != "postgresql":
        missing["postgres"] = f"needs PostgreSQL, the database is {connection.vendor} (set DATABASE_URL)"
    if not django_settings.ELASTICSEARCH_URL:
        missing["elasticsearch"] = "needs a live Elasticsearch node (set ELASTICSEARCH_URL)"
    for item in items:
        for marker, reason in missing.items():
            if item.get_closest_marker(marker):
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """A transactional test ends by flushing the database, reference data included (regions,
    categories, the CMS pages the migrations make). Run alone, pytest-django puts such tests
    last; spread over workers (pytest-xdist) a worker may run other tests after one, so the
    data is made whole again once the flush is done."""
    yield
    # A next test with the demo fixture seeds the demo, reference data first: no need here.
    seeds_itself = nextitem is not None and "demo" in getattr(nextitem, "fixturenames", ())
    if nextitem is not None and not seeds_itself and _flushes_the_database(item):
        from pytest_django.plugin import blocking_manager_key

        from website.demo import ensure_reference_data

        with item.config.stash[blocking_manager_key].unblock():
            ensure_reference_data()


@pytest.fixture(autouse=True)
def _fast_settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend", "QUEUES": []}}
    # The database backend, even with ELASTICSEARCH_URL set for the live search tests: those
    # build their own backend on a throw-away index prefix, nothing else writes to the node.
    settings.SEARCH_BACKEND = "database"
    # Rate-limit counters and used TOTP codes live in the cache: each test starts clean.
    cache.clear()
    # A request leaves its language active in the thread; each test starts in Chinese.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def county_agency(db):
    return AgencyFactory(name="大邑县民政局", region=region("510129"))


@pytest.fixture
def township_agency(county_agency):
    return AgencyFactory(name="晋原街道办事处", region=region("510129001"), parent=county_agency)


@pytest.fixture
def other_agency(db):
    return AgencyFactory(name="锦江区民政局", region=region("510104"))


@pytest.fixture
def vetted_org(db):
    return OrganisationFactory(legal_name="大邑县仁爱慈善会")


@pytest.fixture
def unvetted_org(db):
    return OrganisationFactory(
        legal_name="待审核儿童关爱中心", vetting_state=VettingState.UNDER_REVIEW, approved_until=None
    )


def _person(email: str, *, role: str | None = None, mfa: bool = True, **scope):
    user = UserFactory(email=email, mfa=mfa)
    if role:
        Membership.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def caseworker(county_agency):
    return _person("caseworker@example.test", role=Role.AGENCY_CASEWORKER, agency=county_agency)


@pytest.fixture
def approver(county_agency):
    return _person("approver@example.test", role=Role.AGENCY_APPROVER, agency=county_agency)


@pytest.fixture
def agency_admin(county_agency):
    return _person("agency.admin@example.test", role=Role.AGENCY_ADMIN, agency=county_agency)


@pytest.fixture
def other_caseworker(other_agency):
    return _person("other.caseworker@example.test", role=Role.AGENCY_CASEWORKER, agency=other_agency)


@pytest.fixture
def charity_admin(vetted_org):
    return _person("charity.admin@example.test", role=Role.ORG_ADMIN, organisation=vetted_org)


@pytest.fixture
def charity_member(vetted_org):
    return _person("charity.member@example.test", role=Role.ORG_MEMBER, organisation=vetted_org, mfa=False)


@pytest.fixture
def unvetted_member(unvetted_org):
    return _person("unvetted.member@example.test", role=Role.ORG_MEMBER, organisation=unvetted_org, mfa=False)


@pytest.fixture
def vetting_officer(db):
    return _person("vetting@example.test", role=Role.VETTING_OFFICER)


@pytest.fixture
def auditor(db):
    return _person("auditor@example.test", role=Role.AUDITOR)


@pytest.fixture
def outsider(db):
    return _person("outsider@example.test", mfa=False)


@pytest.fixture
def superuser(db):
    user = _person("root@example.test")
    user.is_superuser = user.is_staff = True
    user.save()
    return user


@pytest.fixture
def world(request) -> World:
    """Every persona and their agency or organisation, each from its own fixture (the
    same rows, made on first use), in one object: what a new test starts from
    (tests/world.py)."""
    return World(request)


@pytest.fixture
def client_for(client):
    """Sign a persona in (session login, MFA already satisfied) and return the client."""

    def login(user, *, reauthenticated: bool = True):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        if reauthenticated:
            # Sensitive actions ask for the password again; answer as the person would.
            response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
            assert response.status_code == 302, "re-authentication failed"
        return client

    return login
