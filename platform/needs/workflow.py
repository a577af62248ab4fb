"""The need workflow as data. `needs.services.need_transition` is the one door.

This covers recording to publication and withdrawal; claims, proposals and awards
add their transitions to the same table.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, transition_table
from needs.models import NeedState as S
from needs.models import Urgency


class Actor:
    CASEWORKER = "caseworker"  # a caseworker (or approver) of the need's agency
    APPROVER = "approver"  # an approver of the need's agency or an agency above it
    PREPARER_OR_APPROVER = "preparer_or_approver"
    ORGANISATION = "organisation"  # a member of an organisation that may act and is eligible
    SYSTEM = "system"  # the escalation sweep


TRANSITIONS: dict[str, Transition] = transition_table(
    Transition("submit", frozenset({S.DRAFT, S.RETURNED}), S.SUBMITTED, Actor.CASEWORKER, _("Submit for approval")),
    Transition("approve", frozenset({S.SUBMITTED}), S.APPROVED, Actor.APPROVER, _("Approve")),
    Transition("return", frozenset({S.SUBMITTED}), S.RETURNED, Actor.APPROVER, _("Return for changes"), True),
    Transition("publish", frozenset({S.APPROVED}), S.PUBLISHED, Actor.APPROVER, _("Publish")),
    Transition("claim", frozenset({S.PUBLISHED}), S.CLAIMED, Actor.ORGANISATION, _("Take on this need")),
    Transition("expire", frozenset({S.PUBLISHED}), S.EXPIRED, Actor.SYSTEM, _("Expire")),
    Transition(
        "withdraw",
        frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.APPROVED, S.PUBLISHED}),
        S.WITHDRAWN,
        Actor.PREPARER_OR_APPROVER,
        _("Withdraw"),
        True,
    ),
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


def claimable(need) -> bool:
    from decimal import Decimal

    limit = Decimal(str(getattr(settings, "NEED_CLAIM_MAX_BUDGET", DEFAULT_CLAIM_MAX_BUDGET)))
    return need.urgency == Urgency.EMERGENCY or need.budget <= limit


# Escalation widens the audience one step when nobody responded in time.
WIDER_SCOPE = {"invited": "region", "region": "all", "all": "all"}
