"""The terms as each version states them (Ministry of Finance Order No. 102, Art. 23),
their performance indicators and what a version says of each milestone."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from contracts.models.contract import DEFAULT_PAYMENT_DAYS, MAX_PAYMENT_DAYS, Contract
from contracts.models.work import Milestone


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
