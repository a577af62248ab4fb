"""What a person may do with a contract, read from the workflow tables.

``contract_actions``, ``milestone_actions``, ``payment_actions`` and ``entry_actions``
give the steps a person may take now (the table's source state, actor and
precondition); the pages show a button for each. ``may_take`` answers only the actor
column, whatever the state: a view refuses anyone else before reading their form. The
services ask the same rows through their one door (``check_actor`` below), so a page
and a service never disagree on who may do what.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from accounts import policy
from contracts.exceptions import NotAllowed, SeparationOfDuties
from contracts.models import Contract, JournalEntry, Milestone, Payment
from contracts.selectors import open_version
from contracts.workflow import (
    CONTRACT_TRANSITIONS,
    JOURNAL_TRANSITIONS,
    MILESTONE_TRANSITIONS,
    NOT_A_PERSON,
    PAYMENT_TRANSITIONS,
    VERSION_TRANSITIONS,
    Actor,
    Step,
)
from core.errors import DomainError


def may_draft(user, need) -> bool:
    """Who drafts a need's contract: the table's drafter, for the need's agency."""
    return policy.can_draft_contract(user, need.agency)


def _acceptor(user, contract: Contract) -> None:
    if policy.can_accept_milestone(user, contract):
        return
    if policy.can_sign_for_agency(user, contract.agency):
        raise SeparationOfDuties(_("You prepared this contract, so another approver must decide on its work."))
    raise NotAllowed(_("Only an approver of the buying agency decides on its contracts' work."))


def _is(allowed: Callable[[object, Contract], bool], refusal: str) -> Callable[[object, Contract], None]:
    def check(user, contract: Contract) -> None:
        if not allowed(user, contract):
            raise NotAllowed(refusal)

    return check


# Who each actor is, by accounts.policy, and the refusal (a 403 that names nothing).
ACTORS: dict[str, Callable[[object, Contract], None]] = {
    Actor.DRAFTER: _is(
        lambda user, c: may_draft(user, c),
        _("Only caseworkers and approvers of the buying agency draft its contracts."),
    ),
    Actor.AGENCY_SIGNATORY: _is(
        lambda user, c: policy.can_sign_for_agency(user, c.agency),
        _("Only an approver of this agency takes this decision."),
    ),
    Actor.AGENCY_SIDE: _is(
        lambda user, c: may_draft(user, c) or policy.can_sign_for_agency(user, c.agency),
        _("Only the parties' signatories recall or decline a contract."),
    ),
    Actor.ORGANISATION_SIGNATORY: _is(
        lambda user, c: policy.can_sign_for_organisation(user, c.organisation),
        _("Only an administrator of the organisation signs for it."),
    ),
    Actor.WORKER: _is(
        policy.can_work_on_contract,
        _("Only members of the contracted organisation record its work."),
    ),
    Actor.ACCEPTOR: _acceptor,
    Actor.FINANCE: _is(
        lambda user, c: policy.can_handle_payments(user, c.agency),
        _("Only finance officers of the buying agency decide on its payments."),
    ),
}


def check_actor(step: Step, user, contract: Contract) -> None:
    """Raise NotAllowed (or SeparationOfDuties) unless ``user`` is the step's actor for
    this contract. Steps of the service itself (SYSTEM, ALONG) are nobody's to take."""
    if step.actor in NOT_A_PERSON:
        raise NotAllowed(_("This step follows the contract's own steps."))
    ACTORS[step.actor](user, contract)


def may_take(user, step: Step, *, contract: Contract) -> bool:
    """Whether ``user`` is who the table says takes ``step`` of this contract, whatever
    state things are in now."""
    try:
        check_actor(step, user, contract)
    except NotAllowed:
        return False
    return True


def offered(step: Step, user, *, state: str, subject, contract: Contract) -> bool:
    """The step may be taken now by ``user``: the state, the actor and the precondition
    hold (what must still be ready is the service's to say)."""
    if state not in step.sources:
        return False
    try:
        check_actor(step, user, contract)
        if step.precondition is not None:
            step.precondition(step, subject, contract, user)
    except DomainError:
        return False
    return True


def _offered(table: dict[str, Step], user, *, state: str, subject, contract: Contract) -> dict[str, Step]:
    return {
        name: step
        for name, step in table.items()
        if step.actor not in NOT_A_PERSON and offered(step, user, state=state, subject=subject, contract=contract)
    }


def contract_actions(user, contract: Contract) -> dict[str, Step]:
    """The steps ``user`` may take on the contract and on its version in the making,
    by name (``actions.send``, ``actions.terminate`` in a template)."""
    actions = _offered(CONTRACT_TRANSITIONS, user, state=contract.state, subject=contract, contract=contract)
    pending = open_version(contract)
    if pending is not None:
        actions |= _offered(VERSION_TRANSITIONS, user, state=pending.state, subject=pending, contract=contract)
    return actions


def milestone_actions(user, milestone: Milestone) -> dict[str, Step]:
    """The steps ``user`` may take on a milestone (its contract is ``milestone.contract``)."""
    contract = milestone.contract
    return _offered(MILESTONE_TRANSITIONS, user, state=milestone.state, subject=milestone, contract=contract)


def payment_actions(user, payment: Payment) -> dict[str, Step]:
    """The steps ``user`` may take on a recorded payment (its contract is its milestone's)."""
    contract = payment.milestone.contract
    return _offered(PAYMENT_TRANSITIONS, user, state=payment.state, subject=payment, contract=contract)


def entry_actions(user, entry: JournalEntry) -> dict[str, Step]:
    """The corrections ``user`` may make to a journal entry."""
    return _offered(JOURNAL_TRANSITIONS, user, state=entry.kind, subject=entry, contract=entry.contract)
