"""The snapshot on demand, as a task (in-process by default, the database worker at scale)."""

from __future__ import annotations

from django.tasks import task


@task()
def snapshot_compute_task() -> int:
    from transparency.services import snapshot_compute

    return snapshot_compute().pk


@task()
def snapshot_refresh_task() -> bool:
    from transparency.services import snapshot_refresh_if_stale

    return snapshot_refresh_if_stale()
