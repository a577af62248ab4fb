"""Periodic sweeps: the registry each app adds to (from its ``sweeps`` module, imported in
its ``AppConfig.ready``), run by `manage.py run_sweeps`.

`make run` runs them beside the development server and docker compose runs them
in the `scheduler` service, so the embedded default behaves like production.
Each sweep must be idempotent: running it twice in a row changes nothing more.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Sweep:
    name: str
    every: timedelta
    run: Callable[[], int]


SWEEPS: dict[str, Sweep] = {}


def sweep(name: str, *, every: timedelta) -> Callable[[Callable[[], int]], Callable[[], int]]:
    def register(func: Callable[[], int]) -> Callable[[], int]:
        SWEEPS[name] = Sweep(name=name, every=every, run=func)
        return func

    return register


@sweep("purge_expired_sessions", every=timedelta(hours=1))
def purge_expired_sessions() -> int:
    from django.contrib.sessions.models import Session

    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@sweep("prune_task_results", every=timedelta(hours=6))
def prune_task_results() -> int:
    """Finished task results older than two weeks (the database worker keeps them all)."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - timedelta(days=14)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted


def run_due(last_run: dict[str, datetime], *, only: str | None = None, force: bool = False) -> dict[str, int]:
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
