"""People, the roles they hold and the invitations that grant them."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.types import StrOrPromise


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who signs in with an email address."""

    username = None  # type: ignore[assignment]  # signs in by email; the stubs expect a str
    email = models.EmailField(_("email address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]  # ours, not auth's UserManager

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.display_name or self.email

    def get_short_name(self) -> str:
        return self.display_name or self.email.split("@")[0]


class Role(models.TextChoices):
    AGENCY_CASEWORKER = "agency_caseworker", _("Agency caseworker")
    AGENCY_APPROVER = "agency_approver", _("Agency approver")
    AGENCY_FINANCE = "agency_finance", _("Agency finance")
    AGENCY_ADMIN = "agency_admin", _("Agency administrator")
    ORG_MEMBER = "org_member", _("Organisation member")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    VETTING_OFFICER = "vetting_officer", _("Vetting officer")
    AUDITOR = "auditor", _("Auditor")


AGENCY_ROLES = frozenset({Role.AGENCY_CASEWORKER, Role.AGENCY_APPROVER, Role.AGENCY_FINANCE, Role.AGENCY_ADMIN})
ORGANISATION_ROLES = frozenset({Role.ORG_MEMBER, Role.ORG_ADMIN})
PLATFORM_ROLES = frozenset({Role.VETTING_OFFICER, Role.AUDITOR})

_AGENCY_Q = models.Q(role__in=sorted(r.value for r in AGENCY_ROLES))
_ORG_Q = models.Q(role__in=sorted(r.value for r in ORGANISATION_ROLES))
_PLATFORM_Q = models.Q(role__in=sorted(r.value for r in PLATFORM_ROLES))
# A role names its scope: agency roles need an agency, organisation roles an
# organisation, platform roles neither. The database refuses anything else.
SCOPE_MATCHES_ROLE = (
    (_AGENCY_Q & models.Q(agency__isnull=False, organisation__isnull=True))
    | (_ORG_Q & models.Q(agency__isnull=True, organisation__isnull=False))
    | (_PLATFORM_Q & models.Q(agency__isnull=True, organisation__isnull=True))
)


class Membership(models.Model):
    """One role held by one person, in an agency, an organisation or the platform."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    agency = models.ForeignKey(
        "agencies.Agency", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="memberships"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(condition=SCOPE_MATCHES_ROLE, name="membership_scope_matches_role"),
            models.UniqueConstraint(
                fields=["user", "role", "agency"], condition=models.Q(agency__isnull=False), name="uniq_agency_role"
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(organisation__isnull=False),
                name="uniq_organisation_membership",
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(agency__isnull=True, organisation__isnull=True),
                name="uniq_platform_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.scope}"

    @property
    def scope(self):
        return self.agency or self.organisation or _("Platform")


INVITATION_LIFETIME = timedelta(days=7)


def default_invitation_expiry():
    return timezone.now() + INVITATION_LIFETIME


class Invitation(models.Model):
    """A single-use, expiring offer of one role, sent by email.

    Only a SHA-256 of the token is stored: a database dump cannot be replayed into
    a working invitation link.
    """

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    agency = models.ForeignKey("agencies.Agency", null=True, blank=True, on_delete=models.CASCADE)
    organisation = models.ForeignKey("organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=default_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(condition=SCOPE_MATCHES_ROLE, name="invitation_scope_matches_role"),
        ]

    def __str__(self) -> str:
        return f"{self.email} · {self.get_role_display()}"

    @property
    def scope(self):
        return self.agency or self.organisation or _("Platform")

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= timezone.now():
            return "expired"
        return "pending"

    def get_status_display(self) -> StrOrPromise:
        return {
            "accepted": _("Accepted"),
            "revoked": _("Revoked"),
            "expired": _("Expired"),
            "pending": _("Pending"),
        }[self.status]
