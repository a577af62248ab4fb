"""The accounts' sweep: stale invitations."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from accounts.models import Invitation
from core.sweeps import sweep


@sweep("expire_invitations", every=timedelta(hours=1))
def expire_invitations() -> int:
    """Invitations expire by date on their own; this records the count for the log
    and drops those a month past expiry so stale tokens do not pile up."""
    cutoff = timezone.now() - timedelta(days=30)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted
