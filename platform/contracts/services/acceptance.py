"""Acceptance (验收): an approver who did not prepare the contract accepts submitted
work, starting the payment clock, or returns it; with every milestone accepted the
contract is delivered."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from contracts import ledger
from contracts.actions import check_actor
from contracts.exceptions import InvalidTransition, ReasonRequired
from contracts.models import Contract, EntryKind, Milestone
from contracts.register import register_refresh
from contracts.selectors import milestone_label, terms_of
from contracts.services.common import agency_people, identity_refuse, organisation_people, tell
from contracts.services.transitions import contract_transition, milestone_transition
from contracts.workflow import MILESTONE_TRANSITIONS


def milestone_accept(*, milestone: Milestone, by: User) -> Milestone:
    """验收: accept a submitted milestone at the amount its terms say.

    Precondition: the table's ``accept`` (an approver of the buying agency who did not
    prepare the contract; the milestone submitted, the contract in force; no open
    dispute, and for a service milestone the beneficiary's confirmation). Side effects:
    the milestone accepted with its payment due within the contract's payment days, the
    acceptance posted in the journal, the register's figures, an ``accept`` event; the
    organisation and the finance officers are told; the contract is complete if this
    was the last milestone.
    """
    with transaction.atomic():
        with milestone_transition(milestone=milestone, action="accept", by=by) as step:
            milestone, contract = step.subject, step.contract
            terms = terms_of(milestone)
            step.write(
                accepted_at=timezone.now(),
                accepted_by=by,
                accepted_amount=terms.amount,
                payment_due=timezone.localdate() + timedelta(days=contract.payment_days),
                state_reason="",
            )
            ledger.post(
                contract=contract,
                kind=EntryKind.ACCEPTANCE,
                memo=terms.description,
                lines=ledger.acceptance(terms.amount),
                by=by,
                milestone=milestone,
            )
            register_refresh(contract)
            step.summary = {"amount": str(terms.amount)}
            params = {"milestone": terms.description, "due": milestone.payment_due.isoformat()}
            tell(organisation_people(contract), "milestone_accepted", contract, **params)
            tell(agency_people(contract, Role.AGENCY_FINANCE), "payment_to_make", contract, exclude=by, **params)
        contract_complete_if_done(contract=contract, by=by)
    return milestone


def milestone_return(*, milestone: Milestone, by: User, reason: str) -> Milestone:
    """Send submitted work back to the organisation for more evidence.

    Precondition: the table's ``return`` (an approver who did not prepare the contract;
    the milestone submitted), a reason of four characters or more that does not identify
    the person. Side effects: the milestone returned with the reason, the event; the
    organisation is told.
    """
    reason = reason.strip()
    contract = Contract.objects.select_related("agency").get(pk=milestone.contract_id)  # as it is now
    check_actor(MILESTONE_TRANSITIONS["return"], by, contract)
    if len(reason) < 4:
        raise ReasonRequired(_("Say what is missing; the organisation sees it."))
    identity_refuse(contract, {"reason": reason})
    with milestone_transition(milestone=milestone, action="return", by=by, reason=reason) as step:
        milestone, contract = step.subject, step.contract
        step.write(state_reason=reason)
        tell(
            organisation_people(contract),
            "milestone_returned",
            contract,
            milestone=milestone_label(milestone),
            reason=reason,
        )
    return milestone


def contract_complete_if_done(*, contract: Contract, by: User | None) -> None:
    """Take the table's ``complete`` once every milestone not cancelled is accepted: the
    contract is delivered, with its event; the agency's approvers and the organisation's
    administrators are told. Nothing happens otherwise."""
    try:
        with contract_transition(contract=contract, action="complete", by=by) as step:
            step.write(completed_at=timezone.now())
            tell(
                agency_people(step.contract, Role.AGENCY_APPROVER) + organisation_people(step.contract, Role.ORG_ADMIN),
                "contract_completed",
                step.contract,
            )
    except InvalidTransition:
        return  # work still to accept, or the contract is not in force
