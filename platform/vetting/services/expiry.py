"""The expiry sweep: approvals past their date expire; the 30- and 7-day reminders are sent once."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from organisations.models import Organisation, VettingState
from vetting.services.notices import _notify_admins
from vetting.services.transitions import organisation_transition
from vetting.workflow import REMINDER_DAYS


def vetting_sweep(*, now: datetime | None = None) -> dict[str, int]:
    """Expire approvals past their date and send the 30- and 7-day reminders.

    Idempotent: each reminder is sent once per approval period.
    """
    now = now or timezone.now()
    expired = 0
    for organisation in Organisation.objects.filter(
        vetting_state__in=[VettingState.APPROVED, VettingState.SUSPENDED], approved_until__lte=now
    ):
        organisation_transition(organisation=organisation, action="expire", by=None)
        expired += 1
    reminded = 0
    # Nearest deadline first: an approval already inside 7 days gets the 7-day reminder
    # only, and the 30-day one is marked as superseded.
    for days in sorted(REMINDER_DAYS):
        field = f"reminded_{days}_at"
        also_mark = {f"reminded_{d}_at": now for d in REMINDER_DAYS if d > days}
        due = Organisation.objects.filter(
            vetting_state=VettingState.APPROVED,
            approved_until__gt=now,
            approved_until__lte=now + timedelta(days=days),
            **{f"{field}__isnull": True},
        )
        for organisation in due:
            with transaction.atomic():
                updated = Organisation.objects.filter(pk=organisation.pk, **{f"{field}__isnull": True}).update(
                    **{field: now, **also_mark}
                )
                if updated:
                    _notify_admins(
                        organisation,
                        "organisation_expiry_reminder",
                        {"days": days, "date": timezone.localdate(organisation.approved_until).isoformat()},
                    )
                    reminded += 1
    return {"expired": expired, "reminded": reminded}
