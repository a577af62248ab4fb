from __future__ import annotations

from audit.models import AuditEntry


def audit_recorded_since(*, action: str, actor, obj, since) -> bool:
    """Whether ``actor`` already has an ``action`` entry about ``obj`` since ``since``."""
    return AuditEntry.objects.filter(
        action=action,
        actor_id=actor.pk,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        at__gte=since,
    ).exists()
