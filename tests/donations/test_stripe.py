"""Against localstripe: payments, refunds and signed webhook deliveries are real HTTP
round trips to the live server."""

from __future__ import annotations

import json
import time

import pytest
from django.core import mail

from donations import services
from donations.models import (
    Campaign,
    Donation,
    DonationEntry,
    DonationState,
    EntryKind,
    Refund,
    RefundReason,
    StripeEvent,
)
from donations.selectors import figures
from tests.contracts.helpers import draft, sign
from tests.helpers import run_in_threads, wait_for

# Webhook round trips through the live server: PostgreSQL (see stripe_live).
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """The flush after a transactional test empties the regions and categories."""
    from website.demo import ensure_reference_data

    ensure_reference_data()


def give(campaign, amount: int, *, name: str = "", email: str = "donor@example.test") -> Donation:
    return services.donation_start(
        campaign=campaign, amount_minor=amount, donor_name=name, email=email, language="zh-hans"
    )


def pay(stripe_live, donation: Donation, number: str = "4242424242424242") -> str:
    return services.donation_confirm(donation=donation, payment_method=stripe_live.card(number))


def journal(donation=None, **filters):
    qs = DonationEntry.objects.filter(**filters)
    if donation is not None:
        qs = qs.filter(donation=donation)
    return list(qs.order_by("pk").values_list("kind", "amount_minor", "ref"))


def stored(event_id: str) -> int:
    """How many times an event is stored (a late delivery of another test's payment may
    land in this test's database: counts are per event)."""
    return StripeEvent.objects.filter(event_id=event_id).count()


def events_of(donation) -> list[StripeEvent]:
    return [e for e in StripeEvent.objects.all() if e.payload["data"]["object"].get("id") == donation.payment_intent]


def received(donation) -> bool:
    """Received, and every event about it processed to the end (on SQLite the live server
    shares the test's connection, so an entry is visible before its transaction ends)."""
    events = events_of(donation)
    return (
        DonationEntry.objects.filter(kind=EntryKind.RECEIVED, donation=donation).exists()
        and bool(events)
        and all(e.processed_at for e in events)
    )


def test_a_donation_end_to_end(stripe_live, campaign):
    donation = give(campaign, 5000, name="王先生")
    assert donation.state == DonationState.PENDING and donation.payment_intent.startswith("pi_")
    intent = stripe_live.client.v1.payment_intents.retrieve(donation.payment_intent)
    assert intent["amount"] == 5000 and intent["currency"] == "cny"
    assert pay(stripe_live, donation) == "succeeded"
    # localstripe delivers payment_intent.succeeded to the live server on its own.
    wait_for(lambda: received(donation), what="the signed success event")
    donation.refresh_from_db()
    assert donation.state == DonationState.SUCCEEDED
    assert journal(donation) == [("received", 5000, donation.payment_intent)]
    assert figures(campaign).raised == 5000
    (event,) = events_of(donation)
    assert event.type == "payment_intent.succeeded" and event.processed_at is not None
    receipt = wait_for(lambda: [m for m in mail.outbox if m.to == ["donor@example.test"]], what="the receipt")[0]
    assert ("50.00 CNY" in receipt.body or "50.00 元" in receipt.body) and campaign.need.reference in receipt.body
    assert campaign.organisation.legal_name in receipt.body
    assert "——" in receipt.body  # both languages, one after the other


def test_a_declined_card_records_no_money(stripe_live, campaign):
    from donations.exceptions import PaymentDeclined

    donation = give(campaign, 5000)
    with pytest.raises(PaymentDeclined):
        pay(stripe_live, donation, "4000000000000341")
    wait_for(lambda: Donation.objects.get(pk=donation.pk).state == DonationState.FAILED, what="payment_failed event")
    assert not DonationEntry.objects.exists()
    assert [e.type for e in events_of(donation)] == ["payment_intent.payment_failed"]


def _succeeded_event(stripe_live, campaign, amount=5000) -> tuple[Donation, dict]:
    """A paid donation whose success event the test delivers itself."""
    stripe_live.register(events=[])
    donation = give(campaign, amount)
    pay(stripe_live, donation)
    (event,) = wait_for(lambda: stripe_live.events("payment_intent.succeeded", donation.payment_intent), what="event")
    return donation, event


def test_a_bad_signature_is_refused_and_nothing_written(stripe_live, campaign):
    donation, event = _succeeded_event(stripe_live, campaign)
    status, _ = stripe_live.deliver(event, secret="whsec_someone_else")
    assert status == 400
    status, _ = stripe_live.deliver(event, signature="t=1,v1=deadbeef")
    assert status == 400
    status, _ = stripe_live.deliver({**event, "id": "evt_forged"}, signature="")
    assert status == 400
    assert not stored(event["id"]) and not stored("evt_forged") and not DonationEntry.objects.exists()
    assert Donation.objects.get(pk=donation.pk).state == DonationState.PENDING


def test_a_timestamp_older_than_the_tolerance_is_refused(stripe_live, campaign):
    _donation, event = _succeeded_event(stripe_live, campaign)
    status, _ = stripe_live.deliver(event, timestamp=int(time.time()) - 301)
    assert status == 400
    assert not stored(event["id"]) and not DonationEntry.objects.exists()
    status, _ = stripe_live.deliver(event, timestamp=int(time.time()) - 200)
    assert status == 200


def test_one_event_delivered_ten_times_in_a_row_changes_the_journal_once(stripe_live, campaign):
    donation, event = _succeeded_event(stripe_live, campaign)
    answers = [stripe_live.deliver(event) for _ in range(10)]
    assert all(status == 200 for status, _ in answers)
    assert [json.loads(body)["duplicate"] for _, body in answers] == [False] + [True] * 9
    assert journal(donation) == [("received", 5000, donation.payment_intent)]
    assert stored(event["id"]) == 1
    assert len([m for m in mail.outbox if m.to == ["donor@example.test"]]) == 1


@pytest.mark.postgres  # concurrent deliveries: row locks
def test_one_event_delivered_ten_times_at_once_changes_the_journal_once(stripe_live, campaign):
    donation, event = _succeeded_event(stripe_live, campaign)
    statuses = []
    errors = run_in_threads(10, lambda i: statuses.append(stripe_live.deliver(event)[0]))
    assert not errors
    assert sorted(statuses) == [200] * 10
    assert journal(donation) == [("received", 5000, donation.payment_intent)]
    assert stored(event["id"]) == 1


@pytest.mark.postgres  # concurrent deliveries: row locks
def test_success_and_refund_events_at_once_still_end_right(stripe_live, campaign):
    donation, event = _succeeded_event(stripe_live, campaign)
    stripe_live.client.v1.refunds.create(params={"payment_intent": donation.payment_intent, "amount": 2000})
    refunded = stripe_live.charge_refunded_event(donation.payment_intent, event_id="evt_refund_race")
    events = [event, refunded] * 5
    errors = run_in_threads(10, lambda i: stripe_live.deliver(events[i]))
    assert not errors
    assert sorted(k for k, _, _ in journal(donation)) == ["received", "refunded"]
    assert figures(campaign).raised == 3000


def test_a_refund_event_before_the_success_event_still_ends_right(stripe_live, campaign):
    donation, succeeded = _succeeded_event(stripe_live, campaign)
    # Refunded on Stripe's side (the dashboard), and that news arrives first.
    refund = stripe_live.client.v1.refunds.create(params={"payment_intent": donation.payment_intent, "amount": 2000})
    refunded = stripe_live.charge_refunded_event(donation.payment_intent, event_id="evt_refund_first")
    assert stripe_live.deliver(refunded)[0] == 200
    assert stripe_live.deliver(succeeded)[0] == 200
    assert stripe_live.deliver(refunded)[0] == 200  # and once more, late
    assert sorted(journal(donation)) == [
        ("received", 5000, donation.payment_intent),
        ("refunded", 2000, refund["id"]),
    ]
    donation.refresh_from_db()
    assert donation.state == DonationState.PARTLY_REFUNDED
    f = figures(campaign)
    assert (f.received, f.refunded, f.raised) == (5000, 2000, 3000)
    assert Refund.objects.get().reason == RefundReason.EXTERNAL


def test_the_success_event_then_the_refund_event_is_the_same_journal(stripe_live, campaign):
    donation, succeeded = _succeeded_event(stripe_live, campaign)
    assert stripe_live.deliver(succeeded)[0] == 200
    refund = stripe_live.client.v1.refunds.create(params={"payment_intent": donation.payment_intent})
    refunded = stripe_live.charge_refunded_event(donation.payment_intent, event_id="evt_refund_second")
    assert stripe_live.deliver(refunded)[0] == 200
    assert journal(donation) == [
        ("received", 5000, donation.payment_intent),
        ("refunded", 5000, refund["id"]),
    ]
    assert Donation.objects.get(pk=donation.pk).state == DonationState.REFUNDED


def test_money_after_the_target_is_refunded_with_an_email(stripe_live, campaign):
    Campaign.objects.filter(pk=campaign.pk).update(target_minor=6000)
    campaign.refresh_from_db()
    first, second = give(campaign, 5000), give(campaign, 4000, email="late@example.test")  # both started in time
    pay(stripe_live, first)
    pay(stripe_live, second)
    wait_for(lambda: received(first) and received(second), what="both success events")
    refund = wait_for(lambda: Refund.objects.filter(stripe_id__isnull=False).first(), what="the surplus refund")
    late = refund.donation
    # Whichever arrived second is the one refunded, for what went beyond the target.
    assert refund.reason == RefundReason.SURPLUS and refund.amount_minor == 3000
    assert journal(late)[-1] == ("refunded", refund.amount_minor, refund.stripe_id)
    assert figures(campaign).raised == 6000
    from notifications.models import Notification

    assert Notification.objects.filter(event="cofunding_target_reached").count() == 0  # overshot: refund, not news
    on_stripe = stripe_live.client.v1.refunds.list(params={"payment_intent": late.payment_intent})
    assert [r["amount"] for r in on_stripe.auto_paging_iter()] == [refund.amount_minor]
    emails = wait_for(
        lambda: [m for m in mail.outbox if m.to == [late.email] and "refund" in m.subject.lower()],
        what="the refund email",
    )
    assert campaign.need.reference in emails[0].body


def test_the_need_closing_refunds_what_was_not_used(stripe_live, campaign, approver, charity_admin, caseworker):
    from contracts import services as contract_services
    from needs.models import NeedState

    donations = [give(campaign, 3000), give(campaign, 2000, email="second@example.test")]
    for d in donations:
        pay(stripe_live, d)
    wait_for(lambda: all(received(d) for d in donations), what="the success events")
    contract = sign(draft(campaign.need, caseworker), approver, charity_admin)
    # The contract in force takes the donations (nothing paid yet, so nothing used).
    assert figures(campaign).allocated == 5000 and figures(campaign).used == 0
    contract_services.contract_terminate(contract=contract, by=approver, reason="服务对象已迁出本县")
    campaign.refresh_from_db()
    assert campaign.need.state == NeedState.CLOSED and campaign.state == "closed"
    wait_for(lambda: Refund.objects.filter(stripe_id__isnull=False).count() == 2, what="the refunds")
    f = figures(campaign)
    assert (f.received, f.refunded, f.allocated, f.used) == (5000, 5000, 0, 0)
    kinds = [k for k, _, _ in journal(None, campaign=campaign)]
    assert kinds.count("allocated") == 1 and kinds.count("released") == 1 and kinds.count("refunded") == 2
    assert {r.reason for r in Refund.objects.all()} == {RefundReason.CLOSED}
    assert all(Donation.objects.get(pk=d.pk).state == DonationState.REFUNDED for d in donations)
    # Closing again changes nothing.
    assert services.campaign_close(campaign=campaign, reason="closed") == 0
    assert Refund.objects.count() == 2


def test_reconciliation_finds_a_planted_difference(stripe_live, campaign):
    from io import StringIO

    from django.core.management import call_command
    from django.utils import timezone

    donation = give(campaign, 5000)
    pay(stripe_live, donation)
    wait_for(lambda: received(donation), what="the success event")
    today = timezone.localdate().isoformat()
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    out = StringIO()
    call_command("stripe_reconcile", "--since", today, "--until", tomorrow, stdout=out)
    assert "no difference" in out.getvalue()
    # Planted: a payment Stripe took that the journal does not know, and a refund made in
    # Stripe's dashboard whose news never came.
    stray = stripe_live.client.v1.payment_intents.create(
        params={"amount": 700, "currency": "cny", "payment_method": stripe_live.card(), "confirm": True}
    )
    refund = stripe_live.client.v1.refunds.create(params={"payment_intent": donation.payment_intent, "amount": 1500})
    out = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("stripe_reconcile", "--since", today, "--until", tomorrow, stdout=out)
    assert exit_.value.code == 1
    report = out.getvalue()
    assert f"{stray['id']}: paid on Stripe (700) but no donation in the journal" in report
    assert f"refund {refund['id']} (1500) on Stripe, not in the journal" in report
    assert "2 difference(s)" in report


def test_reaching_the_target_exactly_tells_the_approver(stripe_live, campaign, approver):
    from notifications.models import Notification

    Campaign.objects.filter(pk=campaign.pk).update(target_minor=5000)
    donation = give(campaign, 5000)
    pay(stripe_live, donation)
    wait_for(lambda: received(donation), what="the success event")
    wait_for(
        lambda: Notification.objects.filter(user=approver, event="cofunding_target_reached").exists(),
        what="the notification",
    )
    assert Notification.objects.filter(user=approver, event="cofunding_target_reached").count() == 1
    assert not Refund.objects.exists()


def test_refunds_on_closure_and_used_money_on_any_database(stripe_live, campaign, approver, finance, second_finance):
    """The same closure, on PostgreSQL too: the contract is written directly (its drafting
    service cannot run there yet) and an authorised payment makes part of the money used."""
    from datetime import date
    from decimal import Decimal

    from contracts.models import Contract, ContractState, Milestone, Payment, PaymentState
    from needs import services as need_services

    need = campaign.need
    donations = [give(campaign, 3000), give(campaign, 2000, email="second@example.test")]
    for d in donations:
        pay(stripe_live, d)
    wait_for(lambda: all(received(d) for d in donations), what="the success events")
    contract = Contract.objects.create(
        agency=need.agency,
        organisation=need.claimed_by,
        need=need,
        source="claim",
        year=2026,
        sequence=99,
        number="GM2026-TEST-0099",
        state=ContractState.ACTIVE,
        prepared_by=approver,
        price=Decimal("3600.00"),
    )
    need_services.need_transition(need=need, action="contract", by=None, contract=contract)
    wait_for(lambda: figures(campaign).allocated == 5000, what="the allocation to the contract")
    milestone = Milestone.objects.create(contract=contract, accepted_amount=Decimal("12.00"))
    Payment.objects.create(
        contract=contract,
        milestone=milestone,
        agency=need.agency,
        amount=Decimal("12.00"),
        paid_on=date(2026, 3, 1),
        reference="T-1",
        state=PaymentState.AUTHORISED,
        recorded_by=finance,
        authorised_by=second_finance,
        authorised_at=contract.created_at,
    )
    assert figures(campaign).used == 1200
    need_services.need_transition(need=need, action="close", by=None, reason="合同终止", contract=contract)
    wait_for(lambda: Refund.objects.filter(stripe_id__isnull=False).count() == 2, what="the refunds")
    f = figures(campaign)
    assert (f.received, f.refunded, f.allocated, f.used) == (5000, 3800, 1200, 1200)
    # Newest first, by when the money arrived: the two success events may come in either
    # order, so the donation that succeeded last goes back whole, the other in part.
    first, last = sorted(
        Donation.objects.filter(pk__in=[d.pk for d in donations]), key=lambda d: (d.succeeded_at, d.pk)
    )
    refunds = {r.donation_id: r.amount_minor for r in Refund.objects.all()}
    assert refunds[last.pk] == last.amount_minor
    assert refunds[first.pk] == 3800 - last.amount_minor
    assert Campaign.objects.get(pk=campaign.pk).state == "closed"
