"""A donor pays on the public page of the demo's co-funded need, in a real browser,
with the Stripe.js stand-in localstripe serves; localstripe's signed webhook then
reaches the live server and the page shows the money raised."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.donations import conftest as donations_conftest
from tests.e2e.helpers import sign_in
from tests.helpers import wait_for

pytestmark = pytest.mark.e2e

# localstripe, started once, and the handle that points the settings and the webhook at it.
localstripe_url = donations_conftest.localstripe_url
stripe_for_browser = donations_conftest.stripe_for_browser


def pay_with_the_test_card(page) -> None:
    """On the payment page: card 4242 4242 4242 4242 into localstripe's stand-in, then pay."""
    element = page.get_by_test_id("payment-element")
    element.locator("input[placeholder=number]").fill("4242424242424242")
    element.locator("input[placeholder=exp_month]").fill("12")
    element.locator("input[placeholder=exp_year]").fill("34")
    element.locator("input[placeholder=cvc]").fill("123")
    element.locator("input[placeholder=postal_code]").fill("611330")
    page.get_by_test_id("pay").click()
    page.wait_for_url("**/done/")


def test_a_donor_pays_on_the_public_page(stripe_for_browser, page, base_url):
    from donations.models import Campaign, DonationEntry, DonationState
    from donations.selectors import figures
    from website.demo_donations import PURPOSE

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
    pay_with_the_test_card(page)

    wait_for(
        lambda: DonationEntry.objects.filter(campaign=campaign, kind="received", amount_minor=8880).exists(),
        what="the signed success event from localstripe",
    )
    assert campaign.donations.get(email="donor@example.test").state == DonationState.SUCCEEDED
    page.reload()
    assert page.get_by_test_id("donation-status").get_attribute("data-state") == "succeeded"
    page.get_by_test_id("back-to-campaign").click()
    raised = figures(campaign).raised  # the demo's history, and these 88.80
    assert f"{raised // 100:,}.{raised % 100:02d}" in page.get_by_test_id("raised").inner_text()
    assert "热心市民" in page.get_by_test_id("donors").inner_text()


# --- The demo as `make run` serves it -------------------------------------------------------

ROOT = Path(__file__).resolve().parents[2]
# Stands for runserver and the sweeps: prints the STRIPE_* variables it was given, then
# lives until its input closes.
CHILD = (
    "import json, os, sys; "
    "print(json.dumps({k: v for k, v in os.environ.items() if k.startswith('STRIPE_')}), flush=True); "
    "sys.stdin.read()"
)


@pytest.fixture
def make_run_stripe(live_server, settings, tmp_path):
    """`make run`'s own wrapper, ``manage.py stripe_standin``, with a child that reports
    the variables runserver would get; the live server's settings take them, the CSP as
    config/settings.py derives it. Its own var/ folder, so the developer's demo stand-in
    never sees the test's payments."""
    from config import env

    proc = subprocess.Popen(
        [sys.executable, "manage.py", "stripe_standin", "--site", live_server.url, "--", sys.executable, "-c", CHILD],
        cwd=ROOT,
        env=env.with_overrides({"SAFETYNET_VAR_DIR": str(tmp_path), "DJANGO_ENV": "development"}),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    banner = proc.stdout.readline()
    assert "4242 4242 4242 4242" in banner, banner
    given = json.loads(proc.stdout.readline())
    for name, value in given.items():
        setattr(settings, name, value)
    csp = {k: list(v) for k, v in settings.SECURE_CSP.items()}
    for directive, sources in env.stripe_csp_sources(given["STRIPE_JS_URL"]).items():
        csp[directive] = [s for s in csp[directive] if "stripe.com" not in s] + sources
    settings.SECURE_CSP = csp
    yield given
    proc.stdin.close()
    assert proc.wait(timeout=20) == 0


def test_the_demo_gives_and_refunds_through_make_runs_stand_in(make_run_stripe, page, base_url):
    from donations.models import Campaign, DonationEntry
    from donations.selectors import figures
    from transparency.models import FigureRow
    from website.demo_donations import PURPOSE

    api = make_run_stripe["STRIPE_API_BASE"]
    assert api.startswith("http://127.0.0.1:") and make_run_stripe["STRIPE_WEBHOOK_SECRET"].startswith("whsec_")
    campaign = Campaign.objects.get(purpose=PURPOSE)
    before = figures(campaign).raised
    assert before > 0  # the seeded history

    def shown(minor: int) -> str:
        return f"{minor // 100:,}.{minor % 100:02d}"

    def donated_on_transparency(minor: int) -> bool:
        return FigureRow.objects.filter(metric="money_donated", dimension="total", value=minor // 100).exists()

    page.goto(f"{base_url}/donations/{campaign.pk}/")
    assert page.get_by_test_id("campaign-state").is_visible()
    assert page.get_by_test_id("donations-disabled").count() == 0
    page.fill("#id_amount", "100")
    page.fill("#id_donor_name", "演示捐赠人")
    page.fill("#id_email", "giver@example.test")
    page.get_by_test_id("donate").click()
    page.wait_for_url("**/donations/pay/**")
    stripe_js = page.evaluate("() => document.querySelector('script[src*=\"js.stripe.com\"]').src")
    assert stripe_js.startswith(api)  # localstripe's Stripe.js stand-in, allowed by the CSP
    pay_with_the_test_card(page)
    wait_for(
        lambda: DonationEntry.objects.filter(campaign=campaign, kind="received", amount_minor=10_000).exists(),
        what="localstripe's signed webhook, registered by stripe_standin",
    )
    page.reload()
    assert page.get_by_test_id("donation-status").get_attribute("data-state") == "succeeded"
    page.get_by_test_id("back-to-campaign").click()
    assert shown(before + 10_000) in page.get_by_test_id("raised").inner_text()
    page.goto(f"{base_url}/directory/{campaign.organisation.pk}/")
    assert shown(before + 10_000) in page.get_by_test_id("organisation-raised").inner_text()
    wait_for(lambda: donated_on_transparency(before + 10_000), what="the snapshot refreshed after the receipt")

    # The approver refunds it from the agency's side; the figures follow.
    sign_in(page, base_url, "approver@safetynet.test")
    page.goto(f"{base_url}/donations/{campaign.pk}/manage/")
    row = page.get_by_test_id("donation-row").filter(has_text="演示捐赠人")
    row.get_by_test_id("refund").click()
    wait_for(
        lambda: DonationEntry.objects.filter(campaign=campaign, kind="refunded", amount_minor=10_000).exists(),
        what="the refund made on the stand-in",
    )
    page.goto(f"{base_url}/donations/{campaign.pk}/")
    assert shown(before) in page.get_by_test_id("raised").inner_text()
    wait_for(lambda: donated_on_transparency(before), what="the snapshot refreshed after the refund")
