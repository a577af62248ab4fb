"""Purchase-of-service contracts: the terms (versioned, signed by both parties), the
milestones and their evidence, the beneficiary's confirmation, acceptance, recorded
payments, the journal and the evaluation.

The terms a contract must state (Ministry of Finance Order No. 102, Art. 23) live on
``ContractVersion``: version 1 is the contract as first signed, each amendment a new
version with a reason and both signatures again. Milestones keep their identity across
versions (``Milestone``: the work, acceptance and payments); what a version says of
each milestone is its ``MilestoneTerms``.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from needs.models import private_storage

MAX_PAYMENT_DAYS = 60
DEFAULT_PAYMENT_DAYS = 30


class ContractState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNING = "signing", _("Awaiting signatures")
    ACTIVE = "active", _("In force")
    COMPLETED = "completed", _("Delivered, awaiting evaluation")
    CLOSED = "closed", _("Closed")
    TERMINATED = "terminated", _("Terminated")


class ContractSource(models.TextChoices):
    AWARD = "award", _("Award after proposals")
    CLAIM = "claim", _("Direct claim")


class Contract(models.Model):
    """One purchase of a service by an agency from an organisation, for one need."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="contracts")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="contracts")
    need = models.OneToOneField("needs.Need", on_delete=models.PROTECT, related_name="contract")
    source = models.CharField(_("source"), max_length=10, choices=ContractSource.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    sequence = models.PositiveIntegerField(_("sequence"))
    number = models.CharField(_("contract number"), max_length=40, unique=True)
    state = models.CharField(_("state"), max_length=20, choices=ContractState.choices, default=ContractState.DRAFT)
    state_reason = models.TextField(_("reason for the current state"), blank=True)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    signed_at = models.DateTimeField(_("signed"), null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    terminated_at = models.DateTimeField(null=True, blank=True)
    # The terms in force (the last version both parties signed), kept here for lists.
    price = models.DecimalField(_("price (CNY)"), max_digits=12, decimal_places=2, default=0)
    payment_days = models.PositiveSmallIntegerField(_("days to pay after acceptance"), default=DEFAULT_PAYMENT_DAYS)
    term_start = models.DateField(_("term starts"), null=True, blank=True)
    term_end = models.DateField(_("term ends"), null=True, blank=True)
    # The register's figures, kept by the services that change them (contracts.register)
    # in the same transaction, so that a page of the public register reads one row per
    # contract instead of aggregating milestones, payments and evaluations.
    milestones_total = models.PositiveSmallIntegerField(_("milestones"), default=0, editable=False)
    milestones_met = models.PositiveSmallIntegerField(_("milestones met"), default=0, editable=False)
    paid_total = models.DecimalField(_("paid (CNY)"), max_digits=12, decimal_places=2, default=0, editable=False)
    score = models.DecimalField(
        _("evaluation score"), max_digits=3, decimal_places=2, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        indexes = [
            # The register's default order (newest signed first) and its sorts.
            models.Index(fields=["signed_at", "id"], name="contract_register_signed"),
            models.Index(fields=["price", "id"], name="contract_register_price"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["agency", "year", "sequence"], name="contract_number_per_agency_year"),
            models.CheckConstraint(condition=Q(state__in=ContractState.values), name="contract_state_valid"),
            models.CheckConstraint(
                condition=Q(payment_days__gte=1, payment_days__lte=MAX_PAYMENT_DAYS), name="contract_payment_days"
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None


class VersionState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SIGNING = "signing", _("Awaiting signatures")
    SIGNED = "signed", _("In force")
    SUPERSEDED = "superseded", _("Superseded")
    DISCARDED = "discarded", _("Discarded")


# The Art. 23 elements, in the order the document shows them.
TERM_FIELDS = (
    "content_scope",
    "term_start",
    "term_end",
    "quantity",
    "quality_standards",
    "price",
    "settlement_method",
    "payment_days",
    "rights_obligations",
    "breach_liability",
    "long_term_justification",
)


class ContractVersion(models.Model):
    """The terms as one version states them. A version is edited only as a draft; once
    sent for signature its terms are fixed (the database refuses a change of price,
    term or schedule), and it is in force when both parties have signed."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12, choices=VersionState.choices, default=VersionState.DRAFT)
    reason = models.TextField(_("reason for the amendment"), blank=True)
    content_scope = models.TextField(_("content and scope of the service"), max_length=5000)
    term_start = models.DateField(_("term starts"))
    term_end = models.DateField(_("term ends"))
    quantity = models.TextField(_("quantity"), max_length=2000)
    quality_standards = models.TextField(_("quality standards"), max_length=3000)
    price = models.DecimalField(_("price (CNY)"), max_digits=12, decimal_places=2)
    settlement_method = models.TextField(_("settlement method"), max_length=2000)
    payment_days = models.PositiveSmallIntegerField(
        _("days to pay after acceptance"),
        default=DEFAULT_PAYMENT_DAYS,
        validators=[MinValueValidator(1), MaxValueValidator(MAX_PAYMENT_DAYS)],
    )
    rights_obligations = models.TextField(_("rights and obligations of the parties"), max_length=5000)
    breach_liability = models.TextField(_("liability for breach"), max_length=3000)
    long_term_justification = models.TextField(_("why the term exceeds 12 months"), blank=True, max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    organisation_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation_signed_at = models.DateTimeField(_("signed for the organisation"), null=True, blank=True)
    agency_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency_signed_at = models.DateTimeField(_("signed for the agency"), null=True, blank=True)

    class Meta:
        ordering = ["contract", "number"]
        verbose_name = _("contract version")
        verbose_name_plural = _("contract versions")
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="contract_version_number"),
            # One version in the making at a time.
            models.UniqueConstraint(
                fields=["contract"],
                condition=Q(state__in=["draft", "signing"]),
                name="one_open_version_per_contract",
            ),
            models.CheckConstraint(condition=Q(state__in=VersionState.values), name="contract_version_state_valid"),
            models.CheckConstraint(condition=Q(price__gt=0), name="contract_version_price_positive"),
            models.CheckConstraint(condition=Q(term_end__gte=F("term_start")), name="contract_version_term_order"),
            models.CheckConstraint(
                condition=Q(payment_days__gte=1, payment_days__lte=MAX_PAYMENT_DAYS),
                name="contract_version_payment_days",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["signed", "superseded"])
                | Q(organisation_signed_at__isnull=False, agency_signed_at__isnull=False),
                name="signed_version_has_both_signatures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract_id} v{self.number}"

    @property
    def term_months(self) -> int:
        """Whole months the term spans, a part-month counting as a month."""
        months = (self.term_end.year - self.term_start.year) * 12 + self.term_end.month - self.term_start.month
        return months + (1 if self.term_end.day >= self.term_start.day else 0)


class PerformanceIndicator(models.Model):
    """A performance indicator (绩效指标) a version states; scored at evaluation."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveSmallIntegerField(default=0)
    name = models.CharField(_("indicator"), max_length=200)
    target = models.CharField(_("target"), max_length=300)

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("performance indicator")
        verbose_name_plural = _("performance indicators")

    def __str__(self) -> str:
        return self.name


class MilestoneState(models.TextChoices):
    PENDING = "pending", _("In progress")
    SUBMITTED = "submitted", _("Submitted for acceptance")
    RETURNED = "returned", _("Returned for more evidence")
    ACCEPTED = "accepted", _("Accepted")
    CANCELLED = "cancelled", _("Cancelled")


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


class MilestoneTerms(models.Model):
    """What one version says of one milestone. The amounts of a version's milestones
    add up to its price exactly: the database refuses to send a version for signature
    otherwise, and refuses any change to the terms of a version no longer a draft."""

    version = models.ForeignKey(ContractVersion, on_delete=models.CASCADE, related_name="milestone_terms")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="terms")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(_("description"), max_length=300)
    due_date = models.DateField(_("due"))
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    deliverables = models.TextField(_("deliverables"), max_length=2000)
    evidence_required = models.TextField(_("evidence required"), max_length=2000)
    service = models.BooleanField(
        _("service delivered to the beneficiary"),
        default=True,
        help_text=_("The beneficiary is asked to confirm a service milestone."),
    )

    class Meta:
        ordering = ["version", "position", "pk"]
        verbose_name = _("milestone terms")
        verbose_name_plural = _("milestone terms")
        constraints = [
            models.UniqueConstraint(fields=["version", "milestone"], name="one_terms_per_milestone_and_version"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="milestone_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.description


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


class PaymentState(models.TextChoices):
    RECORDED = "recorded", _("Recorded, awaiting authorisation")
    AUTHORISED = "authorised", _("Authorised")
    REJECTED = "rejected", _("Rejected")
    REVERSED = "reversed", _("Reversed")


def payment_proof_path(instance, filename: str) -> str:
    return f"payments/{instance.contract_id}/{uuid.uuid4().hex}{PurePosixPath(filename).suffix.lower()}"


class Payment(models.Model):
    """A payment made through the treasury, recorded by one finance officer and
    authorised by another. One payment awaits authorisation per milestone at a time; a
    treasury or bank reference is used once per agency."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="payments")
    milestone = models.ForeignKey(Milestone, on_delete=models.PROTECT, related_name="payments")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(_("amount (CNY)"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("treasury or bank reference"), max_length=60)
    proof = models.FileField(storage=private_storage, upload_to=payment_proof_path, max_length=200, blank=True)
    proof_name = models.CharField(_("proof"), max_length=200, blank=True)
    proof_type = models.CharField(max_length=50, blank=True)
    proof_sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=PaymentState.choices, default=PaymentState.RECORDED)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    authorised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    authorised_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "pk"]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(state__in=PaymentState.values), name="payment_state_valid"),
            models.UniqueConstraint(
                fields=["milestone"], condition=Q(state="recorded"), name="one_pending_payment_per_milestone"
            ),
            models.UniqueConstraint(
                fields=["agency", "reference"], condition=~Q(state="rejected"), name="payment_reference_once"
            ),
            # Four eyes, in the database too.
            models.CheckConstraint(
                condition=Q(authorised_by__isnull=True) | ~Q(authorised_by=F("recorded_by")),
                name="payment_authorised_by_another",
            ),
            models.CheckConstraint(
                condition=~Q(state="authorised") | Q(authorised_by__isnull=False, authorised_at__isnull=False),
                name="authorised_payment_has_authoriser",
            ),
        ]

    def __str__(self) -> str:
        return f"payment #{self.pk} ({self.reference})"


class Account(models.TextChoices):
    """The accounts of a contract's journal (the purchaser's side)."""

    COMMITMENTS = "commitments", _("Commitments (budget encumbered)")
    COMMITMENT_RESERVE = "commitment_reserve", _("Reserve for commitments")
    SERVICE_EXPENSE = "service_expense", _("Purchased services (expense)")
    PAYABLE = "payable", _("Payable to the organisation")
    TREASURY = "treasury", _("Treasury (paid out)")


class EntryKind(models.TextChoices):
    COMMITMENT = "commitment", _("Commitment at signing")
    AMENDMENT = "amendment", _("Commitment changed by an amendment")
    ACCEPTANCE = "acceptance", _("Payable at acceptance")
    PAYMENT = "payment", _("Payment")
    RELEASE = "release", _("Commitment released")
    REVERSAL = "reversal", _("Reversal")


class JournalEntry(models.Model):
    """One balanced entry of a contract's journal. Never edited: a correction is a
    reversing entry with a reason (the database refuses updates and deletes on
    PostgreSQL)."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="journal")
    agency = models.ForeignKey("agencies.Agency", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=12, choices=EntryKind.choices)
    memo = models.CharField(_("memo"), max_length=300)
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="journal_entry_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind="reversal") | (Q(reverses__isnull=False) & ~Q(reason="")),
                name="reversal_names_entry_and_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"journal entry #{self.pk} ({self.kind})"


class JournalLine(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.CharField(_("account"), max_length=20, choices=Account.choices)
    debit = models.DecimalField(_("debit"), max_digits=14, decimal_places=2, default=0)
    credit = models.DecimalField(_("credit"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        ordering = ["entry", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(account__in=Account.values), name="journal_line_account_valid"),
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(credit__gt=0) & Q(debit=0)),
                name="journal_line_one_side",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account} {self.debit or -self.credit}"


class Evaluation(models.Model):
    """The agency's performance evaluation (绩效评价) at completion."""

    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="evaluation")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    summary = models.TextField(_("overall assessment"), max_length=3000)
    score = models.DecimalField(_("average score"), max_digits=3, decimal_places=2)
    beneficiary_rating = models.DecimalField(
        _("beneficiaries' average rating"), max_digits=3, decimal_places=2, null=True, blank=True
    )
    beneficiary_ratings = models.PositiveSmallIntegerField(_("beneficiary ratings"), default=0)
    on_time = models.BooleanField(_("delivered on time"))
    evaluated_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation")
        verbose_name_plural = _("evaluations")
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="evaluation_score_range"),
        ]

    def __str__(self) -> str:
        return f"evaluation of contract #{self.contract_id}"


class IndicatorScore(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(PerformanceIndicator, on_delete=models.PROTECT, related_name="scores")
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    class Meta:
        ordering = ["indicator__position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "indicator"], name="one_score_per_indicator"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="indicator_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id}: {self.score}"


class FinalReport(UploadedFile):
    contract = models.OneToOneField(Contract, on_delete=models.PROTECT, related_name="final_report")

    class Meta:
        verbose_name = _("final report")
        verbose_name_plural = _("final reports")


# What each ContractEvent.action means, as the contract's history shows it.
EVENT_LABELS = {
    "draft": _("Drafted"),
    "edit": _("Draft edited"),
    "send": _("Sent for signature"),
    "recall": _("Recalled to draft"),
    "decline": _("Declined by the organisation"),
    "sign_agency": _("Signed for the agency"),
    "sign_organisation": _("Signed for the organisation"),
    "in_force": _("In force"),
    "amend": _("Amendment started"),
    "discard_amendment": _("Amendment discarded"),
    "terminate": _("Terminated"),
    "evidence_record": _("Service record added"),
    "evidence_file": _("Evidence file added"),
    "submit": _("Submitted for acceptance"),
    "confirmation_link": _("Confirmation link made for the beneficiary"),
    "beneficiary_confirmed": _("Confirmed by the beneficiary"),
    "beneficiary_disputed": _("Disputed by the beneficiary"),
    "dispute_upheld": _("Dispute upheld"),
    "dispute_dismissed": _("Dispute dismissed"),
    "accept": _("Accepted"),
    "return": _("Returned for more evidence"),
    "complete": _("Every milestone accepted"),
    "payment_record": _("Payment recorded"),
    "payment_authorise": _("Payment authorised"),
    "payment_reject": _("Payment record rejected"),
    "reverse": _("Journal entry reversed"),
    "final_report": _("Final report uploaded"),
    "evaluate": _("Evaluated"),
    "close": _("Closed"),
    "payment_overdue": _("Payment overdue: escalated"),
    "acceptance_overdue": _("Acceptance overdue: escalated"),
}


class ContractEvent(models.Model):
    """The contract's own history, shown on its page (the audit log has it too)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} on contract #{self.contract_id}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))


class ContractSequence(models.Model):
    """The last contract number used per agency and year (locked while numbering)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="contract_sequence_per_agency_year")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"
