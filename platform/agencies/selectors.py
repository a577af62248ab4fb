from __future__ import annotations

from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from accounts import policy
from accounts.models import AGENCY_ROLES, Role
from accounts.types import AnyUser
from agencies.models import Agency


def agencies_visible_to(user: AnyUser) -> QuerySet[Agency]:
    """Agency staff see their agencies and the subtrees below them; auditors and
    superusers see every agency; everyone else sees none."""
    qs = Agency.objects.select_related("region", "parent")
    if policy.is_superuser(user) or policy.has_role(user, Role.AUDITOR):
        return qs
    paths = [g.agency_path for g in policy.grants(user) if g.role in AGENCY_ROLES and g.agency_path]
    if not paths:
        return qs.none()
    return qs.filter(reduce(or_, (Q(path__startswith=p) for p in paths)))
