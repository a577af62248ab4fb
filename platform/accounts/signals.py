"""Account signals: deactivation ends sessions; a verified address gets a welcome."""

from __future__ import annotations

from allauth.account.signals import email_confirmed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from audit.services import record
from notifications.services import notify


@receiver(pre_save, sender=User)
def _remember_active(sender, instance: User, **kwargs) -> None:
    if instance.pk:
        # Read back by the post_save receiver below.
        instance._was_active = User.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()  # type: ignore[attr-defined]


@receiver(post_save, sender=User)
def _end_sessions_on_deactivation(sender, instance: User, created: bool, **kwargs) -> None:
    if not created and getattr(instance, "_was_active", False) and not instance.is_active:
        from accounts.services import user_sessions_end

        user_sessions_end(user=instance)


@receiver(email_confirmed)
def _welcome_on_first_confirmation(sender, request, email_address, **kwargs) -> None:
    """A verified address completes sign-up: greet the person in the notification centre."""

    user = email_address.user
    record(action="account.email_verified", actor=user, obj=user, summary={"email": email_address.email})
    if not user.notifications.filter(event="welcome").exists():
        notify(user=user, event="welcome", url="/dashboard/")
