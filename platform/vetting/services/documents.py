"""The application's documents: checked uploads, removal, audited downloads and previews, the PDF scan."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from audit.selectors import audit_recorded_since
from audit.services import record
from organisations.models import Organisation
from vetting.exceptions import Incomplete, Locked, NotAllowed
from vetting.models import Document, ScanResult
from vetting.pdf_scan import pdf_scan
from vetting.uploads import CheckedUpload
from vetting.workflow import EDITABLE_STATES, FROZEN_STATES


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
