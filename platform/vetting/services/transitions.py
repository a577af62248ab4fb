"""The one transition service of the vetting workflow, with who may act and the checklist's gate."""

from __future__ import annotations

from datetime import datetime
from typing import cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Role, User
from audit.services import record
from organisations.models import Organisation
from vetting.exceptions import ConflictOfInterest, Incomplete, InvalidTransition, NotAllowed, ReasonRequired
from vetting.models import ChecklistOutcome, Review, VettingEvent
from vetting.selectors import organisation_missing_items
from vetting.services.notices import _notify_admins, _notify_vetting_officers
from vetting.services.review import review_current
from vetting.workflow import APPROVAL_PERIOD, CHECKLIST, TRANSITIONS, Actor


def organisation_transition(
    *,
    organisation: Organisation,
    action: str,
    by: User | None,
    reason: str = "",
    approved_until: datetime | None = None,
) -> Organisation:
    """Move an organisation along the vetting workflow (vetting.workflow.TRANSITIONS).

    Locks the row, checks the table (state, who may act, reason, preconditions),
    writes the new state, appends a VettingEvent and an audit entry, and notifies.
    Raises a VettingError subclass and changes nothing when anything does not hold.
    ``by`` is None only for the system (the expiry sweep).
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidTransition(_("Unknown action."))
    reason = reason.strip()
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        source = organisation.vetting_state
        if source not in transition.sources:
            raise InvalidTransition(
                _("An organisation that is %(state)s cannot be given “%(action)s”.")
                % {"state": organisation.get_vetting_state_display(), "action": transition.label}
            )
        _check_actor(transition.actor, organisation, by)
        if transition.needs_reason and not reason:
            raise ReasonRequired(_("A reason is required for this decision; it is shown to the organisation."))
        now = timezone.now()
        if action == "submit":
            missing = organisation_missing_items(organisation)
            if missing:
                raise Incomplete(_("The application is not complete yet."), missing)
            organisation.submitted_at = now
            organisation.state_reason = ""
        elif action == "start_review":
            Review.objects.create(organisation=organisation, reviewer=cast(User, by))  # an officer's action
        elif action == "approve":
            _check_checklist_complete(organisation)
            organisation.approved_until = approved_until or now + APPROVAL_PERIOD
            if organisation.approved_until <= now:
                raise InvalidTransition(_("The approval must end in the future."))
            organisation.vetted_since = organisation.vetted_since or now
            organisation.reminded_30_at = organisation.reminded_7_at = None
            organisation.state_reason = ""
        elif action == "reinstate":
            if not organisation.approved_until or organisation.approved_until <= now:
                raise InvalidTransition(
                    _("The approval ran out during the suspension; the organisation must apply again.")
                )
            organisation.state_reason = reason
        elif action in {"reject", "suspend", "revoke"}:
            organisation.state_reason = reason
        if action in {"approve", "reject"}:
            review = review_current(organisation)
            if review is not None:
                review.decided_at, review.decision = now, action
                review.save(update_fields=["decided_at", "decision"])
        organisation.vetting_state = transition.target
        organisation.save()
        VettingEvent.objects.create(
            organisation=organisation,
            action=action,
            from_state=source,
            to_state=transition.target,
            by=by,
            reason=reason,
        )
        record(
            action=f"vetting.{action}",
            actor=by,
            actor_label="" if by else "system",
            obj=organisation,
            summary={"before": {"state": source}, "after": {"state": transition.target}, "reason": reason},
        )
        if action == "submit":
            _notify_vetting_officers(organisation, "organisation_submitted")
        else:
            _notify_admins(organisation, f"organisation_{action}", {"reason": reason})
    return organisation


def _check_actor(actor: str, organisation: Organisation, by: User | None) -> None:
    if actor == Actor.SYSTEM:
        if by is not None:
            raise NotAllowed(_("Only the expiry sweep expires approvals."))
        return
    if by is None:
        raise NotAllowed(_("This decision needs a person."))
    if actor == Actor.ORG_ADMIN and not policy.can_manage_organisation_members(by, organisation):
        raise NotAllowed(_("Only the organisation's administrator can submit its application."))
    if actor == Actor.VETTING_OFFICER:
        if not policy.has_role(by, Role.VETTING_OFFICER):
            raise NotAllowed(_("Only a vetting officer can take this decision."))
        if not policy.can_vet(by, organisation):
            raise ConflictOfInterest(_("You cannot review an organisation you belong to."))


def _check_checklist_complete(organisation: Organisation) -> None:
    review = review_current(organisation)
    outcomes = dict(review.items.values_list("item", "outcome")) if review else {}
    missing = [str(entry.label) for entry in CHECKLIST if entry.code not in outcomes]  # words, not codes
    if missing:
        raise Incomplete(_("Every checklist item needs an outcome before approval."), missing)
    failed = [code for code, outcome in outcomes.items() if outcome == ChecklistOutcome.FAIL]
    if failed:
        raise InvalidTransition(_("An application with a failed checklist item cannot be approved; reject it."))
