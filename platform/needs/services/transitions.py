"""The one door for a need's states (``need_transition``) and for its proposals' (``proposal_transition``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from audit.services import record
from needs.exceptions import (
    AlreadyTaken,
    ConflictOfInterest,
    DuplicatesNeedReason,
    GapGateNotPassed,
    InvalidTransition,
    NotAllowed,
    NotEligible,
    ReasonRequired,
)
from needs.models import Need, NeedEvent, NeedState, Proposal, ProposalState, Scope
from needs.rules import CARD_TEXTS
from needs.selectors import (
    ACTIVE_CASE_STATES,
    claim_obstacles,
    identity_known_for_need,
    is_declared_relative,
    open_duplicates,
)
from needs.services.notices import _notify_step, _tell_invited, notify_organisation
from needs.services.recording import _check_text, gap_gate_problems
from needs.workflow import PROPOSAL_TRANSITIONS, TRANSITIONS, Actor, actor_refusal, response_window, route_refusal
from notifications.services import url_for
from organisations.models import Organisation

if TYPE_CHECKING:
    from contracts.models import Contract


def need_transition(
    *,
    need: Need,
    action: str,
    by: User | None,
    reason: str = "",
    organisation: Organisation | None = None,
    contract: Contract | None = None,
) -> Need:
    """Move a need along the workflow (needs.workflow.TRANSITIONS).

    Locks the row, checks the table, the person (separation of duties: the preparer
    never approves) and the preconditions (the gap gate on submission), writes the
    state, appends a NeedEvent and an audit entry. Raises a NeedError and changes
    nothing otherwise.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidTransition(_("Unknown action."))
    reason = reason.strip()
    with transaction.atomic():
        need = Need.objects.select_for_update().select_related("agency").get(pk=need.pk)
        source = need.state
        if action == "claim" and source in ACTIVE_CASE_STATES:
            # The row lock makes this the answer every later accept gets, exactly one winner.
            raise AlreadyTaken(_("Another organisation has already taken this need on."))
        if source not in transition.sources:
            raise InvalidTransition(
                _("A need that is %(state)s cannot be given “%(action)s”.")
                % {"state": need.get_state_display(), "action": transition.label}
            )
        now = timezone.now()
        if transition.actor == Actor.ORGANISATION:
            _check_claimant(need, organisation, by)
        elif refusal := actor_refusal(transition, need, by, contract=contract, now=now):
            raise refusal
        if action in {"publish", "open_proposals"} and need.scope == Scope.INVITED and not need.invitations.exists():
            raise InvalidTransition(_("Invite at least one organisation first: this need is for invited ones only."))
        if refusal := route_refusal(transition, need):
            raise refusal
        if action in COI_CHECKED and by is not None and is_declared_relative(by, need.beneficiary):
            raise ConflictOfInterest(
                _("This person is a relative you declared: another colleague must take this step.")
            )
        if transition.needs_reason and not reason:
            raise ReasonRequired(_("Give a reason; it is kept with the need."))
        if action in {"submit", "approve"}:
            duplicates = open_duplicates(need)
            if duplicates and not reason:
                raise DuplicatesNeedReason(
                    _("The same person has other open needs; say why this one should still go ahead."), duplicates
                )
            if duplicates:
                record(
                    action="need.duplicates_acknowledged",
                    actor=by,
                    obj=need,
                    summary={"duplicates": [f"{agency}: {state}" for agency, state in duplicates], "reason": reason},
                )
        if action == "submit":
            problems = gap_gate_problems(need)
            if problems:
                raise GapGateNotPassed(_("The statutory-aid check does not allow submission yet."), problems)
            _check_text({f: getattr(need, f) for f in CARD_TEXTS}, known=identity_known_for_need(need))
            need.submitted_at = now
        elif action == "approve":
            need.approved_by, need.approved_at = by, now
        elif action in {"publish", "open_proposals"}:
            need.published_at = now
            need.response_deadline = now + response_window(need.urgency)
        elif action == "claim":
            need.claimed_by, need.claimed_by_user, need.claimed_at = organisation, by, now
        elif action == "award":
            need.claimed_by, need.claimed_at = organisation, now
        elif action == "close_proposals":
            need.proposals_closed_at = now
        if action in {"return", "withdraw"}:
            need.state_reason = reason
        elif action not in {"publish", "open_proposals", "close_proposals"}:
            need.state_reason = ""
        need.state = transition.target
        need.save()
        NeedEvent.objects.create(
            need=need, action=action, from_state=source, to_state=transition.target, by=by, reason=reason
        )
        record(
            action=f"need.{action}",
            actor=by,
            obj=need,
            summary={
                "before": {"state": source},
                "after": {"state": transition.target},
                "reason": reason,
                **({"organisation": organisation.pk} if organisation is not None else {}),
            },
        )
        if action in {"publish", "open_proposals"}:
            for invitation in need.invitations.select_related("organisation"):
                _tell_invited(need, invitation.organisation)
        if action == "withdraw" and source in {NeedState.PROPOSALS_OPEN, NeedState.PROPOSALS_CLOSED}:
            _void_proposals(need)
        _notify_step(need, action, organisation=organisation)
    return need


# Steps where a declared relative of the person taking them blocks that person.
COI_CHECKED = {"submit", "approve", "award"}


def proposal_transition(*, proposals: QuerySet[Proposal], action: str, **fields: object) -> int:
    """The one door for proposals' states (``needs.workflow.PROPOSAL_TRANSITIONS``): those
    of ``proposals`` in the step's source states move to its target, ``fields`` written
    beside it, in one conditional update. The caller holds the need's row lock and has
    checked who acts (the organisation for its own, the need's award or withdrawal for
    the rest). Returns how many moved."""
    step = PROPOSAL_TRANSITIONS[action]
    return proposals.filter(state__in=step.sources).update(state=step.target, **fields)


def _void_proposals(need: Need) -> None:
    """A withdrawn need's proposals are void; their organisations are told."""
    proposals = list(need.proposals.filter(state=ProposalState.SUBMITTED).select_related("organisation"))
    proposal_transition(proposals=need.proposals.all(), action="void")
    for proposal in proposals:
        notify_organisation(
            proposal.organisation,
            event="proposal_void",
            params={"need": need.reference, "title": need.title},
            url=url_for("needs:detail", need.pk),
        )


def _check_claimant(need: Need, organisation: Organisation | None, by: User | None) -> None:
    if organisation is None or organisation.pk not in policy.organisation_ids(by):
        raise NotAllowed(_("Only a member of the organisation can take a need on for it."))
    problems = claim_obstacles(organisation, need)
    if problems:
        raise NotEligible(" ".join(problems))
