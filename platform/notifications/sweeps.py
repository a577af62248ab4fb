"""The notifications' sweep: e-mails whose sending failed are tried again."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from core.sweeps import sweep
from notifications.events import EVENTS
from notifications.models import Notification
from notifications.tasks import send_notification_email_task


@sweep("retry_notification_email", every=timedelta(minutes=10))
def retry_notification_email() -> int:
    """Re-send emails whose task failed (mail server down), for a day."""
    since = timezone.now() - timedelta(days=1)
    until = timezone.now() - timedelta(minutes=10)
    pending = Notification.objects.filter(
        emailed_at__isnull=True,
        created_at__gte=since,
        created_at__lte=until,
        event__in=[name for name, event in EVENTS.items() if event.email],
    ).values_list("pk", flat=True)
    count = 0
    for pk in pending:
        send_notification_email_task.enqueue(notification_id=pk)
        count += 1
    return count
