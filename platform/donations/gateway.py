"""The only module that talks to Stripe. A client per call, from the settings of the
moment (tests point STRIPE_API_BASE at localstripe)."""

from __future__ import annotations

import stripe
from django.conf import settings


def enabled() -> bool:
    """Donations are taken only when both keys are set."""
    return bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY)


def client() -> stripe.StripeClient:
    base = settings.STRIPE_API_BASE
    return stripe.StripeClient(
        api_key=settings.STRIPE_SECRET_KEY,
        base_addresses={"api": base} if base else {},
        max_network_retries=2,
    )


def as_dict(obj) -> dict:
    return obj.to_dict() if hasattr(obj, "to_dict") else dict(obj)


def create_payment_intent(*, amount: int, currency: str, idempotency_key: str, donation: str) -> dict:
    """Only what the payment needs: amount, currency, and our donation's id."""
    intent = client().v1.payment_intents.create(
        params={"amount": amount, "currency": currency, "metadata": {"donation": donation}},
        options={"idempotency_key": idempotency_key},
    )
    return as_dict(intent)


def attach_and_confirm(*, payment_intent: str, payment_method: str) -> dict:
    """Confirm on the server with a payment method the page created (the flow of a
    Stripe.js without the Payment Element's own confirmPayment, such as localstripe's)."""
    c = client()
    c.v1.payment_intents.update(payment_intent, params={"payment_method": payment_method})
    return as_dict(c.v1.payment_intents.confirm(payment_intent))


def retrieve_payment_intent(payment_intent: str) -> dict:
    return as_dict(client().v1.payment_intents.retrieve(payment_intent))


def create_refund(*, payment_intent: str, amount: int, idempotency_key: str, refund: int) -> dict:
    """``refund`` (our row) rides in the metadata, so a webhook about it finds it."""
    made = client().v1.refunds.create(
        params={"payment_intent": payment_intent, "amount": amount, "metadata": {"refund": str(refund)}},
        options={"idempotency_key": idempotency_key},
    )
    return as_dict(made)


def list_refunds(payment_intent: str) -> list[dict]:
    page = client().v1.refunds.list(params={"payment_intent": payment_intent, "limit": 100})
    return [as_dict(r) for r in page.auto_paging_iter()]


def list_payment_intents(*, since: int, until: int) -> list[dict]:
    """PaymentIntents created in [since, until) (unix seconds). localstripe ignores the
    ``created`` filter on this list, so the range is also applied here."""
    page = client().v1.payment_intents.list(params={"limit": 100})
    return [d for d in (as_dict(pi) for pi in page.auto_paging_iter()) if since <= int(d.get("created") or 0) < until]


def construct_event(payload: bytes, signature: str):
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET, tolerance=300)
