"""A donor pays on the public page of the demo's co-funded need, in a real browser,
with the Stripe.js stand-in localstripe serves; localstripe's signed webhook then
reaches the live server and the page shows the money raised."""

from __future__ import annotations

import pytest

from tests.donations import conftest as donations_conftest
from tests.donations.conftest import wait_for

pytestmark = pytest.mark.e2e

# localstripe, started once, and the handle that points the settings and the webhook at it.
localstripe_url = donations_conftest.localstripe_url
stripe_for_browser = donations_conftest.stripe_for_browser


def test_a_donor_pays_on_the_public_page(stripe_for_browser, page, base_url):
    from donations.demo import PURPOSE
    from donations.models import Campaign, DonationEntry, DonationState

    campaign = Campaign.objects.get(purpose=PURPOSE)
    page.goto(f"{base_url}/donations/{campaign.pk}/")
    assert page.get_by_test_id("purpose").inner_text() == PURPOSE
    html = page.content()
    assert "示例己" not in html and "晋原" not in html  # nobody's name, nothing finer than the county

    page.fill("#id_amount", "0.5")
    page.fill("#id_email", "donor@example.test")
    page.get_by_test_id("donate").click()
    assert page.locator(".error").first.is_visible()  # below the minimum: nothing recorded

    page.fill("#id_amount", "88.80")
    page.fill("#id_donor_name", "热心市民")
    page.fill("#id_email", "donor@example.test")
    page.get_by_test_id("donate").click()
    page.wait_for_url("**/donations/pay/**")
    element = page.get_by_test_id("payment-element")
    element.locator("input[placeholder=number]").fill("4242424242424242")
    element.locator("input[placeholder=exp_month]").fill("12")
    element.locator("input[placeholder=exp_year]").fill("34")
    element.locator("input[placeholder=cvc]").fill("123")
    element.locator("input[placeholder=postal_code]").fill("611330")
    page.get_by_test_id("pay").click()
    page.wait_for_url("**/done/")

    wait_for(
        lambda: DonationEntry.objects.filter(campaign=campaign, kind="received", amount_minor=8880).exists(),
        what="the signed success event from localstripe",
    )
    assert campaign.donations.get().state == DonationState.SUCCEEDED
    page.reload()
    assert page.get_by_test_id("donation-status").get_attribute("data-state") == "succeeded"
    page.get_by_test_id("back-to-campaign").click()
    assert "88.80" in page.get_by_test_id("raised").inner_text()
    assert "热心市民" in page.get_by_test_id("donors").inner_text()
