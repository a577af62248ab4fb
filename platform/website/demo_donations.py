"""The demo's co-funded need: recorded, published and taken on by 大邑县仁爱慈善会
(which holds the public-fundraising qualification) through the services, then opened
for co-funding by the approver, with a few past donations and one refund. Idempotent;
called at the end of ``website.demo.seed_demo``.

The past donations go the way a donor's do, through Stripe: ``donation_start`` creates
the PaymentIntent, ``donation_confirm`` pays it with the test card, and the signed
``payment_intent.succeeded`` event goes through ``event_store`` and ``event_process``
as the webhook view hands it on; the approver's refund is ``donation_refund`` and
``refund_issue``. "Stripe" is the demo's stand-in (localstripe): the one ``make run``
started, or, when none runs (``make seed``, the tests), one started for the seeding and
stopped after, keeping its objects where ``make run``'s will find them. So the journal,
the public figures and ``stripe_reconcile`` agree from the first start, and nothing
writes a journal entry any other way. With real Stripe keys set the history is left
out: the demo never writes to a real Stripe account.
"""

from __future__ import annotations

import json
import logging
from contextlib import contextmanager
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from donations.models import StripeEvent

from accounts.models import User
from agencies.models import Agency
from donations import gateway, services, standin
from donations.models import Campaign
from donations.services import campaign_open
from needs import services as need_services
from needs.models import Need, NeedState
from organisations.models import Organisation
from website.demo_needs import record_demo_need

logger = logging.getLogger(__name__)

TITLE = "独居老人冬季助餐与取暖"
PURPOSE = "为一位高龄独居老人购买冬季助餐服务和取暖用品"
TARGET_MINOR = 300_000  # 3,000 yuan
# Past donations (name shown, email for the receipt, fen); the second asked for her money back.
HISTORY = [
    ("热心市民", "donor.one@example.test", 50_000),
    ("王女士", "donor.two@example.test", 20_000),
    ("", "donor.three@example.test", 100_000),
    ("大邑县志愿者", "donor.four@example.test", 8_800),
]
REFUNDED = "donor.two@example.test"


def seed_cofunding() -> None:
    _open_campaign()
    seed_donations()


def _open_campaign() -> None:
    agency = Agency.objects.filter(name="大邑县民政局").first()
    charity = Organisation.objects.filter(legal_name="大邑县仁爱慈善会", public_fundraising=True).first()
    if agency is None or charity is None or Campaign.objects.filter(need__agency=agency, need__title=TITLE).exists():
        return
    caseworker = User.objects.get(email="caseworker@safetynet.test")
    approver = User.objects.get(email="approver@safetynet.test")
    worker = User.objects.get(email="social.worker@safetynet.test")
    need = Need.objects.filter(agency=agency, title=TITLE).first()
    if need is None:
        need = record_demo_need(
            agency,
            caseworker,
            card={
                "title": TITLE,
                "summary": "高龄独居老人，冬季需要每日助餐和取暖用品，为期两个月。",
                "category": "elderly_care",
                "kind": "both",
                "urgency": "routine",
                "region": "510129001",
                "budget": "3000.00",
                "duration_days": 60,
            },
            person=("示例己", "51012919420202008"),
            flags={"elderly_alone": True},
        )
        need_services.need_transition(need=need, action="approve", by=approver)
        need = need_services.need_transition(need=need, action="publish", by=approver)
    if need.state == NeedState.PUBLISHED:
        need = need_services.need_transition(need=need, action="claim", by=worker, organisation=charity)
    campaign_open(need=need, by=approver, target_minor=TARGET_MINOR, purpose=PURPOSE)


def seed_donations() -> None:
    """The demo campaign's past donations and one refund, recorded once."""
    from django.conf import settings

    campaign = Campaign.objects.filter(purpose=PURPOSE).first()
    if campaign is None or campaign.donations.exists():
        return
    if settings.STRIPE_SECRET_KEY and not standin.is_standin(settings):
        logger.info("demo donations left out: real Stripe keys are set")
        return
    try:
        with _stripe() as webhook_secret:
            given = {email: _give(campaign, name, email, amount, webhook_secret) for name, email, amount in HISTORY}
            _refund(given[REFUNDED], by=User.objects.get(email="approver@safetynet.test"))
    except standin.StandInError as exc:
        logger.warning("demo donations left out: %s", exc)


@contextmanager
def _stripe():
    """The running stand-in, or one for the seeding. Yields the webhook secret."""
    from django.conf import settings
    from django.test import override_settings

    if standin.is_standin(settings):
        yield settings.STRIPE_WEBHOOK_SECRET
        return
    running = standin.start(state=settings.STRIPE_STANDIN_STATE)
    try:
        with override_settings(**running.environment()):
            yield running.webhook_secret
    finally:
        running.stop()


def _give(campaign, name: str, email: str, amount: int, webhook_secret: str):

    donation = services.donation_start(
        campaign=campaign, amount_minor=amount, donor_name=name, email=email, language="zh-hans"
    )
    card = gateway.client().v1.payment_methods.create(
        params={"type": "card", "card": {"number": standin.TEST_CARD, "exp_month": 12, "exp_year": 2034, "cvc": "123"}}
    )
    services.donation_confirm(donation=donation, payment_method=card["id"])
    # The event Stripe sends, signed and handed on as the webhook view does (the server
    # that localstripe posts it to is not up yet; a later copy is stored once, ignored).
    for event in gateway.client().v1.events.list(params={"type": "payment_intent.succeeded"}).auto_paging_iter():
        data = event.to_dict()
        if data["data"]["object"].get("id") == donation.payment_intent:
            payload = json.dumps(data).encode()
            stored, _new = services.event_store(payload=payload, signature=standin.sign(payload, webhook_secret))
            services.event_process(cast("StripeEvent", stored).pk)  # a new, signed event
    donation.refresh_from_db()
    return donation


def _refund(donation, *, by) -> None:

    refund = services.donation_refund(donation=donation, by=by)
    # Asked of Stripe now rather than after the seeding's transaction commits, so the
    # snapshot that follows counts it; the task queued for the commit then finds it done.
    services.refund_issue(refund.pk)
