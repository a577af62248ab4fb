"""Deactivating a user anywhere (admin, shell, service) ends their sessions."""

from __future__ import annotations

from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import User


@receiver(pre_save, sender=User)
def _remember_active(sender, instance: User, **kwargs) -> None:
    if instance.pk:
        instance._was_active = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()


@receiver(post_save, sender=User)
def _end_sessions_on_deactivation(sender, instance: User, created: bool, **kwargs) -> None:
    if not created and getattr(instance, "_was_active", False) and not instance.is_active:
        from accounts.services import user_sessions_end

        user_sessions_end(user=instance)
