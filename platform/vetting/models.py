"""Vetting records: documents, reviews with their checklist, the event of every
transition, and change requests to key facts of an approved organisation."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.storage import storages
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import VettingState


class DocumentType(models.TextChoices):
    REGISTRATION = "registration", _("Registration certificate")
    CHARITY = "charity_recognition", _("Charity recognition")
    FUNDRAISING = "fundraising", _("Public-fundraising qualification")
    ANNUAL_REPORT = "annual_report", _("Latest annual report")
    BANK = "bank_proof", _("Bank account proof")
    OTHER = "other", _("Other")


class ScanResult(models.TextChoices):
    """Whether a stored file passed the active-content check of ``vetting.uploads``."""

    # Stored before the check existed: a PDF is checked when first previewed.
    UNSCANNED = "unscanned", _("Not checked")
    PASSED = "passed", _("Passed")
    REFUSED = "refused", _("Active content found")


def private_storage():
    return storages["private"]


def document_path(instance: Document, filename: str) -> str:
    # A generated name: nothing a person typed reaches the file system.
    return f"vetting/{instance.organisation_id}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


class Document(models.Model):
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="documents")
    doc_type = models.CharField(_("document type"), max_length=30, choices=DocumentType.choices)
    file = models.FileField(storage=private_storage, upload_to=document_path, max_length=200)
    display_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    # Only a PDF that passed is ever shown inline (see vetting.views.document_download).
    scan = models.CharField(
        _("active-content check"), max_length=10, choices=ScanResult.choices, default=ScanResult.UNSCANNED
    )
    issued_on = models.DateField(_("issued on"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["doc_type", "-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(condition=models.Q(size__gt=0), name="document_not_empty"),
            models.CheckConstraint(
                condition=models.Q(expires_on__isnull=True)
                | models.Q(issued_on__isnull=True)
                | models.Q(expires_on__gt=models.F("issued_on")),
                name="document_expires_after_issue",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_doc_type_display()} · {self.display_name}"

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def preview_refused(self) -> bool:
        """Active content was found: the file is never shown in the page."""
        return not self.is_image and self.scan == ScanResult.REFUSED


class ChecklistOutcome(models.TextChoices):
    PASS = "pass", _("Meets the requirement")
    FAIL = "fail", _("Does not meet it")
    NOT_APPLICABLE = "n/a", _("Not applicable")


class Review(models.Model):
    """One vetting officer's review of one application (from start to decision)."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")

    def __str__(self) -> str:
        return f"{self.organisation} · {self.started_at:%Y-%m-%d}"


class ChecklistItem(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    item = models.CharField(max_length=40)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ChecklistOutcome.choices)
    note = models.TextField(_("note"), blank=True)
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["review", "item"]
        constraints = [models.UniqueConstraint(fields=["review", "item"], name="uniq_checklist_item")]

    def __str__(self) -> str:
        return f"{self.item}: {self.outcome}"


class VettingEvent(models.Model):
    """Every transition of an organisation's vetting state, in order."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=30)
    from_state = models.CharField(max_length=20, choices=VettingState.choices)
    to_state = models.CharField(max_length=20, choices=VettingState.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("vetting event")
        verbose_name_plural = _("vetting events")

    def __str__(self) -> str:
        return f"{self.organisation}: {self.from_state} → {self.to_state}"


class ChangeRequestState(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ChangeRequest(models.Model):
    """New values for key facts of an approved organisation, applied only when a
    vetting officer approves them."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="change_requests"
    )
    changes = models.JSONField(_("changes"))  # {field: {"before": old, "after": new}}
    state = models.CharField(max_length=10, choices=ChangeRequestState.choices, default=ChangeRequestState.PENDING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("change request")
        verbose_name_plural = _("change requests")
        constraints = [
            # One open request at a time: a second edit amends the pending one.
            models.UniqueConstraint(
                fields=["organisation"], condition=models.Q(state="pending"), name="one_pending_change_request"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {', '.join(self.changes)}"
