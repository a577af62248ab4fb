"""Email delivery runs as a task: in-process by default, on a worker at scale."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone, translation


@task(queue_name="email")
def send_email_task(*, to: str, template: str, context: dict, language: str) -> None:
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {**context, "site_url": settings.SITE_URL}
        # A template named with its folder (contracts/email/confirmation) is found there too.
        subject = render_to_string(
            [f"notifications/email/{template}_subject.txt", f"{template}_subject.txt"], context
        ).strip()
        body = render_to_string([f"notifications/email/{template}.txt", f"{template}.txt"], context)
    send_mail(settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), body, None, [to])


@task(queue_name="email")
def send_notification_email_task(*, notification_id: int) -> None:
    from notifications.events import params_for_display, render_title
    from notifications.models import Notification
    from notifications.services import localise_url

    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at or not notification.user.is_active:
        return
    user = notification.user
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        context = {
            "user": user,
            "title": render_title(notification),
            "params": params_for_display(notification.params),
            "url": settings.SITE_URL.rstrip("/") + localise_url(notification.url, user.preferred_language)
            if notification.url
            else settings.SITE_URL,
            "site_url": settings.SITE_URL,
        }
        # An event may have its own templates; otherwise the shared layout carries its title.
        folder = "notifications/email/"
        subject: str = render_to_string([f"{folder}{notification.event}_subject.txt", f"{folder}_subject.txt"], context)
        body = render_to_string([f"{folder}{notification.event}.txt", f"{folder}_notification.txt"], context)
        subject = subject.strip()
    send_mail(settings.EMAIL_SUBJECT_PREFIX + " ".join(subject.split()), body, None, [user.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
