"""The review's checklist, recorded item by item while the application is under review."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from audit.services import record
from organisations.models import Organisation, VettingState
from vetting.exceptions import ConflictOfInterest, InvalidTransition, ReasonRequired
from vetting.models import ChecklistItem, ChecklistOutcome, Review
from vetting.workflow import CHECKLIST_CODES


def review_current(organisation: Organisation) -> Review | None:
    return organisation.reviews.filter(decided_at__isnull=True).first()


def checklist_record(*, organisation: Organisation, by: User, items: dict[str, tuple[str, str]]) -> Review:
    """Record checklist outcomes ``{code: (outcome, note)}`` on the open review."""
    if not policy.can_vet(by, organisation):
        raise ConflictOfInterest(_("You cannot review an organisation you belong to."))
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.vetting_state != VettingState.UNDER_REVIEW:
            raise InvalidTransition(_("The checklist is filled in while the application is under review."))
        review = review_current(organisation)
        if review is None:
            review = Review.objects.create(organisation=organisation, reviewer=by)
        for code, (outcome, note) in items.items():
            if code not in CHECKLIST_CODES or outcome not in ChecklistOutcome.values:
                raise InvalidTransition(_("Unknown checklist item or outcome."))
            if outcome == ChecklistOutcome.FAIL and not note.strip():
                raise ReasonRequired(_("Say what is wrong for every item that does not meet the requirement."))
            ChecklistItem.objects.update_or_create(
                review=review, item=code, defaults={"outcome": outcome, "note": note.strip(), "reviewer": by}
            )
        record(
            action="vetting.checklist",
            actor=by,
            obj=organisation,
            summary={code: outcome for code, (outcome, _note) in items.items()},
        )
    return review
