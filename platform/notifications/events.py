"""Every notification event: its title and its email template, as data.

Each event has one bilingual template pair under ``templates/notifications/email/``
(``<event>_subject.txt`` and ``<event>.txt``), rendered in the recipient's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from accounts.models import Role


@dataclass(frozen=True)
class Event:
    title: str  # format string over the event's params
    email: bool = True


EVENTS: dict[str, Event] = {
    "invitation_accepted": Event(_("%(email)s accepted your invitation as %(role_label)s at %(scope)s.")),
    "membership_removed": Event(_("Your role as %(role_label)s at %(scope)s was removed.")),
    "welcome": Event(_("Welcome to Safetynet. Your account is ready."), email=False),
}


def _params_for_display(params: dict) -> dict:
    shown = dict(params)
    if "role" in shown:
        try:
            shown["role_label"] = Role(shown["role"]).label
        except ValueError:
            shown["role_label"] = shown["role"]
    return shown


def render_title(notification) -> str:
    event = EVENTS.get(notification.event)
    if event is None:
        return notification.event
    try:
        return str(event.title) % _params_for_display(notification.params)
    except (KeyError, TypeError, ValueError):
        return str(event.title)
