from __future__ import annotations

from datetime import datetime

from django.db.models import Model, QuerySet

from accounts import policy
from accounts.models import User
from accounts.types import AnyUser
from audit.models import AuditEntry


def audit_entries_visible_to(user: AnyUser) -> QuerySet[AuditEntry]:
    """Auditors and superusers read the whole log; nobody else reads any of it."""
    if policy.can_read_audit_log(user):
        return AuditEntry.objects.all()
    return AuditEntry.objects.none()


def audit_recorded_since(*, action: str, actor: User, obj: Model, since: datetime) -> bool:
    """Whether ``actor`` already has an ``action`` entry about ``obj`` since ``since``."""
    return AuditEntry.objects.filter(
        action=action,
        actor_id=actor.pk,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        at__gte=since,
    ).exists()
