"""The demo's co-funding: the page says plainly when donations are off, once; staff
refund from their side; the past donations are recorded once."""

from __future__ import annotations

from django.urls import reverse

from website.demo_donations import HISTORY, PURPOSE, REFUNDED


def test_without_keys_the_page_says_donations_are_off_once(client, campaign, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = ""
    body = client.get(reverse("donations:campaign", args=[campaign.pk])).content.decode()
    assert body.count("Donations are not enabled here.") + body.count("本站未开通捐赠功能") == 1
    assert "Taking donations" not in body and "正在接受捐赠" not in body
    assert 'data-testid="donation-form"' not in body
    listing = client.get(reverse("donations:list")).content.decode()
    assert "Taking donations" not in listing and "正在接受捐赠" not in listing


def test_with_keys_the_page_takes_donations_and_does_not_say_they_are_off(client, campaign, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
    body = client.get(reverse("donations:campaign", args=[campaign.pk])).content.decode()
    assert 'data-testid="donation-form"' in body and 'data-testid="donations-disabled"' not in body


def test_only_the_need_agencys_approver_manages_its_donations(client, campaign, approver, caseworker, outsider):
    url = reverse("donations:manage", args=[campaign.pk])
    assert client.get(url).status_code == 302  # to the login
    client.force_login(outsider)
    assert client.get(url).status_code == 404
    client.force_login(caseworker)
    assert client.get(url).status_code == 403
    client.force_login(approver)
    assert client.get(url).status_code == 200


def test_the_demo_history_is_recorded_once_through_a_stand_in(db):
    from django.core.management import call_command

    from donations.models import Campaign, DonationEntry, StripeEvent
    from donations.selectors import figures

    call_command("seed_demo")
    campaign = Campaign.objects.get(purpose=PURPOSE)
    f = figures(campaign)
    assert f.received == sum(amount for _n, _e, amount in HISTORY)
    assert f.refunded == next(amount for _n, email, amount in HISTORY if email == REFUNDED)
    # Receipts came as signed events through the webhook's services, not written by hand.
    assert StripeEvent.objects.filter(type="payment_intent.succeeded").count() == len(HISTORY)
    entries = DonationEntry.objects.count()
    call_command("seed_demo")
    assert DonationEntry.objects.count() == entries
