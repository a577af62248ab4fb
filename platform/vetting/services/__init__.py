"""Writes for vetting: registration, profile changes, documents, the checklist, the
one transition service, change requests and the expiry sweep.

One module per part: ``profile`` (registration, profile changes, change requests),
``documents``, ``review`` (the checklist), ``transitions`` (the one door), ``expiry``
(the sweep) and ``notices`` (who is told). The names callers use are re-exported here.
"""

from vetting.services.documents import (
    PREVIEW_AUDIT_WINDOW,
    document_delete,
    document_open,
    document_preview,
    document_scan,
    document_upload,
)
from vetting.services.expiry import vetting_sweep
from vetting.services.profile import change_request_decide, organisation_register, organisation_update
from vetting.services.review import checklist_record, review_current
from vetting.services.transitions import organisation_transition

__all__ = [
    "PREVIEW_AUDIT_WINDOW",
    "change_request_decide",
    "checklist_record",
    "document_delete",
    "document_open",
    "document_preview",
    "document_scan",
    "document_upload",
    "organisation_register",
    "organisation_transition",
    "organisation_update",
    "review_current",
    "vetting_sweep",
]
