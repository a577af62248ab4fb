"""The work under a contract: the organisation records its service and evidence on a
milestone and submits it for acceptance."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from contracts.actions import check_actor
from contracts.exceptions import InvalidTransition
from contracts.models import EvidenceFile, Milestone, ServiceRecord
from contracts.selectors import milestone_label
from contracts.services.common import agency_people, identity_refuse, tell
from contracts.services.transitions import milestone_transition
from contracts.workflow import MILESTONE_TRANSITIONS


def evidence_record_add(*, milestone: Milestone, by: User, data: dict) -> ServiceRecord:
    """Record one session of the service on a milestone.

    Precondition: the table's ``evidence_record`` (a member of the organisation; the
    milestone open, the contract in force), a date not in the future, texts that do not
    identify the person. Side effects: the record and its event.
    """
    check_actor(MILESTONE_TRANSITIONS["evidence_record"], by, milestone.contract)
    identity_refuse(milestone.contract, {k: data.get(k, "") for k in ("worker", "activity", "notes")})
    with milestone_transition(milestone=milestone, action="evidence_record", by=by) as step:
        if data["date"] > timezone.localdate():
            raise InvalidTransition(_("A service record cannot be dated in the future."))
        record_ = ServiceRecord.objects.create(milestone=step.subject, recorded_by=by, **data)
        step.summary = {"hours": str(data["hours"])}
    return record_


def evidence_file_add(*, milestone: Milestone, by: User, upload, checked) -> EvidenceFile:
    """Add an evidence file; ``checked`` is the vetting upload check's description of
    ``upload``.

    Precondition: the table's ``evidence_file`` (as for a record), a file name that does
    not identify the person. Side effects: the file in private storage and its event.
    """
    check_actor(MILESTONE_TRANSITIONS["evidence_file"], by, milestone.contract)
    identity_refuse(milestone.contract, {"display_name": checked.display_name})
    with milestone_transition(milestone=milestone, action="evidence_file", by=by) as step:
        item = EvidenceFile(
            milestone=step.subject,
            display_name=checked.display_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )
        item.file.save("evidence" + checked.extension, upload, save=False)
        item.save()
        step.summary = {"sha256": checked.sha256}
    return item


def milestone_submit(*, milestone: Milestone, by: User) -> Milestone:
    """Submit a milestone's work for acceptance.

    Precondition: the table's ``submit`` (a member of the organisation; the milestone
    pending or returned, the contract in force; at least one record or file). Side
    effects: the milestone submitted (the acceptance clock starts again), the event; the
    agency's approvers, but the contract's preparer, are told.
    """
    with milestone_transition(milestone=milestone, action="submit", by=by) as step:
        milestone, contract = step.subject, step.contract
        step.write(submitted_at=timezone.now(), submitted_by=by, state_reason="", acceptance_escalated_at=None)
        tell(
            agency_people(contract, Role.AGENCY_APPROVER),
            "milestone_submitted",
            contract,
            exclude=contract.prepared_by,
            milestone=milestone_label(milestone),
        )
    return milestone
