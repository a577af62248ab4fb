"""allauth's per-address login limits count the address core.ratelimit and the audit log
see: behind the TLS proxy (TRUST_PROXY_HEADERS) the address the proxy appended, without
it the connection's own address whatever X-Forwarded-For a client sends."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

PROXY = "10.0.0.2"
FAILED_LOGINS_PER_ADDRESS = 10  # ACCOUNT_RATE_LIMITS["login_failed"]: 10/m/ip


def _login(client: Client, email: str, password: str, **meta) -> bool:
    """Post the login form as a person would; whether it signed them in."""
    client.post(reverse("account_login"), {"login": email, "password": password}, **meta)
    return "_auth_user_id" in client.session


def _fail_from(count: int, **meta) -> None:
    client = Client()
    for n in range(count):
        assert not _login(client, f"nobody{n}@example.test", "wrong-password-1", **meta)


@pytest.fixture
def proxied(settings):
    settings.TRUST_PROXY_HEADERS = True


def test_two_clients_behind_the_proxy_are_limited_separately(proxied, charity_member):
    _fail_from(FAILED_LOGINS_PER_ADDRESS + 2, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.5")

    assert _login(Client(), charity_member.email, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")


def test_the_client_behind_the_proxy_that_fails_is_limited(proxied, charity_member):
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    _fail_from(FAILED_LOGINS_PER_ADDRESS, **meta)

    # The proxy appends the address it saw; what the client put before it does not count.
    forged = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "192.0.2.1, 203.0.113.5"}
    assert not _login(Client(), charity_member.email, PASSWORD, **forged)


def test_a_forged_forwarded_for_is_not_trusted_without_the_setting(settings, charity_member):
    settings.TRUST_PROXY_HEADERS = False
    client = Client()
    for n in range(FAILED_LOGINS_PER_ADDRESS):
        forged = {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        assert not _login(client, f"nobody{n}@example.test", "wrong-password-1", **forged)

    fresh = {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "198.51.100.99"}
    assert not _login(Client(), charity_member.email, PASSWORD, **fresh)
    assert _login(Client(), charity_member.email, PASSWORD, REMOTE_ADDR="198.51.100.7")
