"""localstripe for the Stripe tests: started once per session on 127.0.0.1, the stripe
library pointed at it, and the webhook endpoint registered with a secret against the
live server, so that payments, refunds and signed deliveries are real HTTP round trips.

localstripe sends no refund events; ``deliver`` signs and posts any event (one fetched
from localstripe, or one built from its objects) exactly as Stripe would.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal

import pytest

from tests.contracts import conftest as contracts_conftest

# The claimed need and the contract's people, as the contracts tests have them.
claimed_need = contracts_conftest.claimed_need
finance = contracts_conftest.finance
second_finance = contracts_conftest.second_finance
second_approver = contracts_conftest.second_approver
signed = contracts_conftest.signed

SECRET_KEY = "sk_test_safetynet_localstripe"
PUBLISHABLE_KEY = "pk_test_safetynet_localstripe"
WEBHOOK_SECRET = "whsec_safetynet_localstripe"
HOOK_ID = "safetynet"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http(method: str, url: str, *, body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.fixture(scope="session")
def localstripe_url():
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            if http("GET", url + "/js.stripe.com/v3/")[0] == 200:
                break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("localstripe did not start")
        time.sleep(0.1)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


class Stripe:
    """The test's handle on localstripe and the webhook."""

    def __init__(self, url: str, live_url: str):
        self.url = url
        self.hook = live_url + "/payments/stripe/webhook/"

    def register(self, *, events: list[str] | None = None) -> None:
        """Point localstripe's webhook at the live server; ``events`` filters what it
        sends on its own (``[]``: nothing, the test delivers by hand)."""
        body = {"url": self.hook, "secret": WEBHOOK_SECRET}
        if events is not None:
            body["events"] = events or ["nothing.at_all"]
        status, _ = http(
            "POST",
            f"{self.url}/_config/webhooks/{HOOK_ID}",
            body=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
        )
        assert status == 200

    def flush(self) -> None:
        http("DELETE", self.url + "/_config/data")

    @property
    def client(self):
        from donations import gateway

        return gateway.client()

    def card(self, number: str = "4242424242424242") -> str:
        pm = self.client.v1.payment_methods.create(
            params={"type": "card", "card": {"number": number, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
        )
        return pm["id"]

    def events(self, type_: str, payment_intent: str) -> list[dict]:
        page = self.client.v1.events.list(params={"type": type_})
        found = []
        for event in page.auto_paging_iter():
            data = event.to_dict()
            if data["data"]["object"].get("id") == payment_intent:
                found.append(data)
        return found

    def charge_refunded_event(self, payment_intent: str, *, event_id: str) -> dict:
        intent = self.client.v1.payment_intents.retrieve(payment_intent).to_dict()
        charge = intent["latest_charge"]
        charge_id = charge["id"] if isinstance(charge, dict) else charge
        charge = self.client.v1.charges.retrieve(charge_id).to_dict()
        return {
            "id": event_id,
            "object": "event",
            "type": "charge.refunded",
            "created": int(time.time()),
            "data": {"object": charge},
        }

    @staticmethod
    def sign(payload: bytes, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET) -> str:
        timestamp = int(time.time()) if timestamp is None else timestamp
        digest = hmac.new(secret.encode(), b"%d.%s" % (timestamp, payload), hashlib.sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    def deliver(self, event: dict, *, timestamp: int | None = None, secret: str = WEBHOOK_SECRET, signature=None):
        payload = json.dumps(event).encode()
        header = signature if signature is not None else self.sign(payload, timestamp=timestamp, secret=secret)
        return http(
            "POST", self.hook, body=payload, headers={"Content-Type": "application/json", "Stripe-Signature": header}
        )


@pytest.fixture
def stripe_live(localstripe_url, live_server, settings):
    """For tests marked ``postgres``. The live server and the test share one in-memory
    SQLite connection (Django's documented limitation); localstripe's deliveries arrive
    while the test reads, and the two threads then break each other's savepoints. These
    round trips run on PostgreSQL (the suite's second run in CI); the browser test pays
    on SQLite."""
    from django.db import connection

    assert connection.vendor == "postgresql", "a test of webhook round trips is marked postgres"
    yield from _stripe_live(localstripe_url, live_server, settings)


@pytest.fixture
def stripe_for_browser(localstripe_url, live_server, settings):
    """The same, for the browser test: one payment, the test waiting on the page."""
    yield from _stripe_live(localstripe_url, live_server, settings)


def _stripe_live(localstripe_url, live_server, settings):
    settings.STRIPE_SECRET_KEY = SECRET_KEY
    settings.STRIPE_PUBLISHABLE_KEY = PUBLISHABLE_KEY
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_JS_URL = localstripe_url + "/js.stripe.com/v3/"
    csp = {k: list(v) for k, v in settings.SECURE_CSP.items()}
    for directive in ("script-src", "connect-src", "frame-src"):
        csp[directive].append(localstripe_url + "/")
    settings.SECURE_CSP = csp
    handle = Stripe(localstripe_url, live_server.url)
    handle.flush()
    handle.register()
    yield handle
    handle.register(events=[])


# --- A co-funded need ---------------------------------------------------------------------


@pytest.fixture
def fundraising_org(vetted_org):
    vetted_org.public_fundraising = True
    vetted_org.save()
    return vetted_org


@pytest.fixture
def campaign(fundraising_org, claimed_need, approver):
    from donations import services

    return services.campaign_open(
        need=claimed_need, by=approver, target_minor=100_000, purpose="为独居老人购买助餐服务与护理用品"
    )


def yuan(minor: int) -> Decimal:
    return Decimal(minor) / 100
