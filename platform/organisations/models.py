"""Charities and social-work organisations, with their vetting state.

The vetting workflow itself (documents, checklist, transitions) builds on this.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    CHARITY = "charity", _("Charity organisation")
    SOCIAL_WORK = "social_work", _("Social-work service organisation")
    OTHER = "other", _("Other social organisation")


class VettingState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    SUSPENDED = "suspended", _("Suspended")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class OrganisationQuerySet(models.QuerySet):
    def vetted(self) -> OrganisationQuerySet:
        """Approved and not past the approval's expiry: the only ones that see needs."""
        return self.filter(vetting_state=VettingState.APPROVED, approved_until__gt=timezone.now())


class Organisation(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=200)
    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True, null=True, blank=True)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered in")
    )
    service_regions = models.ManyToManyField(
        "regions.Region", blank=True, related_name="serving_organisations", verbose_name=_("service regions")
    )
    description = models.TextField(_("description"), blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    public_fundraising = models.BooleanField(_("public-fundraising qualification"), default=False)
    vetting_state = models.CharField(
        _("vetting state"), max_length=20, choices=VettingState.choices, default=VettingState.DRAFT
    )
    approved_until = models.DateTimeField(_("approved until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["legal_name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(vetting_state__in=VettingState.values), name="organisation_state_valid"
            ),
            # An approval always carries its expiry.
            models.CheckConstraint(
                condition=~models.Q(vetting_state=VettingState.APPROVED) | models.Q(approved_until__isnull=False),
                name="approved_has_expiry",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def is_vetted(self) -> bool:
        return (
            self.vetting_state == VettingState.APPROVED
            and self.approved_until is not None
            and self.approved_until > timezone.now()
        )
