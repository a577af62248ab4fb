"""Writes for reports from the public: filing, adding information, the one transition
service, auditors' notes and opening a file.

The reporter has no account here and is never identified by the site: no user, no
client address is stored with a report, and its audit entries carry neither.
"""

from __future__ import annotations

import contextlib
import hashlib
import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from typing import cast

from django.conf import settings
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Role, User
from audit.services import current_ip, record
from notifications.services import notify, url_for
from reports import codes
from reports.attachments import MAX_FILES_PER_REPORT, CleanFile
from reports.exceptions import Duplicate, Incomplete, InvalidTransition, NotAllowed, ReportClosed
from reports.models import OutcomeKind, Report, ReportEvent, ReportFile, SubjectKind
from reports.selectors import resolve_subject
from reports.workflow import OPEN_STATES, TRANSITIONS, Actor

# The same text twice within this time is one report sent twice.
DUPLICATE_WINDOW = timedelta(days=30)
MAX_FOLLOW_UPS = 50
_PUBLIC = "public"  # the audit log's actor label for a reporter


@contextlib.contextmanager
def _without_client_address() -> Iterator[None]:
    """An anonymous report must not leave its sender's address in the audit log,
    which nobody can ever edit or delete; the rate limits keep it only in the cache."""
    token = current_ip.set(None)
    try:
        yield
    finally:
        current_ip.reset(token)


def fingerprint(description: str) -> str:
    """SHA-256 of the text with case, width and spacing folded away."""
    folded = " ".join(unicodedata.normalize("NFKC", description).casefold().split())
    return hashlib.sha256(folded.encode()).hexdigest()


def _auditors() -> list[User]:
    return list(User.objects.filter(is_active=True, memberships__role=Role.AUDITOR).distinct().order_by("pk"))


def _notify_auditors(report: Report, event: str) -> None:
    url = url_for("report_queue:detail", report.pk)
    for auditor in _auditors():
        notify(user=auditor, event=event, params={"report": report.reference}, url=url)


def _store_files(report: Report, files: list[CleanFile], event: ReportEvent | None) -> list[str]:
    """Save the files; returns the stored names so a caller can remove them on failure."""
    names = []
    for item in files:
        stored = ReportFile(
            report=report,
            event=event,
            display_name=item.checked.display_name,
            content_type=item.checked.content_type,
            size=item.checked.size,
            sha256=item.checked.sha256,
        )
        item.content.seek(0)
        stored.file.save("upload" + item.checked.extension, item.content, save=False)
        names.append(cast(str, stored.file.name))  # set by the save above
        stored.save()
    return names


def _remove(names: list[str]) -> None:
    from django.core.files.storage import storages

    for name in names:
        storages["private"].delete(name)


def report_file(
    *,
    subject_kind: str,
    subject_text: str = "",
    description: str,
    files: list[CleanFile] | None = None,
    contact_name: str = "",
    contact_email: str = "",
    contact_phone: str = "",
    language: str = "",
) -> tuple[Report, str]:
    """File a report from the public; returns it and its tracking code (shown once,
    stored only as a hash).

    Raises Incomplete for an unknown subject kind or an empty description, Duplicate
    when the same text was filed within 30 days. Notifies every auditor and writes an
    audit entry without the reporter's address. On any failure nothing is stored.
    """
    if subject_kind not in SubjectKind.values:
        raise Incomplete(_("Choose what your report is about from the list."))
    description = description.strip()
    if not description or "\x00" in description or "\x00" in subject_text:
        raise Incomplete(_("Describe what happened."))
    files = files or []
    digest = fingerprint(description)
    subject_text = subject_text.strip()
    names: list[str] = []
    try:
        with _without_client_address(), transaction.atomic():
            if Report.objects.filter(fingerprint=digest, filed_at__gte=timezone.now() - DUPLICATE_WINDOW).exists():
                raise Duplicate(
                    _(
                        "We received a report with exactly this text recently; it is already with the auditors. "
                        "If you sent it, use its tracking code to add anything new."
                    )
                )
            code = codes.new_code()
            report = Report.objects.create(
                subject_kind=subject_kind,
                subject_text=subject_text,
                **resolve_subject(subject_kind, subject_text),
                description=description,
                contact_name=contact_name.strip(),
                contact_email=contact_email.strip(),
                contact_phone=contact_phone.strip(),
                language=language or settings.LANGUAGE_CODE,
                code_hash=cast(str, codes.code_hash(code)),  # a new code always has a hash
                fingerprint=digest,
            )
            event = ReportEvent.objects.create(report=report, action="file", to_state=report.state)
            names = _store_files(report, files, event)
            record(
                action="report.file",
                actor_label=_PUBLIC,
                obj=report,
                summary={
                    "about": subject_kind,
                    "resolved": report.subject is not None,
                    "files": len(files),
                    "contact": report.has_contact,
                },
            )
            _notify_auditors(report, "report_filed")
    except Exception:
        # The rows rolled back: the files must not stay behind either.
        _remove(names)
        raise
    return report, code


def report_follow_up(*, report: Report, text: str = "", files: list[CleanFile] | None = None) -> ReportEvent:
    """The reporter adds information or files to a report that is not closed.

    Raises ReportClosed once it is closed, Incomplete when there is nothing to add or
    the report has as many files or additions as it may. Notifies every auditor.
    """
    text = text.strip()
    files = files or []
    if not text and not files:
        raise Incomplete(_("Write something or choose a file to add."))
    if "\x00" in text:
        raise Incomplete(_("Null characters are not allowed."))
    names: list[str] = []
    try:
        with _without_client_address(), transaction.atomic():
            report = Report.objects.select_for_update().get(pk=report.pk)
            if report.state not in OPEN_STATES:
                raise ReportClosed(_("This report is closed; nothing more can be added to it."))
            if report.files.count() + len(files) > MAX_FILES_PER_REPORT:
                raise Incomplete(_("A report can have at most %(limit)d files.") % {"limit": MAX_FILES_PER_REPORT})
            if report.events.filter(action="follow_up").count() >= MAX_FOLLOW_UPS:
                raise Incomplete(_("This report cannot take more additions; file a new report instead."))
            event = ReportEvent.objects.create(
                report=report, action="follow_up", from_state=report.state, to_state=report.state, text=text
            )
            names = _store_files(report, files, event)
            report.save(update_fields=["updated_at"])
            record(
                action="report.follow_up",
                actor_label=_PUBLIC,
                obj=report,
                summary={"text": bool(text), "files": len(files)},
            )
            _notify_auditors(report, "report_follow_up")
    except Exception:
        _remove(names)
        raise
    return event


def report_transition(
    *,
    report: Report,
    action: str,
    by: User,
    outcome: str = "",
    public_outcome: str = "",
    private_notes: str = "",
    reason: str = "",
) -> Report:
    """Move a report along its handling (reports.workflow.TRANSITIONS).

    Locks the row, checks the table (state, who may act, what the step needs), writes
    the new state, appends a ReportEvent and an audit entry. ``close`` needs an outcome
    and the text shown to the reporter; ``reopen`` a reason. Raises a ReportError and
    changes nothing when anything does not hold.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidTransition(_("Unknown action."))
    if transition.actor == Actor.AUDITOR and not policy.can_handle_reports(by):
        raise NotAllowed(_("Only an auditor handles reports from the public."))
    public_outcome, private_notes, reason = public_outcome.strip(), private_notes.strip(), reason.strip()
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        source = report.state
        if source not in transition.sources:
            raise InvalidTransition(
                _("A report that is “%(state)s” cannot be given “%(action)s”.")
                % {"state": report.get_state_display(), "action": transition.label}
            )
        if transition.needs_reason and not reason:
            raise Incomplete(_("Say why."))
        now = timezone.now()
        text = reason
        if action == "close":
            if outcome not in OutcomeKind.values:
                raise Incomplete(_("Choose an outcome."))
            if not public_outcome:
                raise Incomplete(_("Write the outcome the reporter will read."))
            report.outcome, report.public_outcome, report.closed_at = outcome, public_outcome, now
            if private_notes:
                report.private_notes = "\n\n".join(filter(None, [report.private_notes, private_notes]))
            text = private_notes
        elif action == "reopen":
            report.outcome, report.public_outcome, report.closed_at = "", "", None
        report.state = transition.target
        report.save()
        ReportEvent.objects.create(
            report=report, action=action, from_state=source, to_state=transition.target, by=by, text=text
        )
        record(
            action=f"report.{action}",
            actor=by,
            obj=report,
            summary={"before": {"state": source}, "after": {"state": transition.target}, "outcome": report.outcome},
        )
    return report


def report_note(*, report: Report, by: User, text: str) -> ReportEvent:
    """A private note of an auditor on a report, in its history."""
    if not policy.can_handle_reports(by):
        raise NotAllowed(_("Only an auditor handles reports from the public."))
    text = text.strip()
    if not text:
        raise Incomplete(_("Write the note."))
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report.pk)
        event = ReportEvent.objects.create(
            report=report, action="note", from_state=report.state, to_state=report.state, by=by, text=text
        )
        record(action="report.note", actor=by, obj=report)
    return event


def report_viewed(*, report: Report, by: User) -> None:
    """An auditor opened the report (its contact details with it): on the record."""
    if not policy.can_handle_reports(by):
        raise NotAllowed(_("Only an auditor handles reports from the public."))
    record(action="report.view", actor=by, obj=report, summary={"contact": report.has_contact})


def report_file_open(*, stored: ReportFile, by: User) -> FieldFile:
    """Open a report's file for an auditor; audited."""
    if not policy.can_handle_reports(by):
        raise NotAllowed(_("Only an auditor handles reports from the public."))
    record(action="report.file_download", actor=by, obj=stored.report, summary={"sha256": stored.sha256})
    return stored.file.open("rb")
