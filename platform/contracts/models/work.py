"""The work: milestones, the service records and evidence files, and the beneficiary's
confirmation."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contracts.models.contract import Contract
from needs.models import private_storage


class MilestoneState(models.TextChoices):
    PENDING = "pending", _("In progress")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    RETURNED = "returned", _("Returned for more evidence")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")


# While a milestone is in one of these, its work is open: evidence is added and the
# beneficiary asked to confirm.
WORK_STATES = frozenset({MilestoneState.PENDING, MilestoneState.RETURNED, MilestoneState.SUBMITTED})


class Milestone(models.Model):
    """A stage of the work and its money: what was accepted and what was paid. The
    database refuses a paid amount above the accepted one."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="milestones")
    state = models.CharField(_("state"), max_length=12, choices=MilestoneState.choices, default=MilestoneState.PENDING)
    state_reason = models.TextField(_("reason for the current state"), blank=True)
    # Set on termination for the settlement of delivered work; such a milestone has no terms.
    settlement = models.BooleanField(default=False)
    settlement_description = models.TextField(blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accepted_amount = models.DecimalField(_("accepted (CNY)"), max_digits=12, decimal_places=2, default=0)
    paid_amount = models.DecimalField(_("paid (CNY)"), max_digits=12, decimal_places=2, default=0)
    payment_due = models.DateField(_("payment due"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid in full"), null=True, blank=True)
    # The clock's reminders and escalations, each sent once.
    payment_reminded_at = models.DateTimeField(null=True, blank=True, editable=False)
    payment_escalated_at = models.DateTimeField(null=True, blank=True, editable=False)
    acceptance_escalated_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["contract", "pk"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [
            models.CheckConstraint(condition=Q(state__in=MilestoneState.values), name="milestone_state_valid"),
            models.CheckConstraint(condition=Q(paid_amount__gte=0), name="milestone_paid_not_negative"),
            models.CheckConstraint(condition=Q(accepted_amount__gte=0), name="milestone_accepted_not_negative"),
            models.CheckConstraint(
                condition=Q(paid_amount__lte=F("accepted_amount")), name="milestone_paid_within_accepted"
            ),
        ]

    def __str__(self) -> str:
        return f"milestone #{self.pk} of contract #{self.contract_id}"

    @property
    def outstanding(self):
        return self.accepted_amount - self.paid_amount

    @property
    def payment_overdue(self) -> bool:
        """Accepted, not paid in full, and past its payment's due date (today)."""
        return bool(
            self.state == MilestoneState.ACCEPTED
            and self.payment_due
            and self.outstanding > 0
            and self.payment_due < timezone.localdate()
        )


def evidence_path(instance, filename: str) -> str:
    contract_id = instance.milestone.contract_id if hasattr(instance, "milestone_id") else instance.contract_id
    return f"contracts/{contract_id}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


class ServiceRecord(models.Model):
    """One session of the service, as the organisation records it."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="service_records")
    date = models.DateField(_("date"))
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(24)]
    )
    worker = models.CharField(_("worker"), max_length=100)
    activity = models.CharField(_("activity"), max_length=300)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "pk"]
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="service_record_hours"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.activity}"


class UploadedFile(models.Model):
    """A file checked by the vetting upload rules (type sniffed, size, name)."""

    file = models.FileField(storage=private_storage, upload_to=evidence_path, max_length=200)
    display_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.display_name


class EvidenceFile(UploadedFile):
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="evidence_files")

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")


class ConfirmationOutcome(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed by the beneficiary")
    DISPUTED = "disputed", _("Disputed by the beneficiary")


class DisputeResolution(models.TextChoices):
    UPHELD = "upheld", _("Upheld: the milestone goes back to the organisation")
    DISMISSED = "dismissed", _("Dismissed: the service is found delivered")


class Confirmation(models.Model):
    """A one-time link and code for the beneficiary to confirm (or dispute) that a
    service milestone happened. Only hashes of the token and code are kept."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="confirmations")
    token_hash = models.CharField(max_length=64, unique=True)
    code_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    failures = models.PositiveSmallIntegerField(default=0)
    locked_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=ConfirmationOutcome.choices, blank=True)
    rating = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    note = models.TextField(blank=True, max_length=1000)
    resolution = models.CharField(max_length=10, choices=DisputeResolution.choices, blank=True)
    resolution_note = models.TextField(blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("beneficiary confirmation")
        verbose_name_plural = _("beneficiary confirmations")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5), name="confirmation_rating_range"
            ),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(used_at__isnull=False), name="confirmation_outcome_when_used"
            ),
        ]

    def __str__(self) -> str:
        return f"confirmation #{self.pk} of milestone #{self.milestone_id}"

    @property
    def open_dispute(self) -> bool:
        return self.outcome == ConfirmationOutcome.DISPUTED and not self.resolution
