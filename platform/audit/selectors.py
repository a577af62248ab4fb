from __future__ import annotations

from datetime import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model

from audit.models import AuditEntry


def audit_recorded_since(*, action: str, actor: AbstractBaseUser, obj: Model, since: datetime) -> bool:
    """Whether ``actor`` already has an ``action`` entry about ``obj`` since ``since``."""
    return AuditEntry.objects.filter(
        action=action,
        actor_id=actor.pk,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        at__gte=since,
    ).exists()
