from __future__ import annotations

from django.db.models import QuerySet

from accounts import policy
from audit.models import AuditEntry


def audit_entries_visible_to(user) -> QuerySet[AuditEntry]:
    """Auditors and superusers read the whole log; nobody else reads any of it."""
    if policy.can_read_audit_log(user):
        return AuditEntry.objects.all()
    return AuditEntry.objects.none()
