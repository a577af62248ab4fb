"""The deadline sweep: close proposals received, widen the scope once, then expire."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from audit.services import record
from needs.models import Need, NeedEvent, NeedState, ProposalState
from needs.services.notices import _approvers_of
from needs.services.transitions import need_transition
from needs.workflow import WIDER_SCOPE, response_window
from notifications.services import notify, url_for


def needs_escalate(*, now: datetime | None = None) -> dict[str, int]:
    """Needs past their response deadline. Proposals received: close them for evaluation.
    Nobody responded: the first time, widen the scope one step, give a new window and
    tell the approvers; the second time, expire. Idempotent: each need is handled once
    per deadline."""

    now = now or timezone.now()
    escalated = expired = closed = 0
    waiting = [NeedState.PUBLISHED, NeedState.PROPOSALS_OPEN]
    overdue = Need.objects.filter(state__in=waiting, response_deadline__lt=now).values_list("pk", flat=True)
    for pk in overdue:
        with transaction.atomic():
            need = Need.objects.select_for_update().select_related("agency").get(pk=pk)
            if need.state not in waiting or need.response_deadline >= now:
                continue  # taken on, or handled by a concurrent sweep
            if need.state == NeedState.PROPOSALS_OPEN and need.proposals.filter(state=ProposalState.SUBMITTED).exists():
                need_transition(need=need, action="close_proposals", by=None)
                closed += 1
            elif need.escalated_at is None:
                before = need.scope
                need.scope = WIDER_SCOPE[need.scope]
                need.escalated_at = now
                need.response_deadline = now + response_window(need.urgency)
                need.save(update_fields=["scope", "escalated_at", "response_deadline"])
                NeedEvent.objects.create(
                    need=need, action="escalate", from_state=need.state, to_state=need.state, by=None
                )
                record(
                    action="need.escalate",
                    actor_label="system",
                    obj=need,
                    summary={"before": {"scope": before}, "after": {"scope": need.scope}},
                )
                for approver in _approvers_of(need):
                    notify(
                        user=approver,
                        event="need_escalate",
                        params={"need": need.reference, "title": need.title},
                        url=url_for("needs:detail", need.pk),
                    )
                escalated += 1
            else:
                need_transition(need=need, action="expire", by=None)
                expired += 1
    return {"escalated": escalated, "expired": expired, "closed": closed}
