"""A contract's life through the services: drafting, signing, evidence, the
beneficiary's confirmation, acceptance, payment, the journal, evaluation and closing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from contracts import ledger, services
from contracts.exceptions import (
    ConfirmationRefused,
    InvalidTransition,
    NotAllowed,
    PaymentRefused,
    ReasonRequired,
    SeparationOfDuties,
    TermsInvalid,
)
from contracts.models import (
    Contract,
    ContractState,
    ContractVersion,
    MilestoneState,
    MilestoneTerms,
    Payment,
    PaymentState,
    VersionState,
)
from needs.models import NeedState
from notifications.models import Notification
from tests.contracts.helpers import INDICATORS, deliver, draft, milestones, pdf, schedule, terms

# --- Drafting and signing ------------------------------------------------------------


def test_a_contract_numbered_per_agency_and_year(claimed_need, caseworker):
    contract = draft(claimed_need, caseworker)
    year = timezone.localdate().year
    assert contract.number == f"GM{year}-{contract.agency_id:03d}-0001"
    assert contract.state == ContractState.DRAFT and contract.organisation == claimed_need.claimed_by


def test_only_an_awarded_or_claimed_need_gets_one_contract(claimed_need, caseworker, other_caseworker):
    with pytest.raises(NotAllowed):
        draft(claimed_need, other_caseworker)
    draft(claimed_need, caseworker)
    with pytest.raises(InvalidTransition):
        draft(claimed_need, caseworker)
    assert Contract.objects.count() == 1


def test_the_price_may_not_exceed_the_budget(claimed_need, caseworker):
    with pytest.raises(TermsInvalid):
        draft(claimed_need, caseworker, price=claimed_need.budget + 1, amounts=(str(claimed_need.budget + 1),))
    assert not Contract.objects.exists()


def test_milestones_must_add_up_before_signature(claimed_need, caseworker, approver):
    contract = draft(claimed_need, caseworker, amounts=("1800", "1700"))
    with pytest.raises(TermsInvalid) as refused:
        services.contract_send(contract=contract, by=approver)
    assert any("3,500.00" in p for p in refused.value.problems)
    assert services.open_version(contract).state == VersionState.DRAFT


def test_the_database_refuses_a_schedule_that_does_not_add_up(claimed_need, caseworker):
    contract = draft(claimed_need, caseworker, amounts=("1800", "1700"))
    version = services.open_version(contract)
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractVersion.objects.filter(pk=version.pk).update(state=VersionState.SIGNING)
    assert ContractVersion.objects.get(pk=version.pk).state == VersionState.DRAFT


def test_the_database_refuses_changing_a_sent_schedule(claimed_need, caseworker, approver):
    contract = draft(claimed_need, caseworker)
    services.contract_send(contract=contract, by=approver)
    version = services.open_version(contract)
    with pytest.raises(IntegrityError), transaction.atomic():
        MilestoneTerms.objects.filter(version=version).update(amount=Decimal("1"))
    with pytest.raises(IntegrityError), transaction.atomic():
        ContractVersion.objects.filter(pk=version.pk).update(price=Decimal("9"))


@pytest.mark.parametrize(
    ("days", "justification", "ok"),
    [
        (360, "", True),
        (400, "", False),
        (400, "该服务需连续跨年度提供且内容稳定", True),
        (1200, "理由充分且已记录在案", False),
    ],
)
def test_the_term_limit(claimed_need, caseworker, approver, days, justification, ok):
    today = timezone.localdate()
    contract = draft(
        claimed_need, caseworker, term_end=today + timedelta(days=days), long_term_justification=justification
    )
    if ok:
        services.contract_send(contract=contract, by=approver)
    else:
        with pytest.raises(TermsInvalid):
            services.contract_send(contract=contract, by=approver)


def test_the_contract_text_may_not_identify_the_person(claimed_need, caseworker):
    name = claimed_need.beneficiary.name
    with pytest.raises(TermsInvalid):
        draft(claimed_need, caseworker, content_scope=f"为{name}提供服务")
    assert not Contract.objects.exists()


def test_both_parties_sign_and_the_contract_is_in_force(signed, claimed_need, charity_member):
    assert signed.state == ContractState.ACTIVE and signed.signed_at and signed.price == Decimal("3600.00")
    claimed_need.refresh_from_db()
    assert claimed_need.state == NeedState.IN_CONTRACT
    assert ledger.contract_balances(signed).committed == Decimal("3600.00")
    assert ledger.check(signed) == []
    assert Notification.objects.filter(user=charity_member, event="contract_in_force").exists()


def test_who_may_sign(claimed_need, caseworker, approver, charity_admin, charity_member, other_caseworker):
    contract = draft(claimed_need, caseworker)
    services.contract_send(contract=contract, by=approver)
    for person, side in [(charity_member, "organisation"), (caseworker, "agency"), (other_caseworker, "agency")]:
        with pytest.raises(NotAllowed):
            services.contract_sign(contract=contract, by=person, side=side)
    services.contract_sign(contract=contract, by=charity_admin, side="organisation")
    with pytest.raises(InvalidTransition):
        services.contract_sign(contract=contract, by=charity_admin, side="organisation")
    contract.refresh_from_db()
    assert contract.state == ContractState.SIGNING


def test_a_signed_contract_cannot_be_edited(signed, caseworker):
    with pytest.raises(InvalidTransition):
        services.contract_update_draft(
            contract=signed, by=caseworker, data=terms(), milestones=schedule("3600"), indicators=INDICATORS
        )


def test_declining_clears_the_signatures(claimed_need, caseworker, approver, charity_admin):
    contract = draft(claimed_need, caseworker)
    services.contract_send(contract=contract, by=approver)
    services.contract_sign(contract=contract, by=approver, side="agency")
    with pytest.raises(ReasonRequired):
        services.contract_recall(contract=contract, by=charity_admin, reason="")
    version = services.contract_recall(contract=contract, by=charity_admin, reason="价格条款需再议")
    assert version.state == VersionState.DRAFT and version.agency_signed_at is None
    contract.refresh_from_db()
    assert contract.state == ContractState.DRAFT


# --- Amendments ----------------------------------------------------------------------


def test_an_amendment_is_a_new_signed_version(signed, caseworker, approver, charity_admin):
    with pytest.raises(ReasonRequired):
        services.contract_amend(contract=signed, by=caseworker, reason="")
    version = services.contract_amend(contract=signed, by=caseworker, reason="服务频次增加")
    assert version.number == 2 and version.state == VersionState.DRAFT
    kept = [{"milestone": t.milestone_id, **_item(t)} for t in services.schedule(version)]
    kept[1]["amount"] = Decimal("2100")
    services.contract_update_draft(
        contract=signed, by=caseworker, data=terms(price=Decimal("3900")), milestones=kept, indicators=INDICATORS
    )
    services.contract_send(contract=signed, by=approver)
    services.contract_sign(contract=signed, by=charity_admin, side="organisation")
    services.contract_sign(contract=signed, by=approver, side="agency")
    signed.refresh_from_db()
    assert signed.price == Decimal("3900") and signed.versions.get(number=1).state == VersionState.SUPERSEDED
    assert ledger.contract_balances(signed).committed == Decimal("3900")
    assert ledger.check(signed) == []


def test_an_amendment_adds_at_most_ten_percent(signed, caseworker, approver):
    services.contract_amend(contract=signed, by=caseworker, reason="服务频次增加")
    version = services.open_version(signed)
    kept = [{"milestone": t.milestone_id, **_item(t)} for t in services.schedule(version)]
    kept[1]["amount"] = Decimal("2200")
    services.contract_update_draft(
        contract=signed, by=caseworker, data=terms(price=Decimal("4000")), milestones=kept, indicators=INDICATORS
    )
    with pytest.raises(TermsInvalid):
        services.contract_send(contract=signed, by=approver)


def _item(t):
    return {
        f: getattr(t, f) for f in ("description", "due_date", "amount", "deliverables", "evidence_required", "service")
    }


# --- Evidence, confirmation, acceptance ----------------------------------------------


def test_a_service_milestone_is_not_accepted_without_the_beneficiarys_confirmation(
    signed, charity_member, second_approver
):
    """Issue 20, item 2: GM2026-003-0002's first milestone was accepted and paid while its
    page said 尚未请服务对象确认."""
    first, _second = milestones(signed)
    assert services.terms_of(first).service
    deliver(first, charity_member, confirmed=False)
    with pytest.raises(InvalidTransition, match=r"确认|confirmation"):
        services.milestone_accept(milestone=first, by=second_approver)
    _c, token, code = services.confirmation_create(milestone=first, by=charity_member)
    with pytest.raises(InvalidTransition):  # asked but not answered is not confirmed
        services.milestone_accept(milestone=first, by=second_approver)
    services.confirmation_answer(token=token, code=code, outcome="confirmed", rating=4, note="")
    assert services.milestone_accept(milestone=first, by=second_approver).state == MilestoneState.ACCEPTED


def test_evidence_then_acceptance_by_another_approver(signed, charity_member, approver, second_approver, caseworker):
    first, _second = milestones(signed)
    with pytest.raises(InvalidTransition):
        services.milestone_submit(milestone=first, by=charity_member)  # no evidence yet
    deliver(first, charity_member)
    with pytest.raises(NotAllowed):
        services.milestone_accept(milestone=first, by=caseworker)
    with pytest.raises(SeparationOfDuties):
        # The approver fixture did not prepare it (the caseworker did): make it so.
        type(signed).objects.filter(pk=signed.pk).update(prepared_by=approver)
        services.milestone_accept(milestone=first, by=approver)
    accepted = services.milestone_accept(milestone=first, by=second_approver)
    assert accepted.state == MilestoneState.ACCEPTED
    assert accepted.payment_due == timezone.localdate() + timedelta(days=30)
    b = ledger.contract_balances(signed)
    assert (b.committed, b.payable, b.expense) == (Decimal("1800"), Decimal("1800"), Decimal("1800"))


def test_returned_work_is_submitted_again(signed, charity_member, second_approver):
    first, _ = milestones(signed)
    deliver(first, charity_member)
    with pytest.raises(ReasonRequired):
        services.milestone_return(milestone=first, by=second_approver, reason="")
    services.milestone_return(milestone=first, by=second_approver, reason="缺少服务照片")
    first.refresh_from_db()
    assert first.state == MilestoneState.RETURNED and first.state_reason == "缺少服务照片"
    services.milestone_submit(milestone=first, by=charity_member)


def test_the_beneficiary_confirms_once(signed, charity_member):
    first, _ = milestones(signed)
    confirmation, token, code = services.confirmation_create(milestone=first, by=charity_member)
    assert len(code) == 6 and code.isdigit() and token not in confirmation.token_hash
    services.confirmation_answer(token=token, code=code, outcome="confirmed", rating=5, note="")
    with pytest.raises(ConfirmationRefused):
        services.confirmation_answer(token=token, code=code, outcome="confirmed", rating=5, note="")
    assert services.confirmation_for(token) is None


def test_a_wrong_code_locks_after_five(signed, charity_member):
    first, _ = milestones(signed)
    confirmation, token, code = services.confirmation_create(milestone=first, by=charity_member)
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(10):
        with pytest.raises(ConfirmationRefused):
            services.confirmation_answer(token=token, code=wrong, outcome="confirmed", rating=5, note="")
    confirmation.refresh_from_db()
    assert confirmation.failures == 5 and confirmation.locked_at
    with pytest.raises(ConfirmationRefused):  # even the right code, now
        services.confirmation_answer(token=token, code=code, outcome="confirmed", rating=5, note="")


def test_an_expired_link_is_refused(signed, charity_member):
    first, _ = milestones(signed)
    confirmation, token, code = services.confirmation_create(milestone=first, by=charity_member)
    type(confirmation).objects.filter(pk=confirmation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ConfirmationRefused):
        services.confirmation_answer(token=token, code=code, outcome="confirmed", rating=4, note="")


def test_a_new_link_ends_the_old_one(signed, charity_member):
    first, _ = milestones(signed)
    _c, old_token, old_code = services.confirmation_create(milestone=first, by=charity_member)
    services.confirmation_create(milestone=first, by=charity_member)
    with pytest.raises(ConfirmationRefused):
        services.confirmation_answer(token=old_token, code=old_code, outcome="confirmed", rating=4, note="")


def test_a_dispute_blocks_acceptance_until_resolved(signed, charity_member, second_approver):
    first, _ = milestones(signed)
    confirmation, token, code = services.confirmation_create(milestone=first, by=charity_member)
    services.confirmation_answer(token=token, code=code, outcome="disputed", rating=None, note="上周没有人来")
    deliver(first, charity_member)
    with pytest.raises(InvalidTransition):
        services.milestone_accept(milestone=first, by=second_approver)
    confirmation.refresh_from_db()
    services.dispute_resolve(
        confirmation=confirmation, by=second_approver, resolution="dismissed", note="核实服务记录属实"
    )
    assert services.milestone_accept(milestone=first, by=second_approver).state == MilestoneState.ACCEPTED


# --- Payments ------------------------------------------------------------------------


@pytest.fixture
def accepted(signed, charity_member, second_approver):
    first, _ = milestones(signed)
    deliver(first, charity_member)
    return services.milestone_accept(milestone=first, by=second_approver)


def test_nothing_is_paid_before_acceptance(signed, finance):
    _first, second = milestones(signed)
    with pytest.raises(PaymentRefused):
        services.payment_record(
            milestone=second, by=finance, amount=Decimal("100"), paid_on=timezone.localdate(), reference="GK-1"
        )
    assert not Payment.objects.exists()


def test_record_then_authorise_by_another(accepted, finance, second_finance, charity_member):
    upload, checked = pdf()
    payment = services.payment_record(
        milestone=accepted,
        by=finance,
        amount=Decimal("1000"),
        paid_on=timezone.localdate(),
        reference="GK-2026-001",
        proof=upload,
        checked=checked,
    )
    assert payment.state == PaymentState.RECORDED and payment.proof_name == "proof.pdf"
    with pytest.raises(SeparationOfDuties):
        services.payment_authorise(payment=payment, by=finance)
    services.payment_authorise(payment=payment, by=second_finance)
    accepted.refresh_from_db()
    assert accepted.paid_amount == Decimal("1000") and accepted.paid_at is None
    assert ledger.contract_balances(accepted.contract).paid == Decimal("1000")
    assert ledger.check(accepted.contract) == []
    assert Notification.objects.filter(user=charity_member, event="payment_made").exists()


@pytest.mark.parametrize(
    ("amount", "reference", "days_ahead"),
    [("1800.01", "GK-A", 0), ("0", "GK-B", 0), ("-5", "GK-C", 0), ("100", "", 0), ("100", "GK-D", 1)],
)
def test_bad_payments_are_refused(accepted, finance, amount, reference, days_ahead):
    with pytest.raises(PaymentRefused):
        services.payment_record(
            milestone=accepted,
            by=finance,
            amount=Decimal(amount),
            paid_on=timezone.localdate() + timedelta(days=days_ahead),
            reference=reference,
        )
    assert not Payment.objects.exists()


def test_a_reference_is_used_once(accepted, finance, second_finance):
    payment = services.payment_record(
        milestone=accepted, by=finance, amount=Decimal("500"), paid_on=timezone.localdate(), reference="GK-9"
    )
    services.payment_authorise(payment=payment, by=second_finance)
    with pytest.raises(PaymentRefused):
        services.payment_record(
            milestone=accepted, by=finance, amount=Decimal("500"), paid_on=timezone.localdate(), reference="GK-9"
        )


def test_the_acceptor_never_authorises(accepted, finance, second_approver):
    from accounts.models import Membership, Role, User

    Membership.objects.create(user=second_approver, role=Role.AGENCY_FINANCE, agency=accepted.contract.agency)
    second_approver = User.objects.get(pk=second_approver.pk)  # the new role, as a new request would see it
    payment = services.payment_record(
        milestone=accepted, by=finance, amount=Decimal("500"), paid_on=timezone.localdate(), reference="GK-10"
    )
    with pytest.raises(SeparationOfDuties):
        services.payment_authorise(payment=payment, by=second_approver)


def test_the_database_refuses_paying_more_than_accepted(accepted):
    with pytest.raises(IntegrityError), transaction.atomic():
        type(accepted).objects.filter(pk=accepted.pk).update(paid_amount=Decimal("1800.01"))


def test_a_reversed_payment_no_longer_counts(accepted, finance, second_finance):
    payment = services.payment_record(
        milestone=accepted, by=finance, amount=Decimal("1800"), paid_on=timezone.localdate(), reference="GK-11"
    )
    services.payment_authorise(payment=payment, by=second_finance)
    entry = accepted.contract.journal.get(kind="payment")
    with pytest.raises(ReasonRequired):
        services.journal_reverse(entry=entry, by=finance, reason="")
    services.journal_reverse(entry=entry, by=finance, reason="国库退回，账号有误")
    with pytest.raises(InvalidTransition):
        services.journal_reverse(entry=entry, by=finance, reason="再次冲销")
    accepted.refresh_from_db()
    assert accepted.paid_amount == 0
    assert Payment.objects.get(pk=payment.pk).state == PaymentState.REVERSED
    assert ledger.check(accepted.contract) == []


# --- Completion ----------------------------------------------------------------------


def test_evaluate_and_close(signed, charity_member, second_approver, finance, second_finance, claimed_need):
    for n, milestone in enumerate(milestones(signed)):
        if n == 0:
            _c, token, code = services.confirmation_create(milestone=milestone, by=charity_member)
            services.confirmation_answer(token=token, code=code, outcome="confirmed", rating=4, note="")
        deliver(milestone, charity_member)
        services.milestone_accept(milestone=milestone, by=second_approver)
    signed.refresh_from_db()
    assert signed.state == ContractState.COMPLETED
    with pytest.raises(TermsInvalid) as refused:
        services.contract_close(contract=signed, by=second_approver)
    assert len(refused.value.problems) == 3
    for i, milestone in enumerate(milestones(signed)):
        payment = services.payment_record(
            milestone=milestone, by=finance, amount=Decimal("1800"), paid_on=timezone.localdate(), reference=f"P{i}"
        )
        services.payment_authorise(payment=payment, by=second_finance)
    indicators = list(services.current_version(signed).indicators.all())
    with pytest.raises(TermsInvalid):
        services.contract_evaluate(
            contract=signed, by=second_approver, scores={indicators[0].pk: (5, "")}, summary="服务良好"
        )
    with pytest.raises(TermsInvalid):
        services.contract_evaluate(
            contract=signed, by=second_approver, scores={i.pk: (6, "") for i in indicators}, summary="服务良好"
        )
    evaluation = services.contract_evaluate(
        contract=signed,
        by=second_approver,
        scores={indicators[0].pk: (5, ""), indicators[1].pk: (4, "")},
        summary="服务良好",
    )
    assert evaluation.score == Decimal("4.50") and evaluation.beneficiary_rating == Decimal("4.00")
    assert evaluation.on_time
    upload, checked = pdf("final.pdf")
    services.final_report_upload(contract=signed, by=charity_member, upload=upload, checked=checked)
    services.contract_close(contract=signed, by=second_approver)
    signed.refresh_from_db()
    claimed_need.refresh_from_db()
    assert signed.state == ContractState.CLOSED and claimed_need.state == NeedState.FULFILLED
    assert ledger.check(signed) == []
    assert ledger.contract_balances(signed).committed == 0


def test_termination_settles_and_releases(signed, charity_member, second_approver, claimed_need):
    first, _second = milestones(signed)
    deliver(first, charity_member)
    services.milestone_accept(milestone=first, by=second_approver)
    with pytest.raises(TermsInvalid):
        services.contract_terminate(
            contract=signed, by=second_approver, reason="机构停止运营", settlement=Decimal("1800.01")
        )
    services.contract_terminate(
        contract=signed,
        by=second_approver,
        reason="机构停止运营",
        settlement=Decimal("600"),
        settlement_description="第二阶段已完成三分之一",
    )
    signed.refresh_from_db()
    claimed_need.refresh_from_db()
    assert signed.state == ContractState.TERMINATED and claimed_need.state == NeedState.CLOSED
    b = ledger.contract_balances(signed)
    assert (b.committed, b.payable) == (Decimal("0"), Decimal("2400"))
    assert ledger.check(signed) == []


# --- The clock -----------------------------------------------------------------------


def test_overdue_payment_escalates_once(accepted, agency_admin, approver):
    type(accepted).objects.filter(pk=accepted.pk).update(payment_due=timezone.localdate() - timedelta(days=1))
    assert services.contracts_clock_run()["payment_overdue"] == 1
    assert services.contracts_clock_run()["payment_overdue"] == 0
    assert Notification.objects.filter(user=agency_admin, event="payment_overdue").count() == 1
    assert Notification.objects.filter(user=approver, event="payment_overdue").count() == 1


def test_reminder_before_the_due_date(accepted, finance):
    type(accepted).objects.filter(pk=accepted.pk).update(payment_due=timezone.localdate() + timedelta(days=3))
    assert services.contracts_clock_run()["reminded"] == 1
    assert Notification.objects.filter(user=finance, event="payment_due_soon").count() == 1


def test_work_waiting_over_fifteen_days_escalates(signed, charity_member, agency_admin):
    first, _ = milestones(signed)
    deliver(first, charity_member)
    type(first).objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=16))
    assert services.contracts_clock_run()["acceptance_overdue"] == 1
    assert Notification.objects.filter(user=agency_admin, event="acceptance_overdue").exists()


def test_every_step_in_the_history_reads_as_words(signed, charity_member, second_approver, finance, second_finance):
    from contracts.models import EVENT_LABELS, ContractEvent

    first, _second = milestones(signed)
    _c, token, code = services.confirmation_create(milestone=first, by=charity_member)
    services.confirmation_answer(token=token, code=code, outcome="confirmed", rating=5, note="")
    deliver(first, charity_member)
    services.milestone_accept(milestone=first, by=second_approver)
    payment = services.payment_record(
        milestone=first, by=finance, amount=Decimal("100"), paid_on=timezone.localdate(), reference="GK-W"
    )
    services.payment_authorise(payment=payment, by=second_finance)
    actions = set(ContractEvent.objects.values_list("action", flat=True))
    assert actions - set(EVENT_LABELS) == set(), "a step the history would show as a code"
    assert len(actions) >= 10
