"""The contract itself: its states, how it was bought, its number."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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


class ContractSequence(models.Model):
    """The last contract number used per agency and year (locked while numbering)."""

    agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agency", "year"], name="contract_sequence_per_agency_year")]

    def __str__(self) -> str:
        return f"{self.agency_id}/{self.year}: {self.last}"
