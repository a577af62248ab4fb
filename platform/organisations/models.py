"""Charities and social-work organisations, with their vetting state.

The vetting workflow itself (documents, checklist, transitions) builds on this.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, TypedDict

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from regions.models import Region


def validate_uscc(value: str) -> None:
    """统一社会信用代码 (GB 32100-2015): 18 characters, the last a check character.

    Says what is wrong: length, characters, or the check character.
    """
    from stdnum.cn import uscc
    from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

    try:
        uscc.validate(value)
    except InvalidLength as exc:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(n)d."),
            code="length",
            params={"n": len(uscc.compact(value))},
        ) from exc
    except (InvalidFormat, InvalidComponent) as exc:
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters except I, O, Z, S and V."),
            code="format",
        ) from exc
    except InvalidChecksum as exc:
        raise ValidationError(
            _("The check character (the last one) does not match: please check the code for a typing mistake."),
            code="checksum",
        ) from exc


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


class Rating(models.TextChoices):
    """Social-organisation evaluation grade (社会组织评估等级); below 3A is not shown."""

    A3 = "3A", "3A"
    A4 = "4A", "4A"
    A5 = "5A", "5A"


# Facts whose change, once approved, goes back to a vetting officer (PRODUCT.md,
# "Organisations and vetting"); until decided the old facts stand.
KEY_FACTS = ("legal_name", "uscc", "kind", "public_fundraising", "bank_name", "bank_account_name", "bank_account")


# What an organisation's admin fills in (registration and the profile form).
PROFILE_FIELDS = (
    "legal_name",
    "uscc",
    "kind",
    "region",
    "registration_authority",
    "registration_date",
    "charity_recognised",
    "charity_recognised_on",
    "public_fundraising",
    "rating",
    "capacity",
    "staff_count",
    "social_workers",
    "description",
    "contact_name",
    "email",
    "phone",
    "bank_name",
    "bank_account_name",
    "bank_account",
)


class OrganisationProfile(TypedDict, total=False):
    """The PROFILE_FIELDS as a form cleans them, for the vetting services; an update may
    name only the fields it changes."""

    legal_name: str
    uscc: str
    kind: str
    region: Region
    registration_authority: str
    registration_date: date | None
    charity_recognised: bool
    charity_recognised_on: date | None
    public_fundraising: bool
    rating: str
    capacity: int
    staff_count: int
    social_workers: int
    description: str
    contact_name: str
    email: str
    phone: str
    bank_name: str
    bank_account_name: str
    bank_account: str


class OrganisationQuerySet(models.QuerySet):
    def in_region(self, region) -> OrganisationQuerySet:
        """Registered in the region, or serving somewhere inside it."""
        return self.filter(
            models.Q(region__path__startswith=region.path) | models.Q(service_regions__path__startswith=region.path)
        ).distinct()

    def vetted(self) -> OrganisationQuerySet:
        """Approved and not past the approval's expiry: the only ones that see needs."""
        return self.filter(vetting_state=VettingState.APPROVED, approved_until__gt=timezone.now())


class Organisation(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=200)
    uscc = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_uscc],
        error_messages={"unique": _("An organisation with this unified social credit code is already registered.")},
    )
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("registered in")
    )
    service_regions = models.ManyToManyField(
        "regions.Region", blank=True, related_name="serving_organisations", verbose_name=_("service regions")
    )
    registration_authority = models.CharField(_("registration authority"), max_length=200, blank=True)
    registration_date = models.DateField(_("registration date"), null=True, blank=True)
    charity_recognised = models.BooleanField(_("recognised as a charity organisation"), default=False)
    charity_recognised_on = models.DateField(_("charity recognition date"), null=True, blank=True)
    rating = models.CharField(_("evaluation rating"), max_length=2, choices=Rating.choices, blank=True)
    service_categories = models.ManyToManyField(
        "categories.Category", blank=True, related_name="organisations", verbose_name=_("service categories")
    )
    capacity = models.PositiveIntegerField(
        _("capacity"), default=0, help_text=_("How many cases the organisation can carry at once.")
    )
    staff_count = models.PositiveIntegerField(_("staff"), default=0)
    social_workers = models.PositiveIntegerField(_("licensed social workers"), default=0)
    description = models.TextField(_("description"), blank=True)
    contact_name = models.CharField(_("contact person"), max_length=100, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    public_fundraising = models.BooleanField(_("public-fundraising qualification"), default=False)
    bank_name = models.CharField(_("bank"), max_length=200, blank=True)
    bank_account_name = models.CharField(_("account name"), max_length=200, blank=True)
    bank_account = models.CharField(_("account number"), max_length=40, blank=True)
    vetting_state = models.CharField(
        _("vetting state"), max_length=20, choices=VettingState.choices, default=VettingState.DRAFT
    )
    approved_until = models.DateTimeField(_("approved until"), null=True, blank=True)
    vetted_since = models.DateTimeField(_("vetted since"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    state_reason = models.TextField(_("reason for the current state"), blank=True)
    reminded_30_at = models.DateTimeField(null=True, blank=True, editable=False)
    reminded_7_at = models.DateTimeField(null=True, blank=True, editable=False)
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
            models.CheckConstraint(
                condition=models.Q(rating__in=["", *Rating.values]), name="organisation_rating_valid"
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
