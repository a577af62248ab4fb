"""A bulk import of needs: one uploaded file, its preview and its all-or-nothing commit."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from needs.models import private_storage


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    PREVIEWED = "previewed", _("Checked")
    COMMITTING = "committing", _("Importing")
    COMMITTED = "committed", _("Imported")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


def import_file_path(instance: NeedImport, filename: str) -> str:
    import uuid

    # A generated name: the sender's is kept for display only (original_name).
    return f"imports/{uuid.uuid4().hex}.{instance.file_format}"


class NeedImport(models.Model):
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="need_imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    original_name = models.CharField(_("file name"), max_length=200)
    file = models.FileField(storage=private_storage, upload_to=import_file_path, max_length=200)
    file_format = models.CharField(max_length=4)  # "csv" or "xlsx"
    encoding = models.CharField(max_length=20, blank=True)
    # Of the file's bytes: the same file imported twice is refused (a double upload).
    sha256 = models.CharField(max_length=64, db_index=True, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=ImportState.choices, default=ImportState.UPLOADED)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    # The commit's progress: rows checked again, then rows written (see imports.services).
    checked_count = models.PositiveIntegerField(default=0)
    processed_count = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(_("needs created"), default=0)
    # [{"row": 5, "column": "id_number", "code": "checksum", "message": "…"}]; row None for the file.
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    needs = models.ManyToManyField("needs.Need", related_name="+", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    previewed_at = models.DateTimeField(null=True, blank=True)
    commit_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("needs import")
        verbose_name_plural = _("needs imports")
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=ImportState.values), name="need_import_state_valid"),
            models.CheckConstraint(
                condition=models.Q(processed_count__lte=models.F("row_count"))
                & models.Q(checked_count__lte=models.F("row_count")),
                name="need_import_progress_within_rows",
            ),
            # Needs exist only for a committed import, and then one per row.
            models.CheckConstraint(
                condition=models.Q(created_count=0) | models.Q(state="committed", created_count=models.F("row_count")),
                name="need_import_created_only_when_committed",
            ),
        ]

    def __str__(self) -> str:
        return f"import #{self.pk}"

    @property
    def can_cancel(self) -> bool:
        return self.state in (ImportState.UPLOADED, ImportState.PREVIEWED)

    @property
    def can_commit(self) -> bool:
        return self.state == ImportState.PREVIEWED and not self.errors and self.row_count > 0

    @property
    def progress_percent(self) -> int:
        """Checking again counts for the first half of the bar, writing for the second."""
        if self.state == ImportState.COMMITTED:
            return 100
        if not self.row_count:
            return 0
        return (self.checked_count + self.processed_count) * 100 // (2 * self.row_count)
