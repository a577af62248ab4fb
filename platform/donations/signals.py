"""The need's own workflow tells us when its campaign ends: a NeedEvent to closed or
withdrawn (the contract's termination closes the need) refunds what was not used;
one to in_contract starts allocating to the contract. Contracts are not touched."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import Signal, receiver

from needs.models import NeedEvent, NeedState

ENDING = {NeedState.CLOSED, NeedState.WITHDRAWN}

# Money came in or went back (a receipt or a refund posted), sent after the commit: the
# public figures that count donations listen (transparency), donations knows none of them.
journal_posted = Signal()


@receiver(post_save, sender=NeedEvent, dispatch_uid="donations_need_event")
def need_event_saved(sender, instance: NeedEvent, created: bool, **kwargs) -> None:
    if not created or instance.from_state == instance.to_state:
        return
    from donations.models import Campaign

    if not Campaign.objects.filter(need_id=instance.need_id).exists():
        return
    from donations.tasks import campaign_allocate_task, campaign_close_task

    need_id, to_state = instance.need_id, instance.to_state
    if to_state in ENDING:
        transaction.on_commit(lambda: campaign_close_task.enqueue(need_id=need_id, reason=str(to_state)))
    elif to_state == NeedState.IN_CONTRACT:
        transaction.on_commit(lambda: campaign_allocate_task.enqueue(need_id=need_id))
