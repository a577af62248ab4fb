"""Without Stripe: which needs take donations, who opens them, bad amounts, and the page
without keys. Nothing here reaches a payment service."""

from __future__ import annotations

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from donations import services
from donations.exceptions import InvalidAmount, NotAllowed, NotEligible
from donations.models import Campaign, Donation, DonationEntry, StripeEvent
from needs.models import NeedState
from tests.needs.helpers import publish

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "minor"), [("1", 100), ("50", 5000), ("50.5", 5050), ("50.05", 5005), ("50000", 5_000_000)]
)
def test_amounts_in_yuan_become_minor_units(text, minor):
    assert services.parse_major(text) == minor


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "number"),
        ("", "number"),
        ("NaN", "number"),
        ("-5", "negative"),
        ("0.001", "fen"),
        ("10.555", "fen"),
        ("0.99", "smallest"),
        ("0", "smallest"),
        ("50000.01", "largest"),
    ],
)
def test_bad_amounts_are_refused_clearly(text, message):
    from django.utils import translation

    with translation.override("en"), pytest.raises(InvalidAmount) as exc:
        services.parse_major(text)
    assert message in str(exc.value.message)


@pytest.mark.parametrize("minor", ["abc", "-100", "100.5", 100.5, 99, 5_000_001, True])
def test_bad_minor_units_are_refused(minor):
    with pytest.raises(InvalidAmount):
        services.check_minor(minor)


def test_the_maximum_is_a_setting(settings):
    settings.DONATION_MAX_MINOR = 10_000
    assert services.check_minor(10_000) == 10_000
    with pytest.raises(InvalidAmount):
        services.check_minor(10_001)


def test_an_approver_opens_a_claimed_need_of_a_fundraising_organisation(campaign, claimed_need):
    assert campaign.need == claimed_need and campaign.organisation == claimed_need.claimed_by
    assert campaign.currency == "cny" and campaign.target_minor == 100_000
    assert AuditEntry.objects.filter(action="donations.campaign_open").exists()


def test_an_organisation_without_the_qualification_may_not_raise_money(claimed_need, approver):
    with pytest.raises(NotEligible):
        services.campaign_open(need=claimed_need, by=approver, target_minor=10_000, purpose="助餐")
    assert not Campaign.objects.exists()


def test_a_caseworker_may_not_open_co_funding(fundraising_org, claimed_need, caseworker):
    with pytest.raises(NotAllowed):
        services.campaign_open(need=claimed_need, by=caseworker, target_minor=10_000, purpose="助餐")


def test_the_purpose_may_not_name_the_beneficiary(fundraising_org, claimed_need, approver):
    name = claimed_need.beneficiary.name
    with pytest.raises(NotEligible):
        services.campaign_open(need=claimed_need, by=approver, target_minor=10_000, purpose=f"为{name}购买护理用品")
    with pytest.raises(NotEligible):
        services.campaign_open(need=claimed_need, by=approver, target_minor=10_000, purpose="联系 13800138000")
    assert not Campaign.objects.exists()


def test_a_need_not_yet_taken_on_cannot_be_co_funded(fundraising_org, county_agency, caseworker, approver):
    need = publish(county_agency, caseworker, approver)
    assert need.state == NeedState.PUBLISHED
    with pytest.raises(NotEligible):
        services.campaign_open(need=need, by=approver, target_minor=10_000, purpose="助餐")


# --- The agency's action: roles ------------------------------------------------------------


def test_the_approver_opens_co_funding_through_the_page(fundraising_org, claimed_need, approver, client_for):
    client = client_for(approver)
    url = reverse("donations:open", args=[claimed_need.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"target": "1000", "purpose": "为独居老人购买助餐服务"})
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/donations/{campaign.pk}/")
    assert campaign.target_minor == 100_000


@pytest.mark.parametrize(
    ("persona", "status"),
    [("caseworker", 403), ("other_caseworker", 404), ("charity_admin", 404), ("outsider", 404)],
)
def test_the_wrong_role_or_another_agency_is_refused(
    request, fundraising_org, claimed_need, client_for, persona, status
):
    client = client_for(request.getfixturevalue(persona))
    url = reverse("donations:open", args=[claimed_need.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"target": "1000", "purpose": "助餐"}).status_code == status
    assert not Campaign.objects.exists()


def test_anonymous_visitors_are_sent_to_sign_in(claimed_need, client):
    response = client.get(reverse("donations:open", args=[claimed_need.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


# --- The public page -------------------------------------------------------------------------


def test_without_keys_the_page_shows_the_campaign_but_no_form(campaign, client, settings):
    settings.STRIPE_SECRET_KEY = settings.STRIPE_PUBLISHABLE_KEY = None
    response = client.get(reverse("donations:campaign", args=[campaign.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="donations-disabled"' in html and 'data-testid="donation-form"' not in html
    assert campaign.purpose in html and campaign.organisation.legal_name in html
    response = client.post(
        reverse("donations:campaign", args=[campaign.pk]), {"amount": "50", "email": "donor@example.test"}
    )
    assert response.status_code == 403
    assert not Donation.objects.exists()


def test_the_public_page_never_shows_the_beneficiary(campaign, client, settings):
    need = campaign.need
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
    html = client.get(reverse("donations:campaign", args=[campaign.pk])).content.decode()
    person = need.beneficiary
    for secret in (person.name, person.id_number, person.phone, person.address, need.summary, need.title):
        if secret:
            assert secret not in html
    assert need.region.full_name not in html or need.region.level != "township"
    assert "大邑县" in html


@pytest.mark.parametrize("amount", ["abc", "-100", "0.001", "0.5", "50000.01", ""])
def test_bad_amounts_on_the_page_record_nothing(campaign, client, settings, amount):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # never reached
    response = client.post(
        reverse("donations:campaign", args=[campaign.pk]), {"amount": amount, "email": "donor@example.test"}
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert not Donation.objects.exists() and not DonationEntry.objects.exists()


def test_a_need_closed_meanwhile_takes_nothing(campaign, client, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    services.campaign_close(campaign=campaign, reason="closed")
    response = client.post(
        reverse("donations:campaign", args=[campaign.pk]), {"amount": "50", "email": "donor@example.test"}
    )
    assert response.status_code == 409
    assert not Donation.objects.exists()


def test_a_webhook_without_a_valid_signature_writes_nothing(client, settings):
    settings.STRIPE_WEBHOOK_SECRET = "whsec_x"
    url = "/payments/stripe/webhook/"
    assert client.post(url, b"{}", content_type="application/json").status_code == 400
    response = client.post(
        url, b'{"id": "evt_1"}', content_type="application/json", headers={"Stripe-Signature": "t=1,v1=forged"}
    )
    assert response.status_code == 400
    assert not StripeEvent.objects.exists()


def test_the_list_shows_the_figures(campaign, client):
    response = client.get(reverse("donations:list"))
    assert response.status_code == 200 and campaign.purpose in response.content.decode()


def test_the_need_page_offers_co_funding_to_the_approver_only(
    fundraising_org, claimed_need, approver, caseworker, client_for
):
    url = reverse("needs:detail", args=[claimed_need.pk])
    assert 'data-testid="open-cofunding-link"' in client_for(approver).get(url).content.decode()
    assert 'data-testid="open-cofunding-link"' not in client_for(caseworker).get(url).content.decode()


@pytest.mark.postgres  # the append-only trigger
def test_the_journal_is_append_only_on_postgresql(campaign):
    from django.db import DatabaseError, transaction

    from donations.models import Donation as D

    donation = D.objects.create(
        campaign=campaign, amount_minor=500, currency="cny", email="a@example.test", idempotency_key="k-1"
    )
    entry = DonationEntry.objects.create(
        campaign=campaign, donation=donation, kind="received", amount_minor=500, ref="pi_test"
    )
    for change in (lambda: DonationEntry.objects.filter(pk=entry.pk).update(amount_minor=1), entry.delete):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()


def test_more_than_is_still_needed_is_refused_before_any_payment(campaign, client, settings):
    settings.STRIPE_SECRET_KEY, settings.STRIPE_PUBLISHABLE_KEY = "sk_test_x", "pk_test_x"
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"
    response = client.post(
        reverse("donations:campaign", args=[campaign.pk]), {"amount": "1000.01", "email": "donor@example.test"}
    )
    assert response.status_code == 409 and "1,000.00 元" in response.content.decode()  # a Chinese page
    assert not Donation.objects.exists()


def test_amounts_say_yuan_in_the_pages_language():
    """Issue 20, item 6: donation amounts said "CNY" on Chinese pages, where every other
    amount says 元."""
    from django.utils import translation

    from donations.selectors import format_minor

    with translation.override("zh-hans"):
        assert format_minor(300000, "cny") == "3,000.00 元"
    with translation.override("en"):
        assert format_minor(300000, "cny") == "3,000.00 CNY"
    assert format_minor(-150, "usd") == "-1.50 USD"
