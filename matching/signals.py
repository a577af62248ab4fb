from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from matching.documents import INDEXED_STATES


@receiver(post_save, sender="needs.Need", dispatch_uid="matching.need_saved")
def need_saved(sender, instance, created, raw=False, **kwargs):
    if raw or (created and instance.state not in INDEXED_STATES):
        return  # a new draft is not searched: nothing to index or remove
    from matching.tasks import index_need

    index_need.enqueue(instance.pk)


@receiver(post_save, sender="needs.NeedInvitation", dispatch_uid="matching.invitation_saved")
@receiver(post_delete, sender="needs.NeedInvitation", dispatch_uid="matching.invitation_deleted")
def invitation_changed(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from matching.tasks import index_need

    index_need.enqueue(instance.need_id)
