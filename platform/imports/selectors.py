"""Reads for imports: who may import into which agency, and which imports they see."""

from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from accounts import policy
from accounts.models import Role
from accounts.types import AnyUser
from agencies.models import Agency
from agencies.selectors import agencies_visible_to
from imports.models import NeedImport

RECORDING_ROLES = (Role.AGENCY_CASEWORKER, Role.AGENCY_APPROVER)


def import_agencies_for(user: AnyUser) -> list[Agency]:
    """The agencies ``user`` may import needs into: those where they may record a need."""
    if not policy.is_agency_staff(user):
        return []
    return [a for a in agencies_visible_to(user) if policy.can_record_need(user, a)]


def imports_visible_to(user: AnyUser) -> QuerySet[NeedImport]:
    """The imports of the agencies where ``user`` records needs (their subtree); nobody
    else sees an import, auditors included: the file holds identities in the clear."""
    qs = NeedImport.objects.select_related("agency", "uploaded_by")
    paths = [g.agency_path for g in policy.grants(user) if g.role in RECORDING_ROLES and g.agency_path]
    if not paths:
        return qs.none()
    return qs.filter(reduce(or_, (Q(agency__path__startswith=p) for p in paths)))
