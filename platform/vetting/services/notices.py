"""Who is told of vetting steps: the organisation's administrators, or the vetting officers."""

from __future__ import annotations

from collections.abc import Mapping

from accounts import policy
from accounts.models import Membership, Role, User
from notifications.services import notify, url_for
from organisations.models import Organisation


def _admins(organisation: Organisation) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(organisation=organisation, role=Role.ORG_ADMIN, user__is_active=True)
        .select_related("user")
        .order_by("pk")
    ]


def _notify_admins(organisation: Organisation, event: str, params: Mapping[str, object] | None = None) -> None:
    url = url_for("organisations:detail", organisation.pk)
    for admin in _admins(organisation):
        notify(user=admin, event=event, params={"organisation": organisation.legal_name, **(params or {})}, url=url)


def _notify_vetting_officers(organisation: Organisation, event: str) -> None:
    url = url_for("vetting:detail", organisation.pk)
    officers = User.objects.filter(
        is_active=True, memberships__role=Role.VETTING_OFFICER, memberships__organisation__isnull=True
    ).distinct()
    for officer in officers:
        if organisation.pk not in policy.organisation_ids(officer):
            notify(user=officer, event=event, params={"organisation": organisation.legal_name}, url=url)
