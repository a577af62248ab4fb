"""The payment clock: reminders before a payment falls due, escalation of overdue
payments and of work waiting too long for acceptance. Run hourly by the
``contracts_clock`` sweep."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Role
from contracts.models import Milestone, MilestoneState
from contracts.selectors import milestone_label
from contracts.services.common import agency_people, contract_event, tell
from contracts.workflow import ACCEPTANCE_OVERDUE_DAYS, PAYMENT_REMINDER_DAYS


def contracts_clock_run(*, today: date | None = None) -> dict[str, int]:
    """Remind finance officers of payments falling due within a week; escalate to the
    agency's approvers and administrators payments past due and work waiting more than
    15 days for acceptance. Each once (idempotent)."""
    today = today or timezone.localdate()
    now = timezone.now()
    counts = {"reminded": 0, "payment_overdue": 0, "acceptance_overdue": 0}
    unpaid = Milestone.objects.filter(state=MilestoneState.ACCEPTED, payment_due__isnull=False).exclude(
        paid_amount__gte=F("accepted_amount")
    )
    for milestone in unpaid.filter(
        payment_reminded_at__isnull=True,
        payment_due__gte=today,
        payment_due__lte=today + timedelta(days=PAYMENT_REMINDER_DAYS),
    ).select_related("contract__agency"):
        with transaction.atomic():
            if not Milestone.objects.filter(pk=milestone.pk, payment_reminded_at__isnull=True).update(
                payment_reminded_at=now
            ):
                continue
            tell(
                agency_people(milestone.contract, Role.AGENCY_FINANCE),
                "payment_due_soon",
                milestone.contract,
                milestone=milestone_label(milestone),
                due=milestone.payment_due.isoformat(),
            )
            counts["reminded"] += 1
    for milestone in unpaid.filter(payment_escalated_at__isnull=True, payment_due__lt=today).select_related(
        "contract__agency"
    ):
        with transaction.atomic():
            if not Milestone.objects.filter(pk=milestone.pk, payment_escalated_at__isnull=True).update(
                payment_escalated_at=now
            ):
                continue
            contract_event(milestone.contract, "payment_overdue", None, milestone=milestone)
            tell(
                agency_people(milestone.contract, Role.AGENCY_APPROVER, Role.AGENCY_ADMIN, Role.AGENCY_FINANCE),
                "payment_overdue",
                milestone.contract,
                milestone=milestone_label(milestone),
                due=milestone.payment_due.isoformat(),
            )
            counts["payment_overdue"] += 1
    waiting_since = now - timedelta(days=ACCEPTANCE_OVERDUE_DAYS)
    for milestone in Milestone.objects.filter(
        state=MilestoneState.SUBMITTED, submitted_at__lt=waiting_since, acceptance_escalated_at__isnull=True
    ).select_related("contract__agency"):
        with transaction.atomic():
            if not Milestone.objects.filter(pk=milestone.pk, acceptance_escalated_at__isnull=True).update(
                acceptance_escalated_at=now
            ):
                continue
            contract_event(milestone.contract, "acceptance_overdue", None, milestone=milestone)
            tell(
                agency_people(milestone.contract, Role.AGENCY_APPROVER, Role.AGENCY_ADMIN),
                "acceptance_overdue",
                milestone.contract,
                milestone=milestone_label(milestone),
                days=ACCEPTANCE_OVERDUE_DAYS,
            )
            counts["acceptance_overdue"] += 1
    return counts
