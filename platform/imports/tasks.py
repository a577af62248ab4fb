"""The commit of an import runs as a task: in-process by default, on a worker at scale
(queue ``imports``, so that a long import never holds up the email queue)."""

from __future__ import annotations

from django.tasks import task


@task(queue_name="imports")
def import_commit_task(*, import_id: int) -> int:
    """Create every need of the import, or none; returns how many were created."""
    from imports.services import import_commit

    return import_commit(import_id=import_id).created_count
