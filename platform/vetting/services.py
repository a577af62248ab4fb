"""Writes for vetting: registration, profile changes, documents, the checklist, the
one transition service, change requests and the expiry sweep."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Membership, Role, User
from audit.selectors import audit_recorded_since
from audit.services import record
from categories.models import Category
from notifications.services import notify, url_for
from organisations.models import KEY_FACTS, PROFILE_FIELDS, Organisation, OrganisationProfile, VettingState
from regions.models import Region
from vetting.exceptions import (
    ConflictOfInterest,
    Incomplete,
    InvalidTransition,
    Locked,
    NotAllowed,
    ReasonRequired,
)
from vetting.models import (
    ChangeRequest,
    ChangeRequestState,
    ChecklistItem,
    ChecklistOutcome,
    Document,
    Review,
    ScanResult,
    VettingEvent,
)
from vetting.pdf_scan import pdf_scan
from vetting.selectors import organisation_missing_items, pending_change_request
from vetting.uploads import CheckedUpload
from vetting.workflow import (
    APPROVAL_PERIOD,
    CHECKLIST,
    CHECKLIST_CODES,
    EDITABLE_STATES,
    FROZEN_STATES,
    REMINDER_DAYS,
    TRANSITIONS,
    Actor,
)


def _admins(organisation: Organisation) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(organisation=organisation, role=Role.ORG_ADMIN, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _notify_admins(organisation: Organisation, event: str, params: Mapping[str, object] | None = None) -> None:
    url = url_for("organisations:detail", organisation.pk)
    for admin in _admins(organisation):
        notify(user=admin, event=event, params={"organisation": organisation.legal_name, **(params or {})}, url=url)


def _notify_vetting_officers(organisation: Organisation, event: str) -> None:
    url = url_for("vetting:detail", organisation.pk)
    officers = User.objects.filter(
        is_active=True, memberships__role=Role.VETTING_OFFICER, memberships__organisation__isnull=True
    ).distinct()
    for officer in officers:
        if organisation.pk not in policy.organisation_ids(officer):
            notify(user=officer, event=event, params={"organisation": organisation.legal_name}, url=url)


def _snapshot(organisation: Organisation, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(organisation, f + "_id" if f == "region" else f) for f in fields}


# --- Registration and profile -------------------------------------------------------


def organisation_register(
    *,
    by: User,
    data: OrganisationProfile,
    service_regions: Iterable[Region],
    service_categories: Iterable[Category],
) -> Organisation:
    """Create an organisation in draft with ``by`` as its admin.

    ``data`` holds PROFILE_FIELDS (validated by the form). Raises NotAllowed for
    government and platform staff. The admin must then set up MFA (middleware).
    """
    if not policy.can_register_organisation(by):
        raise NotAllowed(_("Government and platform staff cannot register an organisation."))
    profile: Mapping[str, object] = data  # read by field name
    with transaction.atomic():
        organisation = Organisation.objects.create(
            **{f: profile[f] for f in PROFILE_FIELDS if f in profile}, vetting_state=VettingState.DRAFT
        )
        organisation.service_regions.set(service_regions)
        organisation.service_categories.set(service_categories)
        Membership.objects.create(user=by, role=Role.ORG_ADMIN, organisation=organisation, granted_by=by)
        record(action="organisation.register", actor=by, obj=organisation, summary={"after": {"state": "draft"}})
    policy.forget_grants(by)
    return organisation


def organisation_update(
    *,
    organisation: Organisation,
    by: User,
    data: OrganisationProfile,
    service_regions: Iterable[Region],
    service_categories: Iterable[Category],
) -> ChangeRequest | None:
    """Save profile edits by an organisation admin.

    Draft, rejected or expired: everything is saved. Submitted, under review or
    revoked: refused (Locked). Approved or suspended: ordinary fields are saved at
    once; changed key facts become (or amend) the pending change request, which is
    returned, and the old facts stand until a vetting officer decides.
    """
    if not policy.can_manage_organisation_members(by, organisation):
        raise NotAllowed(_("Only the organisation's administrator can change its profile."))
    profile: Mapping[str, object] = data  # read by field name
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.vetting_state in FROZEN_STATES:
            raise Locked(_("The profile cannot be changed while the application is being decided or after revocation."))
        before = _snapshot(organisation, PROFILE_FIELDS)
        key_changes = {}
        if organisation.vetting_state not in EDITABLE_STATES:
            key_changes = {
                f: {"before": str(before[f]) if before[f] is not None else "", "after": profile[f]}
                for f in KEY_FACTS
                if f in profile and profile[f] != before[f]
            }
        for field in PROFILE_FIELDS:
            if field in profile and field not in key_changes:
                setattr(organisation, field, profile[field])
        organisation.save()
        organisation.service_regions.set(service_regions)
        organisation.service_categories.set(service_categories)
        after = _snapshot(organisation, PROFILE_FIELDS)
        record(
            action="organisation.update",
            actor=by,
            obj=organisation,
            summary={
                "before": {k: v for k, v in before.items() if after[k] != v},
                "after": {k: v for k, v in after.items() if before[k] != v},
            },
        )
        if not key_changes:
            return None
        request = pending_change_request(organisation)
        if request is None:
            request = ChangeRequest(organisation=organisation, requested_by=by, changes={})
        request.changes = {
            **request.changes,
            **{k: {**v, "after": _jsonable(v["after"])} for k, v in key_changes.items()},
        }
        request.requested_by = by
        request.save()
        record(action="change_request.submit", actor=by, obj=organisation, summary={"fields": sorted(request.changes)})
        _notify_vetting_officers(organisation, "change_request_submitted")
        return request


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def change_request_decide(*, change_request: ChangeRequest, by: User, approve: bool, reason: str = "") -> None:
    """Apply (or refuse) the key facts of a pending change request."""
    with transaction.atomic():
        request = ChangeRequest.objects.select_for_update().select_related("organisation").get(pk=change_request.pk)
        organisation = Organisation.objects.select_for_update().get(pk=request.organisation_id)
        if not policy.can_vet(by, organisation):
            raise ConflictOfInterest(_("You cannot decide on an organisation you belong to."))
        if request.state != ChangeRequestState.PENDING:
            raise InvalidTransition(_("This change request has already been decided."))
        if not approve and not reason.strip():
            raise ReasonRequired(_("Say why the change is refused."))
        if approve:
            for field, change in request.changes.items():
                value = change["after"]
                if field == "uscc" and Organisation.objects.exclude(pk=organisation.pk).filter(uscc=value).exists():
                    raise InvalidTransition(_("Another organisation already has this unified social credit code."))
                setattr(organisation, field, value)
            organisation.full_clean(exclude=["service_regions", "service_categories"])
            organisation.save()
        request.state = ChangeRequestState.APPROVED if approve else ChangeRequestState.REJECTED
        request.decided_by, request.decided_at, request.reason = by, timezone.now(), reason.strip()
        request.save()
        record(
            action="change_request.approve" if approve else "change_request.reject",
            actor=by,
            obj=organisation,
            summary={"changes": request.changes, "reason": request.reason},
        )
        _notify_admins(organisation, "change_request_decided", {"decision": request.state, "reason": request.reason})


# --- Documents ------------------------------------------------------------------


def document_upload(
    *,
    organisation: Organisation,
    by: User,
    doc_type: str,
    upload: UploadedFile[bytes],
    checked: CheckedUpload,
    issued_on: date | None = None,
    expires_on: date | None = None,
) -> Document:
    """Store a checked upload (see vetting.uploads) under a generated private name.

    ``checked`` comes only from ``check_upload``, which refuses a PDF with active content:
    the document is recorded as having passed that check.
    """
    if not policy.can_manage_organisation_members(by, organisation):
        raise NotAllowed(_("Only the organisation's administrator can upload documents."))
    if organisation.vetting_state in FROZEN_STATES:
        raise Locked(_("Documents cannot be changed while the application is being decided or after revocation."))
    if issued_on and expires_on and expires_on <= issued_on:
        raise Incomplete(_("The expiry date must be after the issue date."))
    with transaction.atomic():
        document = Document(
            organisation=organisation,
            doc_type=doc_type,
            display_name=checked.display_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            scan=ScanResult.PASSED,
            issued_on=issued_on,
            expires_on=expires_on,
            uploaded_by=by,
        )
        upload.seek(0)
        document.file.save("upload" + checked.extension, upload, save=False)
        try:
            document.save()
            record(
                action="document.upload",
                actor=by,
                obj=document,
                summary={"type": doc_type, "sha256": checked.sha256, "size": checked.size},
            )
        except Exception:
            # The row did not commit: the file must not stay behind either.
            document.file.storage.delete(cast(str, document.file.name))
            raise
    return document


def document_delete(*, document: Document, by: User) -> None:
    organisation = document.organisation
    if not policy.can_manage_organisation_members(by, organisation):
        raise NotAllowed(_("Only the organisation's administrator can remove documents."))
    if organisation.vetting_state not in EDITABLE_STATES:
        raise Locked(_("Documents of a submitted or approved application cannot be removed; upload a newer one."))
    name = cast(str, document.file.name)  # a document always has its file
    with transaction.atomic():
        record(action="document.delete", actor=by, obj=document, summary={"sha256": document.sha256})
        document.delete()
        transaction.on_commit(lambda: document.file.storage.delete(name))


def document_open(*, document: Document, by: User) -> FieldFile:
    """Open a document for download by someone allowed to read it; audited."""
    if not policy.can_read_vetting_file(by, document.organisation):
        raise NotAllowed(_("You may not read this document."))
    record(action="document.download", actor=by, obj=document, summary={"sha256": document.sha256})
    return document.file.open("rb")


PREVIEW_AUDIT_WINDOW = timedelta(minutes=10)


def document_preview(*, document: Document, by: User) -> FieldFile | None:
    """Open a document to be shown inside the page, or return None when it must not be.

    An image passed Pillow at upload. A PDF is shown only once it has passed the
    active-content check; one stored before that check existed is checked now and the
    result kept (``document_scan``), so a file is read for this at most once. Audited as
    a preview when opened.
    """
    if not policy.can_read_vetting_file(by, document.organisation):
        raise NotAllowed(_("You may not read this document."))
    if not document.is_image and document.scan == ScanResult.UNSCANNED:
        document_scan(document=document, by=by)
    if not (document.is_image or document.scan == ScanResult.PASSED):
        return None
    # A preview is not a download: its own kind, once per person and document within
    # PREVIEW_AUDIT_WINDOW, so that each opening of an application's page (an inline
    # preview per document, reloaded with the page) does not flood the log.
    since = timezone.now() - PREVIEW_AUDIT_WINDOW
    if not audit_recorded_since(action="document.preview", actor=by, obj=document, since=since):
        record(action="document.preview", actor=by, obj=document, summary={"sha256": document.sha256})
    return document.file.open("rb")


def document_scan(*, document: Document, by: User) -> None:
    """Check a stored PDF for active content and record the result; audited.

    Sets ``document.scan``. Two previews at once both read the file; only the first
    records (the update is conditional), and both reach the same result.
    """
    with document.file.open("rb") as handle:
        finding = pdf_scan(handle)
    result = ScanResult.PASSED if finding is None else ScanResult.REFUSED
    with transaction.atomic():
        if Document.objects.filter(pk=document.pk, scan=ScanResult.UNSCANNED).update(scan=result):
            record(
                action="document.scan",
                actor=by,
                obj=document,
                summary={"result": result.value, "finding": finding.value if finding else ""},
            )
    document.scan = result


# --- Review -----------------------------------------------------------------------


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


# --- The one transition service ---------------------------------------------------


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


# --- The expiry sweep -------------------------------------------------------------


def vetting_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Expire approvals past their date and send the 30- and 7-day reminders.

    Idempotent: each reminder is sent once per approval period.
    """
    now = now or timezone.now()
    expired = 0
    for organisation in Organisation.objects.filter(
        vetting_state__in=[VettingState.APPROVED, VettingState.SUSPENDED], approved_until__lte=now
    ):
        organisation_transition(organisation=organisation, action="expire", by=None)
        expired += 1
    reminded = 0
    # Nearest deadline first: an approval already inside 7 days gets the 7-day reminder
    # only, and the 30-day one is marked as superseded.
    for days in sorted(REMINDER_DAYS):
        field = f"reminded_{days}_at"
        also_mark = {f"reminded_{d}_at": now for d in REMINDER_DAYS if d > days}
        due = Organisation.objects.filter(
            vetting_state=VettingState.APPROVED,
            approved_until__gt=now,
            approved_until__lte=now + timedelta(days=days),
            **{f"{field}__isnull": True},
        )
        for organisation in due:
            with transaction.atomic():
                updated = Organisation.objects.filter(pk=organisation.pk, **{f"{field}__isnull": True}).update(
                    **{field: now, **also_mark}
                )
                if updated:
                    _notify_admins(
                        organisation,
                        "organisation_expiry_reminder",
                        {"days": days, "date": timezone.localdate(organisation.approved_until).isoformat()},
                    )
                    reminded += 1
    return {"expired": expired, "reminded": reminded}
