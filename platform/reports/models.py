"""Reports of suspected fraud or favouritism from the public, the files that come with
them and every step of their handling.

A report is never linked to an account, and no client address is stored with it: a
reporter is known only by what they chose to leave (contact details, encrypted) and by
a tracking code of which only the hash is kept.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import EncryptedTextField
from vetting.models import private_storage
from vetting.uploads import ALLOWED_TYPES

MAX_DESCRIPTION = 5000
MAX_SUBJECT_TEXT = 200


class SubjectKind(models.TextChoices):
    NEED = "need", _("A need")
    CONTRACT = "contract", _("A contract")
    ORGANISATION = "organisation", _("An organisation")
    AGENCY = "agency", _("A government agency")
    OTHER = "other", _("Something else")


class ReportState(models.TextChoices):
    OPEN = "open", _("Received")
    INVESTIGATING = "investigating", _("Being looked into")
    CLOSED = "closed", _("Closed")


class OutcomeKind(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")
    NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")
    REFERRED = "referred", _("Referred to another authority")
    INSUFFICIENT = "insufficient", _("Not enough information to act on")
    NO_ACTION = "no_action", _("Not taken further (abusive, out of scope or a repeat)")


def report_file_path(instance: ReportFile, filename: str) -> str:
    # A generated name; nothing the reporter typed reaches the file system.
    return f"reports/{uuid.uuid4().hex}{instance.extension}"


class Report(models.Model):
    subject_kind = models.CharField(_("about"), max_length=20, choices=SubjectKind.choices)
    # What the reporter typed (a contract number, a need reference, a name), as typed.
    subject_text = models.CharField(_("reference given"), max_length=MAX_SUBJECT_TEXT, blank=True)
    # What that text was found to name, silently: the reporter is never told.
    need = models.ForeignKey("needs.Need", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The reporter's own words name people (beneficiaries, staff, sometimes the reporter):
    # encrypted at rest, like the contact details. Duplicates are found by ``fingerprint``.
    description = EncryptedTextField(_("what happened"), max_length=MAX_DESCRIPTION)
    # Personal data of the reporter, for auditors only (PIPL): encrypted at rest.
    contact_name = EncryptedTextField(_("name"), blank=True)
    contact_email = EncryptedTextField(_("email"), blank=True)
    contact_phone = EncryptedTextField(_("phone"), blank=True)
    language = models.CharField(_("language"), max_length=10, default=settings.LANGUAGE_CODE)
    code_hash = models.CharField(max_length=64, unique=True)
    # SHA-256 of the normalised description, to refuse the same report sent twice.
    fingerprint = models.CharField(max_length=64, db_index=True)
    state = models.CharField(_("status"), max_length=20, choices=ReportState.choices, default=ReportState.OPEN)
    outcome = models.CharField(_("outcome"), max_length=20, choices=OutcomeKind.choices, blank=True)
    public_outcome = models.TextField(_("outcome shown to the reporter"), blank=True)
    private_notes = models.TextField(_("private notes"), blank=True)
    filed_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last update"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = _("report from the public")
        verbose_name_plural = _("reports from the public")
        constraints = [
            models.CheckConstraint(condition=models.Q(state__in=ReportState.values), name="report_state_valid"),
            models.CheckConstraint(
                condition=models.Q(subject_kind__in=SubjectKind.values), name="report_subject_kind_valid"
            ),
            # A closed report has an outcome and a date; an open one has neither.
            models.CheckConstraint(
                condition=(
                    models.Q(state="closed", closed_at__isnull=False)
                    & ~models.Q(outcome="")
                    & ~models.Q(public_outcome="")
                )
                | (~models.Q(state="closed") & models.Q(closed_at__isnull=True, outcome="")),
                name="report_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        # Never the description: this string reaches the audit log.
        return self.reference

    @property
    def reference(self) -> str:
        return f"R{self.pk:06d}" if self.pk else "R—"

    @property
    def has_contact(self) -> bool:
        return bool(self.contact_name or self.contact_email or self.contact_phone)

    @property
    def is_open(self) -> bool:
        return self.state != ReportState.CLOSED

    @property
    def subject(self):
        """The object the report was found to be about, if any."""
        return self.need or self.contract or self.organisation or self.agency


class ReportEvent(models.Model):
    """Every step of a report: filing, each transition, a note, information added by the reporter."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=20)
    from_state = models.CharField(max_length=20, choices=ReportState.choices, blank=True)
    to_state = models.CharField(max_length=20, choices=ReportState.choices)
    # None: the reporter (who has no account here) or the system.
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # What the reporter added, or the auditor's note or reason: encrypted at rest.
    text = EncryptedTextField(_("text"), blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("report event")
        verbose_name_plural = _("report events")

    def __str__(self) -> str:
        return f"{self.report}: {self.action}"


class ReportFile(models.Model):
    """A file the reporter sent, checked by the vetting upload rules; images re-encoded."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    event = models.ForeignKey(ReportEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="files")
    file = models.FileField(storage=private_storage, upload_to=report_file_path, max_length=200)
    display_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        verbose_name = _("report file")
        verbose_name_plural = _("report files")
        constraints = [models.CheckConstraint(condition=models.Q(size__gt=0), name="report_file_not_empty")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def extension(self) -> str:

        return ALLOWED_TYPES.get(self.content_type, "")
