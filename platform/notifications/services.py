"""Writes for notifications. Email goes out through a task once the change commits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from core.i18n import path_in_language
from notifications.events import EVENTS
from notifications.models import Notification

if TYPE_CHECKING:
    from accounts.models import User


def url_for(viewname: str, *args: object) -> str:
    """A link for a notification, without a language prefix: it is shown to its
    reader in their own language (see localise_url)."""
    from django.conf import settings
    from django.urls import reverse
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return reverse(viewname, args=args)


def localise_url(url: str, language: str) -> str:
    return path_in_language(url, language) if url.startswith("/") else url


def notify(*, user: User, event: str, params: Mapping[str, object] | None = None, url: str = "") -> Notification:
    """Create an in-app notification for ``user`` and email it after commit.

    Raises KeyError for an event that is not declared in ``notifications.events``.
    """
    spec = EVENTS[event]
    notification = Notification.objects.create(user=user, event=event, params=params or {}, url=url)
    if spec.email and user.email:
        from notifications.tasks import send_notification_email_task

        transaction.on_commit(lambda: send_notification_email_task.enqueue(notification_id=notification.pk))
    return notification


def send_templated_email(*, to: str, template: str, context: Mapping[str, object], language: str) -> None:
    """Email someone who may have no account yet (an invitation), after commit."""
    from notifications.tasks import send_email_task

    safe_context = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in context.items()}
    transaction.on_commit(
        lambda: send_email_task.enqueue(to=to, template=template, context=safe_context, language=language)
    )


def notifications_mark_read(*, user: User, ids: list[int] | None = None) -> int:
    """Mark the user's notifications read (all, or those in ``ids``)."""
    qs = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
