"""Keeping the index in step with the needs, through django.tasks.

Enqueued in the same transaction as the change: with the database task backend the task
row commits with the change (a worker picks it up within a second or two), with the
immediate backend it runs at once on the same connection.
"""

from __future__ import annotations

from django.tasks import task

from needs.models import Need


@task(queue_name="search")
def index_need(need_id: int) -> str:
    from matching.backends import get_backend
    from matching.documents import document_for, indexable, is_indexed

    need = indexable(Need.objects.filter(pk=need_id)).first()
    backend = get_backend()
    if need is None or not is_indexed(need):
        backend.remove([need_id])
        return "removed"
    backend.index([document_for(need)])
    alert_saved_searches.enqueue(need_id)
    return "indexed"


@task(queue_name="search")
def alert_saved_searches(need_id: int) -> int:
    """Tell the members whose saved searches this (newly searchable) need fits."""
    from matching.alerts import alert_saved_searches as alert

    return alert(need_id)
