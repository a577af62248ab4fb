"""The end of a contract: termination of a contract in force, the organisation's final
report, the agency's evaluation (绩效评价) and closing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from contracts import ledger
from contracts.actions import check_actor
from contracts.exceptions import ReasonRequired, TermsInvalid
from contracts.models import Contract, EntryKind, Evaluation, FinalReport, IndicatorScore
from contracts.register import register_refresh
from contracts.selectors import ZERO, beneficiary_ratings, current_version, delivered_on_time, open_version
from contracts.services.common import agency_people, identity_refuse, organisation_people, tell
from contracts.services.transitions import (
    contract_transition,
    milestones_cancel,
    settlement_create,
    version_transition,
)
from contracts.workflow import CONTRACT_TRANSITIONS
from needs.services import need_transition


def contract_terminate(
    *, contract: Contract, by: User, reason: str, settlement: Decimal = ZERO, settlement_description: str = ""
) -> Contract:
    """End a contract in force early. What was accepted stays payable; work delivered
    but not accepted may be settled for an amount (it becomes payable at once); the
    rest of the commitment is released; the need closes.

    Precondition: the table's ``terminate`` (an approver of the buying agency; the
    contract in force), a reason of four characters or more, a settlement between 0 and
    what is not yet accepted (with what it pays for), texts that do not identify the
    person. Side effects: the version in the making discarded, the open milestones
    cancelled, the settlement milestone and its acceptance, the release in the journal,
    the register's figures, a ``terminate`` event, the need closed; both parties told.
    """
    reason = reason.strip()
    settlement = Decimal(settlement or 0)
    check_actor(CONTRACT_TRANSITIONS["terminate"], by, contract)
    if len(reason) < 4:
        raise ReasonRequired(_("Give the reason for terminating; it is kept with the contract."))
    identity_refuse(contract, {"reason": reason, "settlement_description": settlement_description})
    with transaction.atomic():
        with contract_transition(contract=contract, action="terminate", by=by, reason=reason) as step:
            contract = step.contract
            accepted = contract.milestones.aggregate(s=Sum("accepted_amount"))["s"] or ZERO
            left = contract.price - accepted
            if settlement < 0 or settlement > left:
                raise TermsInvalid(
                    _("The settlement must be between 0 and what is not yet accepted, %(left)s.")
                    % {"left": f"{left:,.2f}"}
                )
            if settlement and len(settlement_description.strip()) < 4:
                raise ReasonRequired(_("Say what delivered work the settlement pays for."))
            if open_version(contract) is not None:
                with version_transition(contract=contract, action="void", by=by):
                    pass
            now = timezone.now()
            milestones_cancel(milestones=contract.milestones.all(), reason=reason)
            if settlement:
                milestone = settlement_create(
                    contract=contract,
                    by=by,
                    amount=settlement,
                    description=settlement_description.strip(),
                    at=now,
                    due=timezone.localdate() + timedelta(days=contract.payment_days),
                )
                ledger.post(
                    contract=contract,
                    kind=EntryKind.ACCEPTANCE,
                    memo=_("Settlement on termination"),
                    lines=ledger.acceptance(settlement),
                    by=by,
                    milestone=milestone,
                )
            if left - settlement:
                ledger.post(
                    contract=contract,
                    kind=EntryKind.RELEASE,
                    memo=_("Commitment released on termination"),
                    lines=ledger.commitment(-(left - settlement)),
                    by=by,
                )
            step.write(terminated_at=now, state_reason=reason)
            register_refresh(contract)
            step.summary = {"settlement": str(settlement)}
        need_transition(need=contract.need, action="close", by=by, reason=reason, contract=contract)
        people = agency_people(contract, Role.AGENCY_APPROVER, Role.AGENCY_FINANCE, Role.AGENCY_ADMIN)
        tell(people + organisation_people(contract), "contract_terminated", contract, exclude=by, reason=reason)
    return contract


def final_report_upload(*, contract: Contract, by: User, upload, checked) -> FinalReport:
    """The organisation's final report; ``checked`` is the vetting upload check's
    description of ``upload``.

    Precondition: the table's ``final_report`` (a member of the organisation; every
    milestone accepted; none uploaded yet). Side effects: the report in private storage
    and its event.
    """
    with contract_transition(contract=contract, action="final_report", by=by) as step:
        report = FinalReport(
            contract=step.contract,
            display_name=checked.display_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )
        report.file.save("report" + checked.extension, upload, save=False)
        report.save()
        step.summary = {"sha256": checked.sha256}
    return report


def contract_evaluate(*, contract: Contract, by: User, scores: dict[int, tuple[int, str]], summary: str) -> Evaluation:
    """绩效评价: the agency scores every indicator 1–5; beneficiaries' ratings join it.

    Precondition: the table's ``evaluate`` (an approver of the buying agency; every
    milestone accepted; not evaluated yet), a whole score from 1 to 5 for each indicator
    in force, an overall assessment; texts that do not identify the person. Side
    effects: the evaluation (with the beneficiaries' average rating and whether the work
    was on time), the register's score, the event.
    """
    check_actor(CONTRACT_TRANSITIONS["evaluate"], by, contract)
    summary = summary.strip()
    if len(summary) < 4:
        raise ReasonRequired(_("Write the overall assessment."))
    identity_refuse(
        contract, {"summary": summary} | {f"indicator-{pk}-notes": note for pk, (_score, note) in scores.items()}
    )
    with contract_transition(contract=contract, action="evaluate", by=by) as step:
        contract = step.contract
        indicators = list(current_version(contract).indicators.all())
        if {i.pk for i in indicators} != set(scores):
            raise TermsInvalid(_("Score every performance indicator."))
        if any(not isinstance(s, int) or not 1 <= s <= 5 for s, _n in scores.values()):
            raise TermsInvalid(_("Each score is a whole number from 1 to 5."))
        ratings = beneficiary_ratings(contract)
        average = Decimal(sum(s for s, _n in scores.values())) / len(scores)
        evaluation = Evaluation.objects.create(
            contract=contract,
            by=by,
            summary=summary,
            score=average.quantize(Decimal("0.01")),
            beneficiary_rating=(Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01")) if ratings else None,
            beneficiary_ratings=len(ratings),
            on_time=delivered_on_time(contract),
        )
        IndicatorScore.objects.bulk_create(
            [
                IndicatorScore(evaluation=evaluation, indicator=i, score=scores[i.pk][0], notes=scores[i.pk][1])
                for i in indicators
            ]
        )
        register_refresh(contract)
        step.summary = {"score": str(evaluation.score)}
    return evaluation


def contract_close(*, contract: Contract, by: User) -> Contract:
    """Close a delivered, evaluated and fully paid contract; the need is fulfilled.

    Precondition: the table's ``close`` (an approver of the buying agency; every
    milestone accepted; ``selectors.close_problems`` empty). Side effects: the contract
    closed, its event, the need fulfilled; the organisation and the preparer told.
    """
    with transaction.atomic():
        with contract_transition(contract=contract, action="close", by=by) as step:
            step.write(closed_at=timezone.now())
        contract = step.contract
        need_transition(need=contract.need, action="fulfil", by=by, contract=contract)
        tell([*organisation_people(contract), contract.prepared_by], "contract_closed", contract, exclude=by)
    return contract
