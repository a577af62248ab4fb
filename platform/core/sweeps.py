"""Periodic sweeps: registered here, run by `manage.py run_sweeps`.

`make run` runs them beside the development server and docker compose runs them
in the `scheduler` service, so the embedded default behaves like production.
Each sweep must be idempotent: running it twice in a row changes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    every: timedelta
    run: Callable[[], int]


SWEEPS: dict[str, Sweep] = {}


def sweep(name: str, *, every: timedelta):
    def register(func: Callable[[], int]) -> Callable[[], int]:
        SWEEPS[name] = Sweep(name=name, every=every, run=func)
        return func

    return register


@sweep("purge_expired_sessions", every=timedelta(hours=1))
def purge_expired_sessions() -> int:
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@sweep("expire_invitations", every=timedelta(hours=1))
def expire_invitations() -> int:
    """Invitations expire by date on their own; this records the count for the log
    and drops those a month past expiry so stale tokens do not pile up."""
    from accounts.models import Invitation

    cutoff = timezone.now() - timedelta(days=30)
    deleted, _ = Invitation.objects.filter(accepted_at__isnull=True, expires_at__lt=cutoff).delete()
    return deleted


@sweep("retry_notification_email", every=timedelta(minutes=10))
def retry_notification_email() -> int:
    """Re-send emails whose task failed (mail server down), for a day."""
    from notifications.events import EVENTS
    from notifications.models import Notification
    from notifications.tasks import send_notification_email_task

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


@sweep("prune_task_results", every=timedelta(hours=6))
def prune_task_results() -> int:
    """Finished task results older than two weeks (the database worker keeps them all)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=14)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


def run_due(last_run: dict[str, object], *, only: str | None = None, force: bool = False) -> dict[str, int]:
    """Run each sweep whose interval has passed since ``last_run``; return counts."""
    now = timezone.now()
    results: dict[str, int] = {}
    for name, item in SWEEPS.items():
        if only and name != only:
            continue
        previous = last_run.get(name)
        if force or previous is None or now - previous >= item.every:
            try:
                results[name] = item.run()
            except Exception:  # one failing sweep must not stop the others
                logger.exception("sweep %s failed", name)
                results[name] = -1
            last_run[name] = now
    return results
