"""The proposal path: weighted criteria, sealed proposals, scoring, award with reasons."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Role
from audit.models import AuditEntry
from needs import proposals, services
from needs.exceptions import (
    ConflictOfInterest,
    InvalidTransition,
    NotAllowed,
    NotEligible,
    ProposalRefused,
    ProposalsSealed,
    ReasonRequired,
    SeparationOfDuties,
)
from needs.models import Award, Need, NeedState, Proposal, ProposalCriterion, ProposalState
from needs.selectors import proposal_ranking
from needs.workflow import DEFAULT_WEIGHTS
from notifications.models import Notification
from tests.factories import UserFactory
from tests.helpers import run_in_threads
from tests.needs.helpers import answer_all, card, eligible_org, person
from tests.vetting.corpus import minimal_pdf
from vetting.uploads import check_upload


@pytest.fixture(autouse=True)
def english():
    """The refusals below are matched in English."""
    with translation.override("en"):
        yield


PLAN = "每日上门助餐，每周两次探访，建立个案档案，月度评估服务成效。"


def approved_need(agency, caseworker, approver, **overrides) -> Need:
    need = services.need_create(
        agency=agency,
        by=caseworker,
        data=card(**{"budget": Decimal("20000"), **overrides}),
        beneficiary=person(),
        household=[],
    )
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker)
    return services.need_transition(need=need, action="approve", by=approver)


@pytest.fixture
def open_need(county_agency, caseworker, approver):
    return proposals.proposals_open(
        need=approved_need(county_agency, caseworker, approver), by=approver, weights=DEFAULT_WEIGHTS
    )


def offer(price="15000", **overrides) -> dict:
    return {
        "plan": PLAN,
        "price": Decimal(price),
        "duration_days": 90,
        "timeline": "第1周建档，第2-12周服务，第13周评估",
        "team": "2名持证社工，1名护理员",
        **overrides,
    }


def submit(need, price="15000", **org_overrides):
    org, member = eligible_org(**org_overrides)
    proposal = proposals.proposal_submit(need=need, organisation=org, by=member, data=offer(price))
    return proposal, member


def past_deadline(need) -> Need:
    Need.objects.filter(pk=need.pk).update(response_deadline=timezone.now() - timedelta(minutes=1))
    return Need.objects.get(pk=need.pk)


def close(need, by) -> Need:
    return services.need_transition(need=past_deadline(need), action="close_proposals", by=by)


JUDGED_FOURS = {k: (4, "") for k in ("plan", "team", "timeline")}


def score_all(need, by, points: dict[int, int]) -> None:
    """Give each proposal (by pk) the same score on every judged criterion."""
    for proposal_pk, value in points.items():
        proposals.proposal_score(
            proposal=Proposal.objects.get(pk=proposal_pk),
            by=by,
            scores={k: (value, "") for k in ("plan", "team", "timeline")},
        )


# --- Opening -----------------------------------------------------------------------------


def test_a_need_above_the_claim_budget_opens_for_proposals_with_its_weights(open_need):
    assert open_need.state == NeedState.PROPOSALS_OPEN
    assert open_need.published_at is not None
    weights = dict(open_need.criteria.values_list("key", "weight"))
    assert weights == DEFAULT_WEIGHTS


@pytest.mark.parametrize(
    ("weights", "problem"),
    [
        ({"plan": 30, "team": 20, "timeline": 10, "price": 40}, "never chosen on price alone"),
        ({"plan": 50, "team": 35, "timeline": 10, "price": 5}, "between 10 and 30"),
        ({"plan": 40, "team": 20, "timeline": 10, "price": 20}, "add up to 90"),
        ({"plan": 70, "team": 10, "price": 20}, "every criterion"),
    ],
)
def test_weights_that_break_the_rules_are_refused(county_agency, caseworker, approver, weights, problem):
    need = approved_need(county_agency, caseworker, approver)
    with pytest.raises(InvalidTransition, match=problem):
        proposals.proposals_open(need=need, by=approver, weights=weights)
    assert Need.objects.get(pk=need.pk).state == NeedState.APPROVED
    assert not ProposalCriterion.objects.filter(need=need).exists()


def test_the_database_refuses_a_price_weight_above_30(open_need):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalCriterion.objects.filter(need=open_need, key="price").update(weight=31)


def test_each_path_only_for_its_needs(county_agency, caseworker, approver):
    big = approved_need(county_agency, caseworker, approver)
    with pytest.raises(InvalidTransition, match="publish it for proposals"):
        services.need_transition(need=big, action="publish", by=approver)
    services.need_transition(need=big, action="withdraw", by=approver, reason="改为直接认领的小额需求")
    small = approved_need(county_agency, caseworker, approver, budget=Decimal("3000"))
    with pytest.raises(InvalidTransition, match="direct claim"):
        proposals.proposals_open(need=small, by=approver, weights=DEFAULT_WEIGHTS)


def test_the_preparer_cannot_open_for_proposals(county_agency, caseworker, approver):
    need = approved_need(county_agency, caseworker, approver)
    Need.objects.filter(pk=need.pk).update(prepared_by=approver, approved_by=None)
    with pytest.raises(SeparationOfDuties):
        proposals.proposals_open(need=Need.objects.get(pk=need.pk), by=approver, weights=DEFAULT_WEIGHTS)


# --- Proposing ---------------------------------------------------------------------------


def test_an_eligible_organisation_proposes_and_may_change_it_before_the_deadline(open_need):
    proposal, member = submit(open_need)
    assert proposal.state == ProposalState.SUBMITTED
    changed = proposals.proposal_submit(
        need=open_need, organisation=proposal.organisation, by=member, data=offer("14000")
    )
    assert changed.pk == proposal.pk and changed.price == Decimal("14000")
    assert Proposal.objects.filter(need=open_need).count() == 1
    assert Notification.objects.filter(user=member, event="proposal_received").count() == 2
    # The audit log says who and when, never what was offered.
    entry = AuditEntry.objects.filter(action="proposal.change").get()
    assert "14000" not in str(entry.summary) and PLAN not in str(entry.summary)


@pytest.mark.parametrize(
    ("price", "message"), [("20000.01", "above the budget"), ("0", "more than zero"), ("-5", "more than zero")]
)
def test_a_price_outside_the_budget_is_refused(open_need, price, message):
    org, member = eligible_org()
    with pytest.raises(ProposalRefused, match=message):
        proposals.proposal_submit(need=open_need, organisation=org, by=member, data=offer(price))
    assert not Proposal.objects.exists()


def test_a_late_proposal_is_refused(open_need):
    org, member = eligible_org()
    past_deadline(open_need)
    with pytest.raises(ProposalRefused, match="deadline"):
        proposals.proposal_submit(need=open_need, organisation=org, by=member, data=offer())
    assert not Proposal.objects.exists()


@pytest.mark.parametrize("problem", ["not_vetted", "out_of_scope", "wrong_category", "not_a_member"])
def test_organisations_that_may_not_propose_are_refused(open_need, problem):
    from categories.models import Category
    from regions.models import Region

    org, member = eligible_org()
    if problem == "not_vetted":
        org.vetting_state = "suspended"
        org.save()
    elif problem == "out_of_scope":
        org.service_regions.set([Region.objects.get(code="110101")])
    elif problem == "wrong_category":
        org.service_categories.set(Category.objects.filter(code="housing"))
    else:
        member = UserFactory()
    with pytest.raises(NotAllowed if problem == "not_a_member" else NotEligible):
        proposals.proposal_submit(need=open_need, organisation=org, by=member, data=offer())
    assert not Proposal.objects.exists()


def test_a_withdrawn_proposal_can_be_replaced_before_the_deadline(open_need):
    proposal, member = submit(open_need)
    proposals.proposal_withdraw(proposal=proposal, by=member)
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.WITHDRAWN
    again = proposals.proposal_submit(need=open_need, organisation=proposal.organisation, by=member, data=offer())
    assert again.pk == proposal.pk and again.state == ProposalState.SUBMITTED


# --- Sealed until the deadline -------------------------------------------------------------


def test_closing_before_the_deadline_is_refused(open_need, approver):
    submit(open_need)
    with pytest.raises(ProposalsSealed):
        services.need_transition(need=open_need, action="close_proposals", by=approver)
    assert Need.objects.get(pk=open_need.pk).state == NeedState.PROPOSALS_OPEN


def test_the_sweep_closes_proposals_at_the_deadline_and_tells_the_approvers(open_need, approver):
    submit(open_need)
    past_deadline(open_need)
    assert services.needs_escalate() == {"escalated": 0, "expired": 0, "closed": 1}
    need = Need.objects.get(pk=open_need.pk)
    assert need.state == NeedState.PROPOSALS_CLOSED and need.proposals_closed_at is not None
    assert Notification.objects.filter(user=approver, event="need_close_proposals").exists()


def test_a_need_without_proposals_is_widened_then_expires(open_need):
    past_deadline(open_need)
    assert services.needs_escalate()["escalated"] == 1
    need = Need.objects.get(pk=open_need.pk)
    assert need.state == NeedState.PROPOSALS_OPEN and need.scope == "all"
    past_deadline(need)
    assert services.needs_escalate()["expired"] == 1
    assert Need.objects.get(pk=open_need.pk).state == NeedState.EXPIRED


def test_the_agency_sees_no_proposal_before_the_deadline(client_for, open_need, approver, caseworker, auditor):
    proposal, _member = submit(open_need)
    for person_ in (approver, caseworker, auditor):
        client = client_for(person_)
        page = client.get(reverse("needs:proposals", args=[open_need.pk])).content.decode()
        assert PLAN not in page and proposal.organisation.legal_name not in page and "15000" not in page
        assert 'data-testid="proposals-sealed"' in page
        detail = client.get(reverse("needs:detail", args=[open_need.pk])).content.decode()
        # (The organisation's name may appear in the directory of those it could invite.)
        assert PLAN not in detail and "15000" not in detail and 'data-testid="proposal"' not in detail
        score = client.post(reverse("needs:proposal_score", args=[open_need.pk, proposal.pk]), {})
        assert score.status_code == 404


def test_organisations_never_see_each_others_proposals(client_for, open_need):
    first, _first_member = submit(open_need, "15000")
    _second, second_member = submit(open_need, "12345")
    page = client_for(second_member).get(reverse("needs:detail", args=[open_need.pk])).content.decode()
    assert "12345" in page and "15000.00" not in page and first.organisation.legal_name not in page
    # Even after the proposals close and the need is awarded.
    close(open_need, None)
    page = client_for(second_member).get(reverse("needs:detail", args=[open_need.pk])).content.decode()
    assert "15000.00" not in page
    assert client_for(second_member).get(reverse("needs:proposals", args=[open_need.pk])).status_code == 404


def test_attachments_are_sealed_too(client_for, open_need, approver):
    org, member = eligible_org()
    pdf = SimpleUploadedFile("方案.pdf", minimal_pdf(), "application/pdf")
    pdf.checked = check_upload(pdf)
    proposal = proposals.proposal_submit(need=open_need, organisation=org, by=member, data=offer(), files=[pdf])
    attachment = proposal.attachments.get()
    url = reverse("needs:proposal_attachment", args=[open_need.pk, proposal.pk, attachment.pk])
    assert client_for(member).get(url).status_code == 200
    assert client_for(approver).get(url).status_code == 404
    _rival, rival_member = eligible_org()
    assert client_for(rival_member).get(url).status_code == 404
    close(open_need, approver)
    response = client_for(approver).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


# --- Scoring and award ----------------------------------------------------------------------


@pytest.fixture
def closed_with_three(open_need, approver):
    a, _ = submit(open_need, "20000")
    b, _ = submit(open_need, "10000")
    c, _ = submit(open_need, "16000")
    return close(open_need, approver), (a, b, c)


def test_ranking_weighs_judged_criteria_and_price(closed_with_three, approver):
    need, (a, b, c) = closed_with_three
    score_all(need, approver, {a.pk: 5, b.pk: 3, c.pk: 4})
    ranking = {r.proposal.pk: r for r in proposal_ranking(need)}
    # a: judged 70 × 5/5 = 70, price 30 × 10000/20000 = 15 → 85
    assert ranking[a.pk].total == Decimal("85.00")
    # b: judged 70 × 3/5 = 42, price 30 (the lowest) → 72
    assert ranking[b.pk].total == Decimal("72.00")
    # c: 70 × 4/5 = 56, price 30 × 10000/16000 = 18.75 → 74.75
    assert ranking[c.pk].total == Decimal("74.75")
    assert [r.rank for r in (ranking[a.pk], ranking[c.pk], ranking[b.pk])] == [1, 2, 3]


def test_two_evaluators_scores_are_averaged(closed_with_three, approver, county_agency):
    need, (a, _b, _c) = closed_with_three
    second = UserFactory()
    Membership.objects.create(user=second, role=Role.AGENCY_APPROVER, agency=county_agency)
    score_all(need, approver, {a.pk: 5})
    score_all(need, second, {a.pk: 3})
    ranked = next(r for r in proposal_ranking(need) if r.proposal.pk == a.pk)
    assert ranked.scorers == 2 and ranked.points["plan"] == Decimal("28.00")  # 35 × 4/5


@pytest.mark.parametrize("score", [0, 6, "5"])
def test_scores_outside_one_to_five_are_refused(closed_with_three, approver, score):
    _need, (a, _b, _c) = closed_with_three
    with pytest.raises(ProposalRefused):
        proposals.proposal_score(proposal=a, by=approver, scores={k: (score, "") for k in ("plan", "team", "timeline")})
    assert not a.scores.exists()


def test_only_approvers_who_are_not_bidders_score(closed_with_three, caseworker, other_caseworker, county_agency):
    _need, (a, _b, _c) = closed_with_three
    scores = JUDGED_FOURS
    for person_ in (caseworker, other_caseworker):
        with pytest.raises(NotAllowed):
            proposals.proposal_score(proposal=a, by=person_, scores=scores)
    insider = UserFactory()
    Membership.objects.create(user=insider, role=Role.AGENCY_APPROVER, agency=county_agency)
    Membership.objects.create(user=insider, role=Role.ORG_MEMBER, organisation=a.organisation)
    with pytest.raises(ConflictOfInterest):
        proposals.proposal_score(proposal=a, by=insider, scores=scores)
    assert not a.scores.exists()


def test_scoring_before_the_close_is_refused(open_need, approver):
    proposal, _ = submit(open_need)
    with pytest.raises(ProposalRefused):
        proposals.proposal_score(proposal=proposal, by=approver, scores=JUDGED_FOURS)


def test_award_goes_to_the_chosen_proposal_and_the_others_are_told(closed_with_three, approver, caseworker):
    need, (a, b, c) = closed_with_three
    score_all(need, approver, {a.pk: 5, b.pk: 3, c.pk: 4})
    award = proposals.proposal_award(proposal=a, by=approver, reason="方案最完整，团队经验最丰富")
    need = Need.objects.get(pk=need.pk)
    assert need.state == NeedState.AWARDED and need.claimed_by == a.organisation
    assert award.total_score == Decimal("85.00")
    states = dict(Proposal.objects.filter(need=need).values_list("pk", "state"))
    assert states == {a.pk: "awarded", b.pk: "not_awarded", c.pk: "not_awarded"}
    winner = Membership.objects.get(organisation=a.organisation).user
    loser = Membership.objects.get(organisation=b.organisation).user
    assert Notification.objects.filter(user=winner, event="proposal_awarded").exists()
    assert Notification.objects.filter(user=loser, event="proposal_not_awarded").exists()
    assert Notification.objects.filter(user=caseworker, event="need_awarded").exists()
    assert AuditEntry.objects.filter(action="need.award").exists()
    with pytest.raises(InvalidTransition):
        proposals.proposal_award(proposal=b, by=approver, reason="再来一次")
    assert Award.objects.count() == 1


def test_award_needs_reasons_and_every_proposal_scored(closed_with_three, approver):
    need, (a, b, c) = closed_with_three
    score_all(need, approver, {a.pk: 5, b.pk: 3})
    with pytest.raises(ProposalRefused, match="Score every proposal"):
        proposals.proposal_award(proposal=a, by=approver, reason="最好")
    score_all(need, approver, {c.pk: 4})
    with pytest.raises(ReasonRequired):
        proposals.proposal_award(proposal=a, by=approver, reason="  ")
    assert Need.objects.get(pk=need.pk).state == NeedState.PROPOSALS_CLOSED


def test_the_preparer_never_awards(closed_with_three, approver, county_agency, caseworker):
    need, proposals_ = closed_with_three
    score_all(need, approver, {p.pk: 4 for p in proposals_})
    Membership.objects.create(user=caseworker, role=Role.AGENCY_APPROVER, agency=county_agency)
    preparer = type(caseworker).objects.get(pk=caseworker.pk)  # with the new role
    with pytest.raises(SeparationOfDuties):
        proposals.proposal_award(proposal=proposals_[0], by=preparer, reason="我来定")
    assert Need.objects.get(pk=need.pk).state == NeedState.PROPOSALS_CLOSED


@override_settings(NEED_COMPETITIVE_THRESHOLD=10000)
def test_above_the_competitive_threshold_fewer_than_three_need_a_reason(open_need, approver):
    a, _ = submit(open_need, "15000")
    b, _ = submit(open_need, "14000")
    need = close(open_need, approver)
    score_all(need, approver, {a.pk: 4, b.pk: 4})
    with pytest.raises(ReasonRequired, match="fewer than three"):
        proposals.proposal_award(proposal=a, by=approver, reason="方案更好")
    award = proposals.proposal_award(
        proposal=a, by=approver, reason="方案更好", few_proposals_reason="本县仅两家机构提供此类服务"
    )
    assert award.few_proposals_reason


def test_withdrawing_the_need_voids_its_proposals(open_need, approver):
    proposal, member = submit(open_need)
    services.need_transition(need=open_need, action="withdraw", by=approver, reason="家庭已获其他帮扶")
    assert Proposal.objects.get(pk=proposal.pk).state == ProposalState.VOID
    assert Notification.objects.filter(user=member, event="proposal_void").exists()
    # Withdrawn while open: the proposals were never unsealed and stay so.
    assert Need.objects.get(pk=open_need.pk).proposals_closed_at is None


# --- Pages ---------------------------------------------------------------------------------


def test_the_approver_opens_a_need_for_proposals_from_its_page(client_for, county_agency, caseworker, approver):
    need = approved_need(county_agency, caseworker, approver)
    client = client_for(approver)
    page = client.get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert 'data-action="open_proposals"' in page and 'data-action="publish"' not in page
    url = reverse("needs:open_proposals", args=[need.pk])
    bad = client.post(url, {"plan": 30, "team": 20, "timeline": 10, "price": 40}, follow=True)
    assert Need.objects.get(pk=need.pk).state == NeedState.APPROVED
    assert "never" in bad.content.decode() or "价格" in bad.content.decode()
    client.post(url, {"plan": 40, "team": 20, "timeline": 10, "price": 30})
    assert Need.objects.get(pk=need.pk).state == NeedState.PROPOSALS_OPEN


def test_a_member_writes_a_proposal_on_its_page(client_for, open_need):
    org, member = eligible_org()
    client = client_for(member, reauthenticated=False)
    card = client.get(reverse("needs:detail", args=[open_need.pk])).content.decode()
    assert 'data-testid="write-proposal"' in card and "35%" in card
    url = reverse("needs:proposal", args=[open_need.pk])
    assert client.get(url).status_code == 200
    over = client.post(url, {**offer("25000"), "organisation": org.pk})
    assert over.status_code == 200 and not Proposal.objects.exists()
    assert "20000" in over.content.decode()
    pdf = SimpleUploadedFile("plan.pdf", minimal_pdf(), "application/pdf")
    fake = SimpleUploadedFile("plan2.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")
    refused = client.post(url, {**offer(), "organisation": org.pk, "attachments": [pdf, fake]})
    assert refused.status_code == 200 and not Proposal.objects.exists()
    pdf.seek(0)
    client.post(url, {**offer(), "organisation": org.pk, "attachments": [pdf]})
    proposal = Proposal.objects.get()
    assert proposal.organisation == org and proposal.attachments.count() == 1


def test_outsiders_get_nothing_from_the_proposal_pages(
    client_for, open_need, approver, other_caseworker, unvetted_member, outsider, auditor, charity_member
):
    proposal, _member = submit(open_need)
    need = close(open_need, approver)
    before = (Need.objects.get(pk=need.pk).state, Proposal.objects.get(pk=proposal.pk).state)
    posts = [
        (reverse("needs:proposal_score", args=[need.pk, proposal.pk]), {}),
        (reverse("needs:award", args=[need.pk]), {"proposal": proposal.pk, "reason": "x"}),
        (reverse("needs:proposal_withdraw", args=[need.pk]), {"proposal": proposal.pk}),
        (reverse("needs:open_proposals", args=[need.pk]), DEFAULT_WEIGHTS),
    ]
    for person_ in (other_caseworker, unvetted_member, outsider, charity_member):
        client = client_for(person_, reauthenticated=False)
        assert client.get(reverse("needs:proposals", args=[need.pk])).status_code == 404
        for url, data in posts:
            assert client.post(url, data).status_code in {403, 404}, (person_, url)
    # The auditor reads the unsealed proposals and writes nothing.
    client = client_for(auditor)
    assert PLAN in client.get(reverse("needs:proposals", args=[need.pk])).content.decode()
    for url, data in posts[:2]:
        assert client.post(url, data).status_code in {302, 403}
    assert (Need.objects.get(pk=need.pk).state, Proposal.objects.get(pk=proposal.pk).state) == before
    assert not proposal.scores.exists()


def test_the_approver_scores_and_awards_on_the_proposals_page(client_for, closed_with_three, approver):
    need, (a, b, c) = closed_with_three
    client = client_for(approver)
    page = client.get(reverse("needs:proposals", args=[need.pk])).content.decode()
    assert PLAN in page and page.count('data-testid="score-form"') == 3
    for proposal in (a, b, c):
        data = {f"p{proposal.pk}-{k}__score": 4 for k in ("plan", "team", "timeline")}
        client.post(reverse("needs:proposal_score", args=[need.pk, proposal.pk]), data)
    bad = client.post(reverse("needs:proposal_score", args=[need.pk, a.pk]), {f"p{a.pk}-plan__score": 9}, follow=True)
    assert bad.status_code == 200 and a.scores.get(criterion__key="plan").score == 4
    client.post(reverse("needs:award", args=[need.pk]), {"proposal": b.pk, "reason": "综合得分最高"})
    assert Need.objects.get(pk=need.pk).state == NeedState.AWARDED
    assert Award.objects.get().proposal == b  # b is the cheapest with equal scores: ranked first


@pytest.mark.postgres  # row locks
@pytest.mark.django_db(transaction=True)
def test_two_approvers_awarding_at_once_give_one_award():
    from agencies.models import Agency
    from regions.models import Region
    from website.demo import ensure_reference_data

    ensure_reference_data()
    agency = Agency.objects.create(name="竞态测试民政局", region=Region.objects.get(code="510129"))
    caseworker, first, second = UserFactory(), UserFactory(), UserFactory()
    Membership.objects.create(user=caseworker, role=Role.AGENCY_CASEWORKER, agency=agency)
    for approver in (first, second):
        Membership.objects.create(user=approver, role=Role.AGENCY_APPROVER, agency=agency)
    need = proposals.proposals_open(
        need=approved_need(agency, caseworker, first, scope="all"), by=first, weights=DEFAULT_WEIGHTS
    )
    bids = [submit(need, price)[0] for price in ("15000", "16000", "17000")]
    need = close(need, first)
    score_all(need, first, {p.pk: 4 for p in bids})
    approvers = [first, second]

    def award(i: int) -> None:
        proposals.proposal_award(proposal=bids[i], by=approvers[i], reason="并发授予")

    errors = run_in_threads(2, award)
    assert len(errors) == 1 and isinstance(errors[0], InvalidTransition), errors
    assert Award.objects.filter(need=need).count() == 1
    assert Proposal.objects.filter(need=need, state="awarded").count() == 1
