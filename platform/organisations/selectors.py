from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts import policy
from accounts.models import Role
from accounts.types import AnyUser
from organisations.models import Organisation, OrganisationQuerySet, VettingState


def organisations_visible_to(user: AnyUser) -> OrganisationQuerySet[Organisation]:
    """Vetting officers, auditors and superusers see every organisation; agency
    staff see vetted ones; members see their own; the rest see none."""
    qs = Organisation.objects.select_related("region")
    if policy.is_superuser(user) or policy.has_role(user, Role.AUDITOR, Role.VETTING_OFFICER):
        return qs
    visible = Q(pk__in=policy.organisation_ids(user))
    if policy.is_agency_staff(user):
        visible |= Q(vetting_state=VettingState.APPROVED, approved_until__gt=timezone.now())
    return qs.filter(visible)


def organisations_may_act(*, at: datetime | None = None) -> QuerySet[Organisation]:
    """The one question every later capability asks: approved, and not past the
    approval's expiry, at ``at`` (now by default). The public directory shows exactly these."""
    return Organisation.objects.filter(vetting_state=VettingState.APPROVED, approved_until__gt=at or timezone.now())


def acting_organisations(user: AnyUser) -> list[Organisation]:
    """The user's organisations that may act today, by name, with the regions they serve:
    what a request that searches and shows needs asks once and passes on."""
    return list(
        organisations_may_act()
        .filter(pk__in=policy.organisation_ids(user))
        .prefetch_related("service_regions")
        .order_by("legal_name", "pk")
    )


def organisation_may_act(*, organisation: Organisation, at: datetime | None = None) -> bool:
    return organisations_may_act(at=at).filter(pk=organisation.pk).exists()
