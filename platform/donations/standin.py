"""A local stand-in for Stripe, for the demo: localstripe, started by ``make run`` (through
``manage.py stripe_standin``) when no STRIPE_SECRET_KEY is set outside production. The
browser test starts it through the same ``start``.

localstripe's own start-up binds every interface and keeps its objects in one file under
/tmp shared by every checkout on the machine; here it listens on 127.0.0.1 only and keeps
them beside the database (``STRIPE_STANDIN_STATE``), so the demo's past payments are still
"on Stripe" after a restart and the reconciliation report agrees with the journal.

localstripe covers PaymentIntents, refunds and signed webhooks, and serves a Stripe.js
stand-in at ``/js.stripe.com/v3/`` that the payment page loads instead of Stripe's.

Run as ``python -m donations.standin --state PATH`` (from ``platform/``) it is the server
itself: it prints its port on the first line of its output, then serves.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import pickle
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

PLATFORM_DIR = Path(__file__).resolve().parent.parent
# Fixed test-mode keys: localstripe accepts any sk_… key, and seeing these says "stand-in".
SECRET_KEY = "sk_test_safetynet_standin"
PUBLISHABLE_KEY = "pk_test_safetynet_standin"
WEBHOOK_PATH = "/payments/stripe/webhook/"
HOOK_ID = "safetynet"
TEST_CARD = "4242424242424242"


class StandInError(RuntimeError):
    """localstripe did not start or did not answer."""


def _http(method: str, url: str, *, body: dict | None = None) -> int:
    # Only ever http://127.0.0.1:<port> of the stand-in this module started.
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@dataclass
class StandIn:
    url: str
    webhook_secret: str
    process: subprocess.Popen | None = None

    @property
    def js_url(self) -> str:
        return self.url + "/js.stripe.com/v3/"

    def environment(self) -> dict[str, str]:
        """The variables that point the settings at the stand-in (config/env.py reads them)."""
        return {
            "STRIPE_SECRET_KEY": SECRET_KEY,
            "STRIPE_PUBLISHABLE_KEY": PUBLISHABLE_KEY,
            "STRIPE_WEBHOOK_SECRET": self.webhook_secret,
            "STRIPE_API_BASE": self.url,
            "STRIPE_JS_URL": self.js_url,
        }

    def register_webhook(self, site_url: str) -> None:
        """localstripe signs every event with the secret and posts it to the site's webhook."""
        status = _http(
            "POST",
            f"{self.url}/_config/webhooks/{HOOK_ID}",
            body={"url": site_url.rstrip("/") + WEBHOOK_PATH, "secret": self.webhook_secret},
        )
        if status != 200:
            raise StandInError(f"localstripe refused the webhook ({status})")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def wanted(settings) -> bool:
    """A stand-in only outside production, and only where no real keys are set."""
    return not settings.PRODUCTION and not settings.STRIPE_SECRET_KEY


def is_standin(settings) -> bool:
    """The Stripe client points at a stand-in on this machine (ours, or the tests')."""
    return bool(settings.STRIPE_SECRET_KEY) and settings.STRIPE_API_BASE.startswith("http://127.0.0.1:")


def start(*, state: Path | None, site_url: str | None = None, timeout: float = 20.0) -> StandIn:
    """Start localstripe on a free loopback port; register the webhook when ``site_url``
    is given. ``state``: where its objects are kept (None: in memory only)."""
    process = subprocess.Popen(  # noqa: S603 (this interpreter, this module)
        [sys.executable, "-m", "donations.standin", "--state", str(state or "")],
        cwd=PLATFORM_DIR,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = process.stdout.readline().strip() if process.stdout else ""
    if not line.isdigit():
        process.kill()
        raise StandInError("localstripe did not start (is the dev dependency installed? make install)")
    standin = StandIn(url=f"http://127.0.0.1:{line}", webhook_secret="whsec_" + secrets.token_hex(24), process=process)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if _http("GET", standin.js_url) == 200:
                break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            standin.stop()
            raise StandInError("localstripe did not answer")
        time.sleep(0.05)
    if site_url:
        standin.register_webhook(site_url)
    return standin


def sign(payload: bytes, secret: str, *, timestamp: int | None = None) -> str:
    """The Stripe-Signature header Stripe (and localstripe) put on a webhook call."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), b"%d.%s" % (timestamp, payload), hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


# --- The server process ------------------------------------------------------------------


def serve(*, state: str) -> None:
    from aiohttp import web
    from localstripe import resources, server

    path = Path(state) if state else None

    def load(store) -> None:
        if path and path.exists():
            with path.open("rb") as f:
                store.clear()
                store.update(pickle.load(f))  # noqa: S301 (our own file under var/, written below)

    def dump(store) -> None:
        if path:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(".partial")
            with partial.open("wb") as f:
                pickle.dump(dict(store), f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(partial, path)

    resources.Store.try_load_from_disk = load
    resources.Store.dump_to_disk = dump
    resources.store.try_load_from_disk()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    print(sock.getsockname()[1], flush=True)
    web.run_app(server.app, sock=sock, print=None, access_log=None)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="localstripe on a loopback port, its objects kept in --state")
    parser.add_argument("--state", default="")
    serve(state=parser.parse_args().state)
