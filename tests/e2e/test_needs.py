"""A need from recording to publication, in a real browser.

The demo caseworker of 大邑县民政局 records a need for a (made-up) person, is stopped by
the statutory-aid check until every scheme is answered, completes it and submits; she
sees the ID number only masked, and in full once after giving a reason. The demo
approver of the same agency approves and publishes it. A social worker of 大邑县仁爱慈善会,
which serves 大邑县, then finds the anonymised card: never the person's name or ID number.
"""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from needs.models import Beneficiary, Need, NeedState, Scheme, SchemeAnswer
from tests.e2e.helpers import (
    APPROVER,
    CASEWORKER,
    NEED_PAGE,
    SOCIAL_WORKER,
    act,
    open_need,
    open_needs,
    path_of,
    resident_id,
    sign_in,
    sign_out,
    state_of,
)

pytestmark = pytest.mark.e2e

TITLE = "高龄老人居家助浴与清洁"
SUMMARY = "八十岁以上老人，腿脚不便，需要每周两次上门助浴和居家清洁，为期三个月。"
PERSON_NAME = "柳青禾"
# Born 1950-01-01, with 大邑县's code from before 1983 (512729).
ID_BODY = "51272919500101002"
ID_NUMBER = resident_id(ID_BODY)
# The same person with the code a 大邑县 resident's card actually carries.
DAYI_ELDER_ID = resident_id("51012919500101002")
REVEAL_REASON = "核对户籍信息，安排上门服务"


def record_need(page, id_number: str = ID_NUMBER) -> int | None:
    """Fill and save the need form; the new need's pk, or None when the form came back."""
    with page.expect_navigation():
        page.get_by_test_id("record-need").click()
    form = page.locator("form:has([data-testid=save-need])")
    form.locator("[name=need-title]").fill(TITLE)
    form.locator("[name=need-summary]").fill(SUMMARY)
    form.locator("select[name=need-category]").select_option(label="养老服务")
    form.locator("select[name=need-kind]").select_option("service")
    form.locator("select[name=need-urgency]").select_option("routine")
    form.locator("input[name=need-region]").fill("晋原街道")
    form.locator("input[name=need-budget]").fill("3600")
    form.locator("input[name=need-duration_days]").fill("90")
    form.locator("input[name=need-people_count]").fill("1")
    form.locator("select[name=need-scope]").select_option("region")  # Organisations serving the region

    form.locator("input[name=person-name]").fill(PERSON_NAME)
    form.locator("input[name=person-id_number]").fill(id_number)
    form.locator("input[name=person-elderly_alone]").check()
    form.locator("input[name=household-0-relation]").fill("配偶")
    form.locator("input[name=household-0-age]").fill("76")
    # Let the region field's suggestions (htmx) finish first: the live server's in-memory
    # SQLite shares one cache between threads, where two requests writing at once (the
    # session's last activity) fail at once instead of waiting their turn.
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.get_by_test_id("save-need").click()
    match = NEED_PAGE.search(path_of(page))
    return int(match.group(1)) if match else None


def fill_statutory_aid_check(page) -> None:
    form = page.locator("form:has([data-testid=save-schemes])")
    for scheme in Scheme:
        answer = SchemeAnswer.INSUFFICIENT if scheme == Scheme.DIBAO else SchemeAnswer.NOT_ELIGIBLE
        form.locator(f"fieldset[data-scheme='{scheme.value}'] input[type=radio][value='{answer}']").check()
    form.locator("select[name=gap_reason]").select_option("service_not_cash")
    with page.expect_navigation():
        page.get_by_test_id("save-schemes").click()


def reveal_id_number(page) -> None:
    form = page.locator("form[action$='/reveal/']")
    form.locator("select[name=field]").select_option("id_number")
    form.locator("input[name=reason]").fill(REVEAL_REASON)
    with page.expect_navigation():
        form.locator("button[type=submit]").click()


def test_a_need_is_recorded_checked_approved_published_and_seen_anonymised(page, base_url):
    assert ric.is_valid(ID_NUMBER) and ric.get_birth_date(ID_NUMBER).year == 1950

    # --- The caseworker --------------------------------------------------------------------
    sign_in(page, base_url, CASEWORKER)
    open_needs(page)
    pk = record_need(page)
    assert pk, f"the need was not recorded: {page.locator('.error').all_inner_texts()}"
    need = Need.objects.get(pk=pk)
    assert need.title == TITLE and need.category.code == "elderly_care" and need.region.code == "510129001"
    assert need.beneficiary.household.count() == 1
    assert state_of(page) == NeedState.DRAFT
    assert page.get_by_test_id("need-state").inner_text().strip() == "草稿"

    # Issue 20, items 12 and 13: a fresh draft shows a neutral checklist, no alarms; the
    # destructive step looks destructive and asks to confirm before it is taken.
    assert page.locator(".message-error").count() == 0
    assert page.get_by_test_id("gap-problems").count() == 0
    assert page.get_by_test_id("gap-todo").locator("li").count() == len(Scheme) + 1
    withdraw = page.locator("button[data-action=withdraw]")
    assert not withdraw.is_visible()  # behind its confirmation
    summary = page.get_by_test_id("confirm-withdraw").locator("summary")
    submit_colour = page.locator("button[data-action=submit]").evaluate("b => getComputedStyle(b).backgroundColor")
    assert summary.evaluate("s => getComputedStyle(s).color") == "rgb(164, 22, 26)"  # --danger
    summary.click()
    assert withdraw.is_visible()
    assert withdraw.evaluate("b => getComputedStyle(b).backgroundColor") not in (submit_colour, "rgb(11, 92, 173)")
    summary.click()

    # Submitting before the statutory-aid check is refused, with the reasons.
    act(page, "submit")
    assert state_of(page) == NeedState.DRAFT
    assert page.locator(".message-error").count() >= 1
    problems = page.get_by_test_id("gap-problems").locator("li")
    assert problems.count() == len(Scheme) + 1  # every scheme, and the gap reason

    fill_statutory_aid_check(page)
    assert page.get_by_test_id("gap-problems").count() == 0
    assert dict(need.scheme_checks.values_list("scheme", "answer")) == {
        **dict.fromkeys(Scheme.values, SchemeAnswer.NOT_ELIGIBLE),
        Scheme.DIBAO: SchemeAnswer.INSUFFICIENT,
    }
    for scheme in Scheme:
        answer = SchemeAnswer.INSUFFICIENT if scheme == Scheme.DIBAO else SchemeAnswer.NOT_ELIGIBLE
        assert page.locator(f"fieldset[data-scheme='{scheme.value}'] input[value='{answer}']").is_checked()

    act(page, "submit")
    assert state_of(page) == NeedState.SUBMITTED
    assert page.get_by_test_id("need-state").inner_text().strip() == "已提交"
    assert page.locator("button[data-action=approve]").count() == 0  # never her own need

    # The identity is masked; a reveal with a reason shows it once.
    identity = page.get_by_test_id("identity")
    assert ID_NUMBER[:3] + "*" * 11 + ID_NUMBER[-4:] in identity.inner_text()
    assert ID_NUMBER not in page.content()
    reveal_id_number(page)
    assert page.get_by_test_id("revealed").inner_text().strip().endswith(ID_NUMBER)
    page.reload()
    assert page.get_by_test_id("revealed").count() == 0
    assert ID_NUMBER not in page.content()
    sign_out(page)

    # --- The approver ------------------------------------------------------------------------
    sign_in(page, base_url, APPROVER)
    open_needs(page)
    open_need(page, TITLE)
    assert path_of(page) == f"/needs/{pk}/"
    assert state_of(page) == NeedState.SUBMITTED
    act(page, "approve")
    assert state_of(page) == NeedState.APPROVED
    act(page, "publish")
    assert state_of(page) == NeedState.PUBLISHED
    need.refresh_from_db()
    assert need.state == NeedState.PUBLISHED and need.approved_by.email == APPROVER and need.published_at
    sign_out(page)

    # --- A social worker of an organisation serving 大邑县 ------------------------------------
    sign_in(page, base_url, SOCIAL_WORKER)
    open_needs(page)
    assert page.get_by_test_id("needs").get_by_role("link", name=TITLE).is_visible()
    assert PERSON_NAME not in page.content() and ID_NUMBER not in page.content()
    open_need(page, TITLE)
    card = page.get_by_test_id("need-card")
    assert TITLE in card.inner_text() and SUMMARY in card.inner_text()
    assert "晋原街道" in card.inner_text() and "3600" in card.inner_text()
    html = page.content()
    assert PERSON_NAME not in html
    assert ID_NUMBER not in html and ID_BODY not in html
    assert page.get_by_test_id("identity").count() == 0 and page.locator("form[action$='/reveal/']").count() == 0
    assert Beneficiary.objects.get(needs=need).name == PERSON_NAME  # kept, only never shown here

    # She takes it on for her charity: the first eligible organisation to accept gets it.
    page.get_by_test_id("claim").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("claimed-by-us").is_visible()
    need.refresh_from_db()
    assert need.state == NeedState.CLAIMED and need.claimed_by.legal_name == "大邑县仁爱慈善会"
    sign_out(page)

    # --- The agency sees it taken on ------------------------------------------------------------
    sign_in(page, base_url, CASEWORKER)
    page.goto(f"{base_url}/needs/{pk}/")
    assert state_of(page) == NeedState.CLAIMED
    assert "大邑县仁爱慈善会" in page.get_by_test_id("claimed-by").inner_text()


def test_an_elderly_dayi_resident_with_a_valid_id_number_can_be_recorded(page, base_url):
    sign_in(page, base_url, CASEWORKER)
    open_needs(page)
    pk = record_need(page, DAYI_ELDER_ID)
    errors = page.locator("[name=person-id_number] ~ .error").all_inner_texts()
    assert pk, f"the ID number {DAYI_ELDER_ID} was refused: {errors}"
