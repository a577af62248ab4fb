"""Public co-funding of needs: the campaign on a need, the donations, the Stripe
events as received, the refunds made, and the donation journal.

Every amount here is an integer of minor units (fen for CNY) in the campaign's
currency: Stripe counts that way, and integers never round.

The journal (``DonationEntry``) is the one source of the public figures and is
append-only. Each entry names the Stripe object it stands for, and the database
refuses a second entry of the same kind for the same object: that is what makes a
replayed or reordered webhook change nothing twice.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CampaignState(models.TextChoices):
    OPEN = "open", _("Taking donations")
    CLOSED = "closed", _("Closed")


class Campaign(models.Model):
    """A need opened for public co-funding, with its target."""

    need = models.OneToOneField("needs.Need", on_delete=models.PROTECT, related_name="campaign")
    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(_("what the money is for"), max_length=300)
    target_minor = models.PositiveBigIntegerField(_("target (minor units)"))
    currency = models.CharField(max_length=3)
    state = models.CharField(_("state"), max_length=10, choices=CampaignState.choices, default=CampaignState.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    close_reason = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("co-funding campaign")
        verbose_name_plural = _("co-funding campaigns")
        constraints = [
            models.CheckConstraint(condition=Q(target_minor__gt=0), name="campaign_target_positive"),
            models.CheckConstraint(condition=Q(state__in=CampaignState.values), name="campaign_state_valid"),
        ]

    def __str__(self) -> str:
        return f"campaign #{self.pk} for need #{self.need_id}"


class DonationState(models.TextChoices):
    CREATED = "created", _("Created, not yet sent to Stripe")
    PENDING = "pending", _("Awaiting payment")
    SUCCEEDED = "succeeded", _("Received")
    FAILED = "failed", _("Declined")
    REFUNDED = "refunded", _("Refunded")
    PARTLY_REFUNDED = "partly_refunded", _("Partly refunded")


class Donation(models.Model):
    """One attempt to give: a Stripe PaymentIntent. The idempotency key is saved before
    the PaymentIntent is created, so a retried creation never charges twice."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="donations")
    amount_minor = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(max_length=3)
    donor_name = models.CharField(_("name shown publicly"), max_length=60, blank=True)
    email = models.EmailField(_("email for the receipt"))
    language = models.CharField(max_length=10, default="zh-hans")
    state = models.CharField(max_length=20, choices=DonationState.choices, default=DonationState.CREATED)
    idempotency_key = models.CharField(max_length=80, unique=True)
    payment_intent = models.CharField(max_length=80, unique=True, null=True, blank=True)
    failure_message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    succeeded_at = models.DateTimeField(null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(condition=Q(state__in=DonationState.values), name="donation_state_valid"),
        ]

    def __str__(self) -> str:
        return f"donation #{self.pk}"

    @property
    def anonymous(self) -> bool:
        return not self.donor_name


class RefundReason(models.TextChoices):
    SURPLUS = "surplus", _("Arrived after the target was reached")
    CLOSED = "closed", _("The need closed before the money was used")
    EXTERNAL = "external", _("Refunded outside the platform")
    REQUESTED = "requested", _("Refunded by the agency at the donor's request")


class Refund(models.Model):
    """A refund of (part of) a donation. Ours are saved with their idempotency key before
    Stripe is asked; one made elsewhere (the dashboard) is recorded as it is learnt."""

    donation = models.ForeignKey(Donation, on_delete=models.PROTECT, related_name="refunds")
    amount_minor = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=10, choices=RefundReason.choices)
    idempotency_key = models.CharField(max_length=80, unique=True)
    stripe_id = models.CharField(max_length=80, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount_minor__gt=0), name="refund_amount_positive")]

    def __str__(self) -> str:
        return f"refund #{self.pk} of donation #{self.donation_id}"


class EntryKind(models.TextChoices):
    RECEIVED = "received", _("Received")
    REFUNDED = "refunded", _("Refunded (reverses part of a receipt)")
    ALLOCATED = "allocated", _("Allocated to the need's contract")
    RELEASED = "released", _("Allocation released (the contract ended)")


class DonationEntry(models.Model):
    """One line of the donation journal. ``ref`` is the Stripe PaymentIntent (received),
    the Stripe refund (refunded) or a key of our own (allocated, released); a (kind, ref)
    pair is written once."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="entries")
    donation = models.ForeignKey(Donation, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    contract = models.ForeignKey(
        "contracts.Contract", null=True, blank=True, on_delete=models.PROTECT, related_name="donation_entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=EntryKind.choices)
    amount_minor = models.PositiveBigIntegerField(_("amount (minor units)"))
    ref = models.CharField(max_length=80)
    memo = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("donation journal entry")
        verbose_name_plural = _("donation journal entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "ref"], name="donation_entry_once_per_object"),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="donation_entry_amount_positive"),
            models.CheckConstraint(condition=Q(kind__in=EntryKind.values), name="donation_entry_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind__in=["received", "refunded"]) | Q(donation__isnull=False),
                name="donation_entry_names_donation",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["allocated", "released"]) | Q(contract__isnull=False),
                name="donation_entry_names_contract",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor} ({self.ref})"


class StripeEvent(models.Model):
    """A verified webhook event, stored once by its id before any work is done."""

    event_id = models.CharField(max_length=80, unique=True)
    type = models.CharField(max_length=80)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["received_at", "pk"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"
