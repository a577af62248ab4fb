"""The need workflow as data. `needs.services.need_transition` is the one door.

Small or urgent needs are published for a direct claim; the rest open for sealed
proposals, which close at the deadline and end in an award (needs.proposals).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts import policy
from core.errors import DomainError
from core.workflow import Transition, transition_table
from needs.exceptions import InvalidTransition, NotAllowed, ProposalsSealed, SeparationOfDuties
from needs.models import Need, Urgency
from needs.models import NeedState as S
from needs.models import ProposalState as P

if TYPE_CHECKING:
    from accounts.types import AnyUser
    from contracts.models import Contract


class Actor:
    CASEWORKER = "caseworker"  # a caseworker (or approver) of the need's agency
    APPROVER = "approver"  # an approver of the need's agency or an agency above it
    PREPARER_OR_APPROVER = "preparer_or_approver"
    ORGANISATION = "organisation"  # a member of an organisation that may act and is eligible
    SYSTEM = "system"  # the escalation sweep
    DEADLINE = "deadline"  # the sweep, or agency staff once the deadline has passed
    CONTRACT = "contract"  # the contracts service, as its contract's steps happen


TRANSITIONS: dict[str, Transition] = transition_table(
    Transition("submit", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, Actor.CASEWORKER, _("Submit for approval")),
    Transition("approve", frozenset({S.SUBMITTED}), S.APPROVED, Actor.APPROVER, _("Approve")),
    Transition("return", frozenset({S.SUBMITTED}), S.RETURNED, Actor.APPROVER, _("Return for changes"), True),
    Transition("publish", frozenset({S.APPROVED}), S.PUBLISHED, Actor.APPROVER, _("Publish")),
    Transition("open_proposals", frozenset({S.APPROVED}), S.PROPOSALS_OPEN, Actor.APPROVER, _("Publish for proposals")),
    Transition("claim", frozenset({S.PUBLISHED}), S.CLAIMED, Actor.ORGANISATION, _("Take on this need")),
    Transition(
        "close_proposals", frozenset({S.PROPOSALS_OPEN}), S.PROPOSALS_CLOSED, Actor.DEADLINE, _("Close the proposals")
    ),
    Transition("award", frozenset({S.PROPOSALS_CLOSED}), S.AWARDED, Actor.APPROVER, _("Award"), True),
    Transition("contract", frozenset({S.CLAIMED, S.AWARDED}), S.IN_CONTRACT, Actor.CONTRACT, _("Contract signed")),
    Transition("fulfil", frozenset({S.IN_CONTRACT}), S.FULFILLED, Actor.CONTRACT, _("Fulfilled")),
    Transition("close", frozenset({S.IN_CONTRACT}), S.CLOSED, Actor.CONTRACT, _("Closed"), True),
    Transition("expire", frozenset({S.PUBLISHED, S.PROPOSALS_OPEN}), S.EXPIRED, Actor.SYSTEM, _("Expire")),
    Transition(
        "withdraw",
        frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.PUBLISHED, S.PROPOSALS_OPEN, S.PROPOSALS_CLOSED}),
        S.WITHDRAWN,
        Actor.PREPARER_OR_APPROVER,
        _("Withdraw"),
        needs_reason=True,
        destructive=True,
    ),
)

# A proposal, the organisation's sealed offer for a need open for proposals. One door:
# needs.services.proposal_transition. Submitting again before the deadline changes it.
PROPOSAL_TRANSITIONS: dict[str, Transition] = transition_table(
    Transition("submit", frozenset({P.SUBMITTED, P.WITHDRAWN}), P.SUBMITTED, Actor.ORGANISATION, _("Submit")),
    Transition("withdraw", frozenset({P.SUBMITTED}), P.WITHDRAWN, Actor.ORGANISATION, _("Withdraw"), destructive=True),
    # The need's award chooses one standing proposal; the others are not chosen.
    Transition("choose", frozenset({P.SUBMITTED}), P.AWARDED, Actor.APPROVER, _("Choose")),
    Transition("pass_over", frozenset({P.SUBMITTED}), P.NOT_AWARDED, Actor.APPROVER, _("Not chosen")),
    # The need was withdrawn: its standing proposals are void.
    Transition("void", frozenset({P.SUBMITTED}), P.VOID, Actor.PREPARER_OR_APPROVER, _("Void")),
)

EDITABLE_STATES = frozenset({S.DRAFT, S.RETURNED})

DEFAULT_RESPONSE_HOURS = {Urgency.EMERGENCY: 24, Urgency.URGENT: 72, Urgency.ROUTINE: 14 * 24}


def response_window(urgency: str) -> timedelta:
    """How long organisations have to respond, by urgency (NEED_RESPONSE_HOURS overrides)."""
    hours = {**DEFAULT_RESPONSE_HOURS, **getattr(settings, "NEED_RESPONSE_HOURS", {})}
    return timedelta(hours=hours[urgency])


# Small or urgent needs are taken on directly by the first eligible organisation;
# larger ones go to proposals. NEED_CLAIM_MAX_BUDGET (CNY) overrides the threshold.
DEFAULT_CLAIM_MAX_BUDGET = 5000


def claimable(need: Need) -> bool:
    limit = Decimal(str(getattr(settings, "NEED_CLAIM_MAX_BUDGET", DEFAULT_CLAIM_MAX_BUDGET)))
    return need.urgency == Urgency.EMERGENCY or need.budget <= limit


# Above this budget (CNY) an award needs at least three proposals, or a recorded reason
# why fewer are enough. NEED_COMPETITIVE_THRESHOLD overrides.
DEFAULT_COMPETITIVE_THRESHOLD = 50000
MIN_COMPETING_PROPOSALS = 3


def competitive(need: Need) -> bool:
    limit = Decimal(str(getattr(settings, "NEED_COMPETITIVE_THRESHOLD", DEFAULT_COMPETITIVE_THRESHOLD)))
    return need.budget > limit


# How proposals are weighed unless the approver sets other weights when opening them.
DEFAULT_WEIGHTS = {"plan": 35, "team": 25, "timeline": 10, "price": 30}


# Escalation widens the audience one step when nobody responded in time.
WIDER_SCOPE = {"invited": "region", "region": "all", "all": "all"}


# --- Who may take a transition, and when: the one answer -------------------------------
# `needs.selectors.need_actions` reads it to offer the steps, `need_transition` to refuse
# them; the claim's eligibility (an organisation's obstacles) is `claim_obstacles`.


def actor_refusal(
    transition: Transition,
    need: Need,
    user: AnyUser | None,
    *,
    contract: Contract | None = None,
    now: datetime | None = None,
) -> DomainError | None:
    """Why ``user`` may not take ``transition`` on ``need`` as its actor, or None.

    Staff actors are read from ``accounts.policy``; the preparer never decides on their
    own need (separation of duties). ``user`` None is the system (a sweep or the contracts
    service). An organisation's claim is checked with the organisation it is made for."""
    actor = transition.actor
    if actor == Actor.ORGANISATION:
        if user is None or not policy.organisation_ids(user):
            return NotAllowed(gettext("Only a member of the organisation can take a need on for it."))
        return None
    if actor == Actor.SYSTEM:
        return NotAllowed(gettext("Only the escalation sweep expires needs.")) if user is not None else None
    if actor == Actor.CONTRACT:
        # Only the contracts service, with the need's own contract, takes these steps.
        if contract is None or contract.need_id != need.pk:
            return NotAllowed(gettext("This step follows the need's contract."))
        return None
    if actor == Actor.DEADLINE:
        if user is not None and not policy.can_record_need(user, need.agency):
            return NotAllowed(gettext("Only staff of this agency close its proposals."))
        if (now or timezone.now()) < need.response_deadline:
            return ProposalsSealed(
                gettext("Proposals stay sealed until the deadline, %(deadline)s.")
                % {"deadline": timezone.localtime(need.response_deadline).strftime("%Y-%m-%d %H:%M")}
            )
        return None
    if user is None:
        return NotAllowed(gettext("Only an approver of this agency takes this decision."))
    if actor == Actor.CASEWORKER:
        if not policy.can_record_need(user, need.agency):
            return NotAllowed(gettext("Only caseworkers and approvers of this agency submit its needs."))
        return None
    is_approver = policy.can_approve_need(user, need.agency)
    if actor == Actor.PREPARER_OR_APPROVER:
        if need.prepared_by_id != user.pk and not is_approver:
            return NotAllowed(gettext("Only the preparer or an approver may withdraw this need."))
        return None
    if not is_approver:
        return NotAllowed(gettext("Only an approver of this agency takes this decision."))
    if need.prepared_by_id == user.pk:
        return SeparationOfDuties(gettext("You prepared this need, so another approver must decide on it."))
    return None


def route_refusal(transition: Transition, need: Need) -> DomainError | None:
    """Which way a need goes out: small or urgent ones for a direct claim, the rest for
    proposals. The other way is refused (and not offered)."""
    if transition.action == "publish" and not claimable(need):
        return InvalidTransition(gettext("This need is above the direct-acceptance budget: publish it for proposals."))
    if transition.action == "open_proposals" and claimable(need):
        return InvalidTransition(gettext("This need is small or urgent: publish it for a direct claim."))
    return None
