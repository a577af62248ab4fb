"""Writes for imports: upload and check (the preview), then the all-or-nothing commit.

An import moves uploaded → previewed → committing → committed, or to failed, or (by its
uploader, before the commit) to cancelled; the table
is ``TRANSITIONS`` and ``_move`` the one door (row lock, state check, audit entry).

The commit writes every need exactly as the need form's services do
(``needs.services.need_create`` then ``scheme_checks_record``), in bulk: the same vault
encryption, ``NeedEvent``, scheme checks and audit entries as a need typed in by hand
(``imports.writer`` says how and why), plus audit entries for the import itself. Imported needs are **drafts**: the
caseworker reads each before submitting it, where the gap gate, the duplicates across
agencies and the separation of duties apply as for any need.

Progress. The commit is one transaction, so rows written inside it are invisible to
the page that polls until it commits. The task therefore first checks every row again
(outside the transaction, saving ``checked_count`` as it goes: the first half of the
bar), then writes everything in one transaction (the second half). On PostgreSQL the
writing half is reported through a second connection in autocommit, which touches only
the import's counter; SQLite allows one writer at a time, so there the bar waits at
half way until the transaction commits.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import PurePosixPath
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from agencies.models import Agency
from audit.models import Outcome
from audit.services import record
from imports.exceptions import InvalidState, NotAllowed
from imports.models import ImportState, NeedImport
from imports.parsing import MAX_BYTES, FileProblem, detect_format, read_table
from imports.validation import Problem, Result, validate_table
from imports.writer import write_needs

logger = logging.getLogger(__name__)

S = ImportState
TRANSITIONS: dict[str, frozenset[str]] = {
    S.UPLOADED: frozenset({S.PREVIEWED, S.FAILED, S.CANCELLED}),
    S.PREVIEWED: frozenset({S.COMMITTING, S.FAILED, S.CANCELLED}),
    S.COMMITTING: frozenset({S.COMMITTED, S.FAILED}),
    S.COMMITTED: frozenset(),
    S.FAILED: frozenset(),
    S.CANCELLED: frozenset(),
}


def _move(
    batch: NeedImport, to: str, *, by: User | None, summary: dict[str, Any] | None = None, **fields: Any
) -> NeedImport:
    """Lock the import, check the move against TRANSITIONS, write it and audit it."""
    with transaction.atomic():
        locked = NeedImport.objects.select_for_update().get(pk=batch.pk)
        if to not in TRANSITIONS[locked.state]:
            raise InvalidState(
                _("This import is %(state)s; it cannot become %(target)s.")
                % {"state": locked.get_state_display(), "target": ImportState(to).label}
            )
        source = locked.state
        locked.state = to
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
        record(
            action=f"need_import.{to}",
            actor=by,
            actor_label="system" if by is None else "",
            obj=locked,
            summary={"before": {"state": source}, "after": {"state": to}, **(summary or {})},
            outcome=Outcome.FAILURE if to == S.FAILED else Outcome.SUCCESS,
        )
    return locked


def _safe_name(name: str) -> str:
    """The sender's file name for display: no folders, no control characters, bounded."""
    name = PurePosixPath(name.replace("\\", "/")).name
    return "".join(ch for ch in name if ch.isprintable())[:200] or "import"


def import_upload(*, agency: Agency, by: User, name: str, data: bytes) -> NeedImport:
    """Store an uploaded file for ``agency`` and check every row (the preview).

    Raises NotAllowed unless ``by`` records needs for ``agency``; ImportRefused
    subclasses for a file that is empty or too large (nothing is stored then). Any
    other problem of the file or its rows is kept on the import for the preview page.
    """
    if not policy.can_record_need(by, agency):
        raise NotAllowed(_("Only caseworkers and approvers of this agency import its needs."))
    if not data:
        raise InvalidState(_("The file is empty."))
    if len(data) > MAX_BYTES:
        raise InvalidState(_("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20})
    try:
        file_format = detect_format(data, name)
    except FileProblem:
        file_format = "bin"  # kept, and refused with its reason by the preview
    digest = hashlib.sha256(data).hexdigest()
    with transaction.atomic():
        batch = NeedImport(
            agency=agency, uploaded_by=by, original_name=_safe_name(name), file_format=file_format, sha256=digest
        )
        batch.file.save("upload", ContentFile(data), save=False)
        batch.save()
        record(
            action="need_import.upload",
            actor=by,
            obj=batch,
            summary={"after": {"state": batch.state, "agency": agency.pk, "bytes": len(data)}},
        )
    return import_preview(batch=batch, by=by, data=data)


def _check(
    batch: NeedImport, *, data: bytes | None = None, progress: Callable[[int], object] | None = None
) -> tuple[Result, str]:
    """Read and check the stored file; (result, encoding)."""
    if data is None:
        with batch.file.open("rb") as stored:
            data = stored.read()
    earlier = (
        NeedImport.objects.filter(agency=batch.agency, sha256=batch.sha256)
        .exclude(pk=batch.pk)
        .filter(state__in=[S.COMMITTING, S.COMMITTED])
        .first()
    )
    if earlier is not None:
        message = _("This very file was already imported (import #%(n)d of %(date)s): nothing would be new.") % {
            "n": earlier.pk,
            "date": timezone.localtime(earlier.created_at).strftime("%Y-%m-%d %H:%M"),
        }
        return Result(errors=[Problem(None, "", "already_imported", message)]), ""
    try:
        table = read_table(data, name=batch.original_name)
    except FileProblem as problem:
        return Result(errors=[Problem(None, "", problem.code, problem.message)]), ""
    result = validate_table(table, agency=batch.agency, user=batch.uploaded_by, progress=progress)
    return result, table.encoding


def import_preview(*, batch: NeedImport, by: User, data: bytes | None = None) -> NeedImport:
    """Check every row of an uploaded import and keep what was found (nothing is created).

    A file with errors is refused: it can never be committed (a corrected file is a new
    upload), so its file is deleted at once; the import keeps the problems found."""
    result, encoding = _check(batch, data=data)
    batch = _move(
        batch,
        S.PREVIEWED,
        by=by,
        summary={"rows": result.row_count, "errors": len(result.errors)},
        row_count=result.row_count,
        encoding=encoding,
        errors=[p.as_dict() for p in result.errors],
        warnings=[p.as_dict() for p in result.warnings],
        previewed_at=timezone.now(),
    )
    if batch.errors:
        _discard_file(batch)
    return batch


def import_cancel(*, batch: NeedImport, by: User) -> NeedImport:
    """The uploader drops an import before its commit: it becomes cancelled and its file
    (identities in the clear) is deleted at once. Raises NotAllowed for anyone else,
    InvalidState once the commit has started or the import has ended."""
    if by.pk != batch.uploaded_by_id:
        raise NotAllowed(_("Only the person who uploaded this file cancels its import."))
    batch = _move(batch, S.CANCELLED, by=by, finished_at=timezone.now())
    _discard_file(batch)
    return batch


def import_commit_request(*, batch: NeedImport, by: User) -> NeedImport:
    """Start the commit of a checked import without errors, as a background task.

    Only the person who uploaded it commits it: they have seen its preview, and they
    become the preparer of every need. A second request (a double click, a second tab)
    finds the import already committing and raises InvalidState: the row lock in
    ``_move`` lets exactly one through.
    """
    if by.pk != batch.uploaded_by_id or not policy.can_record_need(by, batch.agency):
        raise NotAllowed(_("Only the person who uploaded this file imports it."))
    if batch.errors:
        raise InvalidState(_("This file has errors: correct them and upload it again."))
    batch = _move(batch, S.COMMITTING, by=by, commit_started_at=timezone.now(), checked_count=0, processed_count=0)
    from imports.tasks import import_commit_task

    transaction.on_commit(lambda: import_commit_task.enqueue(import_id=batch.pk))
    return batch


class _ProgressReporter:
    """Reports rows written while the commit's transaction is still open.

    PostgreSQL: a second connection in autocommit updates the import's counter (the
    transaction itself never locks the import row until its last statement, so the two
    never wait on each other). SQLite has one writer at a time: nothing is reported.
    """

    def __init__(self, import_id: int) -> None:
        self.import_id = import_id
        self.side = connections.create_connection(DEFAULT_DB_ALIAS) if connection.vendor == "postgresql" else None

    def report(self, written: int) -> None:
        if self.side is None:
            return
        table = self.side.ops.quote_name(NeedImport._meta.db_table)
        try:
            with self.side.cursor() as cursor:
                # Never wait long for the row: a report that cannot be made is skipped.
                cursor.execute("SET lock_timeout = '2s'")
                cursor.execute(f"UPDATE {table} SET processed_count = %s WHERE id = %s", [written, self.import_id])  # noqa: S608
        except Exception:  # progress is a courtesy: never let it fail the import
            logger.warning("import %s: progress report failed", self.import_id, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def import_commit(*, import_id: int) -> NeedImport:
    """The commit task's work: check every row again, then create every need in one
    transaction, or none. Idempotent: an import not in ``committing`` is left alone."""
    batch = NeedImport.objects.select_related("agency__region", "uploaded_by").get(pk=import_id)
    if batch.state != S.COMMITTING:
        return batch
    user = batch.uploaded_by
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        try:
            batch = _commit(batch, user)
        except Exception:
            logger.exception("import %s failed", batch.pk)
            problem = Problem(
                None, "", "internal", _("The import stopped on an unexpected error; nothing was imported.")
            )
            batch = _move(batch, S.FAILED, by=None, errors=[problem.as_dict()], finished_at=timezone.now())
    _discard_file(batch)
    return batch


def _discard_file(batch: NeedImport) -> None:
    """The uploaded file holds identities in the clear: once the import is over (its
    needs are in the vault, or it failed) it is deleted; the import keeps its findings."""
    if batch.file:
        batch.file.delete(save=False)
        NeedImport.objects.filter(pk=batch.pk).update(file="")


# Long enough to correct a file over a weekend; short enough that clear-text identities
# do not linger in the private storage.
KEEP_UNCOMMITTED = timedelta(days=3)


def imports_expire(*, now: datetime | None = None) -> int:
    """Close imports not committed within KEEP_UNCOMMITTED (their file is deleted), and
    delete any file an ended (committed, failed, cancelled) import still has. Idempotent;
    returns how many were touched."""
    now = now or timezone.now()
    touched = 0
    stale = NeedImport.objects.filter(state__in=[S.UPLOADED, S.PREVIEWED], created_at__lt=now - KEEP_UNCOMMITTED)
    for batch in stale:
        problem = Problem(None, "", "expired", _("Not imported in time: upload the file again."))
        try:
            batch = _move(batch, S.FAILED, by=None, errors=[*batch.errors, problem.as_dict()], finished_at=now)
        except InvalidState:
            continue  # committed meanwhile
        _discard_file(batch)
        touched += 1
    # The backstop: refusals and cancellations delete their file at once.
    stale_files = NeedImport.objects.filter(state__in=[S.COMMITTED, S.FAILED, S.CANCELLED]).exclude(file="")
    for batch in stale_files:
        _discard_file(batch)
        touched += 1
    return touched


def _save_progress(batch: NeedImport, **counts: int) -> None:
    NeedImport.objects.filter(pk=batch.pk).update(**counts)


def _commit(batch: NeedImport, user: User) -> NeedImport:
    if not policy.can_record_need(user, batch.agency):
        problem = Problem(None, "", "not_allowed", _("The uploader no longer records needs for this agency."))
        return _move(batch, S.FAILED, by=None, errors=[problem.as_dict()], finished_at=timezone.now())
    # Checked again: a category retired or a relative declared since the preview changes
    # what may be imported.
    result, _encoding = _check(batch, progress=lambda n: _save_progress(batch, checked_count=n))
    if not result.ok or len(result.rows) != batch.row_count:
        return _move(
            batch,
            S.FAILED,
            by=None,
            summary={"errors": len(result.errors)},
            errors=[p.as_dict() for p in result.errors],
            finished_at=timezone.now(),
        )
    _save_progress(batch, checked_count=batch.row_count)
    reporter = _ProgressReporter(batch.pk)
    try:
        with transaction.atomic():
            created = write_needs(agency=batch.agency, by=user, rows=result.rows, progress=reporter.report)
            NeedImport.needs.through.objects.bulk_create(
                [NeedImport.needs.through(needimport_id=batch.pk, need_id=pk) for pk in created], batch_size=2000
            )
            return _move(
                batch,
                S.COMMITTED,
                by=user,
                summary={"created": len(created)},
                checked_count=batch.row_count,
                processed_count=len(created),
                created_count=len(created),
                finished_at=timezone.now(),
            )
    finally:
        reporter.close()
