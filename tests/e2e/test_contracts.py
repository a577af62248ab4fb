"""A contract's whole life in a real browser, and an overdue payment escalating.

The demo caseworker of 大邑县民政局 has a need that 大邑县仁爱慈善会 took on. She drafts
its contract from the need's page (the draft comes prefilled: the need's summary, one
milestone of the whole price, two indicators), adds the quantity and the quality
standards and sends it for signature. The charity's administrator signs after giving
her password again; the approver signs for the agency and the contract is in force.

The charity's social worker records the service and an evidence file, and creates a
link and code for the person served, who answers on a 375 px phone without signing in
and sees nothing about themselves. The social worker submits the milestone; the second
approver (who prepared nothing) accepts it; one finance officer records the payment
with its proof and the other authorises it. The approver scores every indicator, the
social worker uploads the final report, and the approver closes the contract: the need
is fulfilled.

Then the payment clock: the demo's contract whose payment is ten days late is escalated
by one sweep, and the approver finds it on the agency's record and in her notifications.
"""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.utils import timezone, translation

from accounts.models import User
from agencies.models import Agency
from categories.models import Category
from contracts.models import Confirmation, Contract, ContractState, Milestone, MilestoneState, PaymentState
from needs import services
from needs.models import Need, NeedState, Scheme, SchemeAnswer, Scope
from notifications.models import Notification
from organisations.models import Organisation
from regions.models import Region
from tests.e2e.helpers import (
    APPROVER,
    CASEWORKER,
    DESKTOP,
    REAUTHENTICATE_PATH,
    SOCIAL_WORKER,
    confirm_password_if_asked,
    new_page,
    open_need,
    open_needs,
    path_of,
    resident_id,
    sign_in,
    state_of,
)
from website.demo import DEMO_PASSWORD, demo_pdf

pytestmark = pytest.mark.e2e

CHARITY_ADMIN = "charity.admin@safetynet.test"
APPROVER2 = "approver2@safetynet.test"
FINANCE = "finance@safetynet.test"
FINANCE2 = "finance2@safetynet.test"

TITLE = "独居老人助餐与陪伴服务"
PERSON_NAME = "石秋月"
ID_NUMBER = resident_id("51012919420303004")
PRICE = Decimal("4800.00")
CONTRACT_PAGE = re.compile(r"/contracts/(\d+)/$")
OVERDUE_TITLE = "化疗期间居家护理服务"  # website.demo: accepted 40 days ago, 30 days to pay


# --- Setting the scene (through the services) -----------------------------------------------


def claimed_need() -> Need:
    """A need of 大邑县民政局, approved, published and taken on by 大邑县仁爱慈善会 (within the
    budget an organisation may take on directly)."""
    agency = Agency.objects.get(name="大邑县民政局")
    caseworker, approver = User.objects.get(email=CASEWORKER), User.objects.get(email=APPROVER)
    need = services.need_create(
        agency=agency,
        by=caseworker,
        data={
            "title": TITLE,
            "summary": "独居高龄老人行动不便，需要三个月的每日送餐和每周两次上门陪伴。",
            "category": Category.objects.get(code="elderly_care"),
            "kind": "service",
            "urgency": "routine",
            "region": Region.objects.get(code="510129001"),
            "budget": PRICE,
            "duration_days": 90,
            "qualifications": "",
            "people_count": 1,
            "scope": Scope.REGION,
        },
        beneficiary={
            "name": PERSON_NAME,
            "id_number": ID_NUMBER,
            "phone": "",
            "address": "",
            "is_minor": False,
            "has_disability": False,
            "elderly_alone": True,
            "severe_illness": False,
        },
        household=[],
    )
    answers = {s.value: (SchemeAnswer.NOT_ELIGIBLE, "") for s in Scheme}
    services.scheme_checks_record(need=need, by=caseworker, answers=answers, gap_reason="service_not_cash", gap_note="")
    services.need_transition(need=need, action="submit", by=caseworker)
    services.need_transition(need=need, action="approve", by=approver)
    services.need_transition(need=need, action="publish", by=approver)
    charity = Organisation.objects.get(legal_name="大邑县仁爱慈善会")
    worker = User.objects.get(email=SOCIAL_WORKER)
    return services.need_transition(need=need, action="claim", by=worker, organisation=charity)


# --- People, each in their own browser ---------------------------------------------------------


@pytest.fixture
def people(browser, base_url):
    """``people(email)``: a signed-in page in a browser context of its own. Everyone stays
    signed in for the whole story (an account signs in once per TOTP window)."""
    contexts, pages = [], {}

    def person(email: str):
        if email not in pages:
            context, page = new_page(browser, DESKTOP)
            contexts.append(context)
            sign_in(page, base_url, email)
            pages[email] = page
        return pages[email]

    yield person
    for context in contexts:
        context.close()


def signed_in_long_ago(page, seconds: int = 600) -> None:
    """Move the session's sign-in back in time, past the re-authentication window, so the
    next sensitive action asks for the password again (as after a coffee break)."""
    key = next(c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME)
    session = SessionStore(session_key=key)
    records = session["account_authentication_methods"]
    for record in records:
        record["at"] -= seconds
    session["account_authentication_methods"] = records
    session.save()


def no_errors(page) -> None:
    errors = page.locator(".message-error, .error")
    assert errors.count() == 0, errors.all_inner_texts()


def press(page, target) -> None:
    """Click a button or link that loads a new page (waiting for the page to settle first:
    the live server's shared in-memory SQLite fails two simultaneous writes)."""
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        target.click()


def open_contract(page, base_url: str, contract: Contract) -> None:
    page.goto(f"{base_url}/contracts/{contract.pk}/")


def contract_state(page) -> str:
    badge = page.get_by_test_id("contract-state")
    return next(c.removeprefix("state-") for c in badge.get_attribute("class").split() if c.startswith("state-"))


def open_milestone(page, base_url: str, contract: Contract) -> None:
    open_contract(page, base_url, contract)
    press(page, page.get_by_test_id("milestone-link").first)
    assert "/milestones/" in path_of(page), page.url


def milestone_state(page) -> str:
    badge = page.get_by_test_id("milestone-state")
    return next(c.removeprefix("state-") for c in badge.get_attribute("class").split() if c.startswith("state-"))


# --- 1. The whole life ------------------------------------------------------------------------


def test_a_claimed_need_is_contracted_delivered_confirmed_paid_evaluated_and_closed(
    people, mobile_page, base_url, tmp_path
):
    need = claimed_need()
    today = timezone.localdate()

    # --- The caseworker drafts the contract from the need's page and sends it ---------------
    caseworker = people(CASEWORKER)
    open_needs(caseworker)
    open_need(caseworker, TITLE)
    assert state_of(caseworker) == NeedState.CLAIMED
    press(caseworker, caseworker.get_by_test_id("draft-contract"))
    form = caseworker.get_by_test_id("contract-form")
    assert form.locator("[name=price]").input_value() in {"4800.00", "4800"}
    assert form.get_by_test_id("milestone-row").first.locator("[name=m-0-amount]").input_value() in {"4800.00", "4800"}
    assert form.locator("[name=m-0-service]").is_checked()
    form.locator("[name=quantity]").fill("每日午餐送餐一次，每周两次上门陪伴，共十二周")
    form.locator("[name=quality_standards]").fill("按《社会工作服务规范》执行，每次服务留存记录，餐食符合食品安全要求")
    form.locator("[name=m-0-deliverables]").fill("送餐与陪伴服务记录、阶段小结")
    press(caseworker, caseworker.get_by_test_id("save-contract"))
    assert CONTRACT_PAGE.search(path_of(caseworker)), caseworker.locator(".has-error").all_inner_texts()
    no_errors(caseworker)
    contract = Contract.objects.get(need=need)
    assert contract_state(caseworker) == ContractState.DRAFT
    assert caseworker.get_by_test_id("terms-problems").count() == 0
    assert PERSON_NAME not in caseworker.content() and ID_NUMBER not in caseworker.content()
    press(caseworker, caseworker.get_by_test_id("send-contract"))
    no_errors(caseworker)
    assert contract_state(caseworker) == ContractState.SIGNING

    # --- The charity's administrator signs, after giving her password again ------------------
    admin = people(CHARITY_ADMIN)
    signed_in_long_ago(admin)
    open_contract(admin, base_url, contract)
    press(admin, admin.get_by_test_id("sign-contract"))
    assert path_of(admin) == REAUTHENTICATE_PATH, admin.url
    confirm_password_if_asked(admin, DEMO_PASSWORD)
    assert path_of(admin) == f"/contracts/{contract.pk}/sign/", admin.url
    assert admin.get_by_test_id("sign-agency").count() == 0
    press(admin, admin.get_by_test_id("sign-organisation"))
    no_errors(admin)
    assert "陈静" in admin.get_by_test_id("org-signature").inner_text()
    assert contract_state(admin) == ContractState.SIGNING

    # --- The approver signs for the agency: the contract is in force -------------------------
    approver = people(APPROVER)
    open_contract(approver, base_url, contract)
    press(approver, approver.get_by_test_id("sign-contract"))
    confirm_password_if_asked(approver, DEMO_PASSWORD)
    press(approver, approver.get_by_test_id("sign-agency"))
    no_errors(approver)
    assert contract_state(approver) == ContractState.ACTIVE
    assert approver.get_by_test_id("pending-version").count() == 0
    need.refresh_from_db()
    assert need.state == NeedState.IN_CONTRACT

    # --- The social worker records the work and asks the person served to confirm it --------
    worker = people(SOCIAL_WORKER)
    open_milestone(worker, base_url, contract)
    assert milestone_state(worker) == MilestoneState.PENDING
    record = worker.get_by_test_id("record-form")
    record.locator("[name=date]").fill(today.isoformat())
    record.locator("[name=hours]").fill("2.5")
    record.locator("[name=worker]").fill("刘洋")
    record.locator("[name=activity]").fill("送餐并上门陪伴聊天")
    press(worker, record.locator("button[type=submit]"))
    no_errors(worker)
    assert "送餐并上门陪伴聊天" in worker.get_by_test_id("service-records").inner_text()
    evidence = tmp_path / "service-log.pdf"
    evidence.write_bytes(demo_pdf("Service log"))
    files = worker.get_by_test_id("file-form")
    files.locator("input[name=file]").set_input_files(str(evidence))
    press(worker, files.locator("button[type=submit]"))
    no_errors(worker)
    assert "service-log.pdf" in worker.get_by_test_id("evidence-files").inner_text()
    press(worker, worker.get_by_test_id("confirmation-form").locator("button[type=submit]"))
    no_errors(worker)
    link = worker.get_by_test_id("confirmation-link").inner_text().strip()
    code = worker.get_by_test_id("confirmation-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code), code
    confirm_path = urlsplit(link).path
    assert re.fullmatch(r"/c/[^/]+/", confirm_path), link

    # --- The person served answers on a phone, without signing in ---------------------------
    phone = mobile_page
    phone.goto(base_url + confirm_path)
    assert phone.get_by_test_id("organisation").inner_text().strip() == "大邑县仁爱慈善会"
    phone.locator("input[name=code]").fill(code)
    phone.locator("input[name=outcome][value=confirmed]").check()
    phone.locator("input[name=rating][value='5']").check()
    press(phone, phone.get_by_test_id("send-answer"))
    assert phone.get_by_test_id("thanks").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    shown = phone.content()
    for private in (PERSON_NAME, ID_NUMBER, ID_NUMBER[-4:]):
        assert private not in shown
    confirmation = Confirmation.objects.get(milestone__contract=contract)
    assert confirmation.outcome == "confirmed" and confirmation.rating == 5

    # --- The social worker submits the milestone ----------------------------------------------
    press(worker, worker.locator("a.button[href*='/milestones/']"))  # the card's "Done"
    assert "5/5" in worker.get_by_test_id("confirmations").inner_text()
    press(worker, worker.get_by_test_id("submit-form").locator("button[type=submit]"))
    no_errors(worker)
    assert milestone_state(worker) == MilestoneState.SUBMITTED

    # --- The second approver accepts it --------------------------------------------------------
    approver2 = people(APPROVER2)
    open_milestone(approver2, base_url, contract)
    press(approver2, approver2.get_by_test_id("accept-form").locator("button[type=submit]"))
    no_errors(approver2)
    assert milestone_state(approver2) == MilestoneState.ACCEPTED
    assert approver2.get_by_test_id("payment-due").inner_text().startswith((today + timedelta(days=30)).isoformat())

    # --- One finance officer records the payment with its proof, the other authorises -------
    finance = people(FINANCE)
    open_milestone(finance, base_url, contract)
    proof = tmp_path / "treasury-voucher.pdf"
    proof.write_bytes(demo_pdf("Treasury voucher"))
    pay = finance.get_by_test_id("payment-form")
    assert pay.locator("[name=amount]").input_value() in {"4800.00", "4800"}
    pay.locator("[name=paid_on]").fill(today.isoformat())
    pay.locator("[name=reference]").fill(f"GK-{contract.number}-01")
    pay.locator("input[name=proof]").set_input_files(str(proof))
    press(finance, pay.locator("button[type=submit]"))
    no_errors(finance)
    assert "treasury-voucher.pdf" in finance.get_by_test_id("payments").inner_text()
    assert finance.get_by_test_id("authorise-form").count() == 0  # not the one who recorded it

    finance2 = people(FINANCE2)
    open_milestone(finance2, base_url, contract)
    press(finance2, finance2.get_by_test_id("authorise-form").locator("button[type=submit]"))
    no_errors(finance2)
    assert finance2.get_by_test_id("authorise-form").count() == 0
    assert contract.payments.get().state == PaymentState.AUTHORISED

    # --- The approver evaluates, the social worker reports, the approver closes -------------
    open_contract(approver, base_url, contract)
    assert contract_state(approver) == ContractState.COMPLETED
    press(approver, approver.get_by_test_id("evaluate-link"))
    assert "5" in approver.get_by_test_id("ratings").inner_text()
    evaluation = approver.get_by_test_id("evaluate-form")
    groups = set(evaluation.locator("input[type=radio][name^=score_]").evaluate_all("els => els.map(e => e.name)"))
    assert len(groups) == 2, groups
    for name in sorted(groups):
        evaluation.locator(f"input[name={name}][value='5']").check()
    evaluation.locator("[name=summary]").fill("送餐与陪伴按计划完成，服务对象评价很好。")
    press(approver, evaluation.locator("button[type=submit]"))
    no_errors(approver)
    assert approver.get_by_test_id("evaluation").is_visible()

    open_contract(worker, base_url, contract)
    press(worker, worker.get_by_test_id("report-link"))
    report = tmp_path / "final-report.pdf"
    report.write_bytes(demo_pdf("Final report"))
    worker.get_by_test_id("report-form").locator("input[name=file]").set_input_files(str(report))
    press(worker, worker.get_by_test_id("report-form").locator("button[type=submit]"))
    no_errors(worker)
    assert CONTRACT_PAGE.search(path_of(worker)), worker.url

    open_contract(approver, base_url, contract)
    assert approver.get_by_test_id("close-problems").count() == 0
    press(approver, approver.get_by_test_id("close-contract"))
    no_errors(approver)
    assert contract_state(approver) == ContractState.CLOSED
    press(approver, approver.get_by_role("link", name=f"{need.reference} {TITLE}"))
    assert state_of(approver) == NeedState.FULFILLED

    contract.refresh_from_db()
    need.refresh_from_db()
    assert contract.state == ContractState.CLOSED and need.state == NeedState.FULFILLED
    assert Milestone.objects.get(contract=contract).paid_amount == PRICE


# --- 2. An overdue payment escalates ------------------------------------------------------------


def test_an_overdue_payment_is_escalated_to_the_agency_record_and_notifications(people, base_url):
    from contracts.services import contracts_clock_run

    contract = Contract.objects.get(need__title=OVERDUE_TITLE)
    milestone = Milestone.objects.get(contract=contract, state=MilestoneState.ACCEPTED)
    assert milestone.payment_due < timezone.localdate() and milestone.payment_escalated_at is None
    approver_user = User.objects.get(email=APPROVER)
    assert not Notification.objects.filter(user=approver_user, event="payment_overdue").exists()

    counts = contracts_clock_run()
    assert counts["payment_overdue"] == 1, counts
    assert contracts_clock_run()["payment_overdue"] == 0  # once only

    approver = people(APPROVER)
    approver.goto(f"{base_url}/agencies/{contract.agency_id}/")
    overdue = approver.get_by_test_id("overdue-payments")
    row = overdue.locator("tr", has=approver.get_by_role("link", name=contract.number))
    cells = row.locator("td").all_inner_texts()
    assert cells[2] == milestone.payment_due.isoformat(), cells
    assert cells[4] == "10", cells
    assert cells[5] == timezone.localdate().isoformat(), cells  # escalated today

    with translation.override("zh-hans"):
        expected = str(Notification.objects.get(user=approver_user, event="payment_overdue"))
    assert contract.number in expected
    approver.goto(f"{base_url}/notifications/")
    item = approver.locator(".notification-list li.unread", has_text=expected)
    assert item.count() == 1, approver.locator(".notification-list").inner_text()
    assert int(approver.get_by_test_id("unread-count").inner_text()) >= 1
