"""The proposal path in a real browser, from opening to award.

A need above the direct-acceptance budget, recorded and approved at 大邑县民政局, is
published for proposals by the approver with the default weights. The social worker of
大邑县仁爱慈善会 writes a proposal with an attachment; a second organisation proposes too.
Before the deadline the approver sees only that two proposals arrived. Once it passes
she closes them, reads both, scores each on every criterion and awards the charity with
reasons; the social worker then sees her proposal chosen.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Membership, Role, User
from agencies.models import Agency
from categories.models import Category
from needs import proposals, services
from needs.models import Award, Need, NeedState, Proposal, Scheme, SchemeAnswer, Scope
from organisations.models import Organisation
from regions.models import Region
from tests.e2e.helpers import (
    APPROVER,
    CASEWORKER,
    SOCIAL_WORKER,
    act,
    confirm_password_if_asked,
    open_need,
    open_needs,
    path_of,
    resident_id,
    sign_in,
    sign_out,
    state_of,
)
from tests.factories import OrganisationFactory, UserFactory
from tests.vetting.corpus import minimal_pdf
from website.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

TITLE = "失能老人长期居家照护"
PLAN = "组建照护小组，每周三次上门照护与康复训练，每月家属沟通，季度评估。"
RIVAL_PLAN = "志愿者每周一次陪伴探访。"


def approved_need() -> Need:
    agency = Agency.objects.get(name="大邑县民政局")
    caseworker, approver = User.objects.get(email=CASEWORKER), User.objects.get(email=APPROVER)
    need = services.need_create(
        agency=agency,
        by=caseworker,
        data={
            "title": TITLE,
            "summary": "两位失能老人需要为期半年的居家照护与康复训练。",
            "category": Category.objects.get(code="elderly_care"),
            "kind": "service",
            "urgency": "routine",
            "region": Region.objects.get(code="510129001"),
            "budget": Decimal("30000"),
            "duration_days": 180,
            "qualifications": "持证社工、护理员",
            "people_count": 2,
            "scope": Scope.REGION,
        },
        beneficiary={
            "name": "程远山",
            "id_number": resident_id("51012919380202001"),
            "phone": "",
            "address": "",
            "is_minor": False,
            "has_disability": True,
            "elderly_alone": False,
            "severe_illness": False,
        },
        household=[],
    )
    answers = {s.value: (SchemeAnswer.NOT_ELIGIBLE, "") for s in Scheme}
    services.scheme_checks_record(need=need, by=caseworker, answers=answers, gap_reason="service_not_cash", gap_note="")
    services.need_transition(need=need, action="submit", by=caseworker)
    return services.need_transition(need=need, action="approve", by=approver)


def rival_proposal(need: Need) -> Proposal:
    rival = OrganisationFactory(legal_name="大邑县互助志愿服务队", capacity=5)
    rival.service_regions.set([Region.objects.get(code="510129")])
    rival.service_categories.set(Category.objects.filter(code="elderly_care"))
    member = UserFactory()
    Membership.objects.create(user=member, role=Role.ORG_MEMBER, organisation=rival)
    data = {"plan": RIVAL_PLAN, "price": Decimal("12000"), "duration_days": 180}
    data |= {"timeline": "每周一次", "team": "志愿者"}
    return proposals.proposal_submit(need=need, organisation=rival, by=member, data=data)


def test_a_need_goes_to_proposals_and_is_awarded_with_reasons(page, base_url, tmp_path):
    need = approved_need()

    # --- The approver publishes it for proposals ---------------------------------------------
    sign_in(page, base_url, APPROVER)
    open_needs(page)
    open_need(page, TITLE)
    assert state_of(page) == NeedState.APPROVED
    assert page.locator("button[data-action=publish]").count() == 0  # above the claim budget
    act(page, "open_proposals")
    assert state_of(page) == NeedState.PROPOSALS_OPEN
    assert "35%" in page.get_by_test_id("agency-proposals").inner_text()
    sign_out(page)

    # --- The charity's social worker proposes --------------------------------------------------
    sign_in(page, base_url, SOCIAL_WORKER)
    open_needs(page)
    open_need(page, TITLE)
    with page.expect_navigation():
        page.get_by_test_id("write-proposal").click()
    form = page.locator("form:has([data-testid=submit-proposal])")
    form.locator("[name=plan]").fill(PLAN)
    form.locator("[name=price]").fill("31000")  # above the budget: refused
    form.locator("[name=duration_days]").fill("180")
    form.locator("[name=timeline]").fill("第1月建档评估，第2-6月照护，第6月结项")
    form.locator("[name=team]").fill("2名持证社工、3名护理员")
    with page.expect_navigation():
        page.get_by_test_id("submit-proposal").click()
    assert "30000" in page.locator(".error").first.inner_text()
    assert not Proposal.objects.filter(need=need).exists()
    attachment = tmp_path / "照护方案.pdf"
    attachment.write_bytes(minimal_pdf())
    form = page.locator("form:has([data-testid=submit-proposal])")
    form.locator("[name=price]").fill("26000")
    form.locator("input[name=attachments]").set_input_files(str(attachment))
    with page.expect_navigation():
        page.get_by_test_id("submit-proposal").click()
    assert page.get_by_test_id("proposal-state").inner_text().strip() == "已提交"
    assert "照护方案.pdf" in page.get_by_test_id("my-proposal").inner_text()
    sign_out(page)

    rival_proposal(need)

    # --- Sealed until the deadline, then closed, read, scored and awarded -----------------------
    sign_in(page, base_url, APPROVER)
    page.goto(f"{base_url}/needs/{need.pk}/")
    sealed = page.get_by_test_id("proposals-sealed").inner_text()
    assert "2" in sealed and PLAN not in page.content() and RIVAL_PLAN not in page.content()
    assert page.locator("button[data-action=close_proposals]").count() == 0
    Need.objects.filter(pk=need.pk).update(response_deadline=timezone.now() - timedelta(minutes=1))
    page.reload()
    act(page, "close_proposals")
    assert state_of(page) == NeedState.PROPOSALS_CLOSED
    with page.expect_navigation():
        page.get_by_test_id("proposals-link").click()
    assert PLAN in page.content() and RIVAL_PLAN in page.content()
    for index in range(2):
        form = page.get_by_test_id("score-form").nth(index)
        scores = ("5", "4", "4") if PLAN in page.get_by_test_id("proposal").nth(index).inner_text() else ("2", "2", "3")
        for radio_group, value in zip(("plan", "team", "timeline"), scores, strict=True):
            form.locator(f"input[type=radio][name$='-{radio_group}__score'][value='{value}']").check()
        with page.expect_navigation():
            form.get_by_test_id("save-scores").click()
        confirm_password_if_asked(page, DEMO_PASSWORD)
    charity = Organisation.objects.get(legal_name="大邑县仁爱慈善会")
    ours = Proposal.objects.get(need=need, organisation=charity)
    award_form = page.locator(f"[data-testid=award-form]:has(input[value='{ours.pk}'])")
    award_form.locator("textarea[name=reason]").fill("照护方案完整，团队资质最符合要求，综合得分最高")
    with page.expect_navigation():
        award_form.get_by_test_id("award-button").click()
    confirm_password_if_asked(page, DEMO_PASSWORD)
    assert path_of(page) == f"/needs/{need.pk}/proposals/"
    assert "大邑县仁爱慈善会" in page.get_by_test_id("award").inner_text()
    need.refresh_from_db()
    assert need.state == NeedState.AWARDED and need.claimed_by == charity
    assert Award.objects.get(need=need).proposal == ours
    sign_out(page)

    # --- The social worker sees the outcome ------------------------------------------------------
    sign_in(page, base_url, SOCIAL_WORKER)
    page.goto(f"{base_url}/needs/{need.pk}/")
    assert page.get_by_test_id("proposal-state").inner_text().strip() == "已中选"
    assert "大邑县仁爱慈善会" in page.get_by_test_id("award-outcome").inner_text()
    assert RIVAL_PLAN not in page.content()
