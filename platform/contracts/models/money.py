"""The money: payments recorded and authorised, and the contract's double-entry journal
(contracts.ledger posts it)."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contracts.models.contract import Contract
from contracts.models.work import Milestone
from needs.models import private_storage


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
