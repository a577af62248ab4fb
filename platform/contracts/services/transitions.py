"""The one door of each contract workflow (contracts.workflow): the only code that
writes a contract's, a version's, a milestone's or a payment's state.

Each door is used as a block::

    with milestone_transition(milestone=milestone, action="accept", by=by) as step:
        step.write(accepted_at=now, ...)   # the target state and these fields, one save
        ...                                # the step's effects (journal, notifications)
        step.summary = {"amount": ...}     # what the event and its audit entry say

On entering, it opens a transaction, locks the rows (contract, then milestone, then
payment: one order everywhere, so two steps never wait on each other), and asks the
table in the order the services have always asked: who (the actor), the state, what
else must hold (precondition), the reason, what must be ready. On leaving the block it
writes the state if the body did not, and appends the ContractEvent with its audit
entry (but not for an ALONG step, which the leading step's event tells). An exception
in the block rolls all of it back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.actions import check_actor
from contracts.exceptions import InvalidTransition, ReasonRequired
from contracts.models import Contract, ContractVersion, Milestone, Payment
from contracts.selectors import open_version
from contracts.services.common import contract_event, lock_contract, lock_milestone
from contracts.workflow import (
    CONTRACT_TRANSITIONS,
    MILESTONE_TRANSITIONS,
    NOT_A_PERSON,
    PAYMENT_TRANSITIONS,
    VERSION_TRANSITIONS,
    Actor,
    Step,
)
from core.workflow import STAYS


class Taking:
    """A step being taken: the locked ``subject`` and ``contract``, and what its event
    will say (``summary``, and ``event`` when it is not named after the step)."""

    def __init__(self, step: Step, subject, contract: Contract, by: User | None, reason: str, milestone=None):
        self.step, self.subject, self.contract, self.by, self.reason = step, subject, contract, by, reason
        self.milestone = milestone  # the milestone the event is about, if any
        self.summary: dict = {}
        self.event = step.action
        self.written = False

    def write(self, **fields) -> None:
        """Write the step's target state (unless the step keeps it) and ``fields`` in one save."""
        names = list(fields)
        if self.step.target != STAYS:
            self.subject.state = self.step.target
            names.insert(0, "state")
        for name, value in fields.items():
            setattr(self.subject, name, value)
        if names:
            self.subject.save(update_fields=names)
        self.written = True

    def finish(self) -> None:
        if not self.written:
            self.write()
        if self.step.actor != Actor.ALONG:
            contract_event(
                self.contract, self.event, self.by, milestone=self.milestone, reason=self.reason, summary=self.summary
            )


def check_step(
    step: Step, *, state: str | None, by: User | None, subject, contract: Contract, reason: str = ""
) -> None:
    """Ask the table whether ``by`` may take ``step`` on ``subject`` now; raise the
    step's refusal (a ContractError) otherwise."""
    if step.actor not in NOT_A_PERSON:
        check_actor(step, by, contract)
    if state not in step.sources:
        raise step.refused()
    if step.precondition is not None:
        step.precondition(step, subject, contract, by)
    if step.needs_reason and not reason.strip():
        raise ReasonRequired(_("Give a reason; it is kept with the contract."))
    if step.ready is not None:
        step.ready(step, subject, contract, by)


def _step(table: dict[str, Step], action: str) -> Step:
    step = table.get(action)
    if step is None:
        raise InvalidTransition(_("Unknown action."))
    return step


@contextmanager
def contract_transition(*, contract: Contract, action: str, by: User | None, reason: str = "") -> Iterator[Taking]:
    """A step of the contract itself (workflow.CONTRACT_TRANSITIONS)."""
    step = _step(CONTRACT_TRANSITIONS, action)
    with transaction.atomic():
        contract = lock_contract(contract)
        check_step(step, state=contract.state, by=by, subject=contract, contract=contract, reason=reason)
        taking = Taking(step, contract, contract, by, reason)
        yield taking
        taking.finish()


@contextmanager
def version_transition(
    *, contract: Contract, action: str, by: User | None, reason: str = "", version: ContractVersion | None = None
) -> Iterator[Taking]:
    """A step of a version of the terms (workflow.VERSION_TRANSITIONS): of ``version``,
    or else of the one in the making."""
    step = _step(VERSION_TRANSITIONS, action)
    with transaction.atomic():
        contract = lock_contract(contract)
        version = version or open_version(contract)
        if version is not None:
            version = ContractVersion.objects.select_for_update().get(pk=version.pk)
            version.contract = contract
        state = version.state if version is not None else None
        check_step(step, state=state, by=by, subject=version, contract=contract, reason=reason)
        taking = Taking(step, version, contract, by, reason)
        yield taking
        taking.finish()


@contextmanager
def milestone_transition(*, milestone: Milestone, action: str, by: User | None, reason: str = "") -> Iterator[Taking]:
    """A step of a milestone (workflow.MILESTONE_TRANSITIONS)."""
    step = _step(MILESTONE_TRANSITIONS, action)
    with transaction.atomic():
        contract = lock_contract(Contract(pk=milestone.contract_id))
        milestone = lock_milestone(milestone)
        milestone.contract = contract
        check_step(step, state=milestone.state, by=by, subject=milestone, contract=contract, reason=reason)
        taking = Taking(step, milestone, contract, by, reason, milestone=milestone)
        yield taking
        taking.finish()


@contextmanager
def payment_transition(*, payment: Payment, action: str, by: User | None, reason: str = "") -> Iterator[Taking]:
    """A step of a recorded payment (workflow.PAYMENT_TRANSITIONS)."""
    step = _step(PAYMENT_TRANSITIONS, action)
    with transaction.atomic():
        contract = lock_contract(Contract(pk=payment.contract_id))
        milestone = lock_milestone(Milestone(pk=payment.milestone_id))
        milestone.contract = contract
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        payment.contract, payment.milestone = contract, milestone
        check_step(step, state=payment.state, by=by, subject=payment, contract=contract, reason=reason)
        taking = Taking(step, payment, contract, by, reason, milestone=milestone)
        yield taking
        taking.finish()


def milestones_cancel(*, milestones: QuerySet[Milestone], reason: str) -> None:
    """Cancel every milestone of ``milestones`` the table allows (an amendment drops them
    from the schedule, a termination ends them), with the step's reason. Part of that
    step, under its lock of the contract; its event tells it."""
    step = MILESTONE_TRANSITIONS["cancel"]
    milestones.filter(state__in=step.sources).update(state=step.target, state_reason=reason)


def settlement_create(
    *, contract: Contract, by: User, amount: Decimal, description: str, at: datetime, due: date
) -> Milestone:
    """The delivered work settled on termination: a milestone created accepted, with no
    terms, payable by ``due``. Part of the termination, under its lock of the contract."""
    step = MILESTONE_TRANSITIONS["settle"]
    return Milestone.objects.create(
        contract=contract,
        settlement=True,
        settlement_description=description,
        state=step.target,
        accepted_at=at,
        accepted_by=by,
        accepted_amount=amount,
        payment_due=due,
    )
