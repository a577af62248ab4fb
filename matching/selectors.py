"""Who searches what: the audience of a user, and the search itself."""

from __future__ import annotations

from accounts import policy
from accounts.models import AGENCY_ROLES, Role
from matching.backends import get_backend
from matching.query import Audience, SearchRequest, SearchResults
from needs.selectors import needs_visible_to
from organisations.selectors import acting_organisations


def audience_for(user, *, acting=None) -> Audience:
    """The same rule as ``needs.selectors.needs_visible_to``, for published needs
    (``acting``: the user's ``acting_organisations``, when the caller has them)."""

    if policy.is_superuser(user) or policy.has_role(user, Role.AUDITOR):
        return Audience(everything=True)
    grants = policy.grants(user)
    agency_paths = tuple(sorted({g.agency_path for g in grants if g.role in AGENCY_ROLES and g.agency_path}))
    if acting is None:
        acting = acting_organisations(user)
    return Audience(
        agency_paths=agency_paths,
        organisation_ids=tuple(sorted(o.pk for o in acting)),
        service_paths=tuple(sorted({r.path for o in acting for r in o.service_regions.all()})),
    )


def search_needs(user, request: SearchRequest, *, fit=None, acting=None) -> SearchResults:
    """Search the published needs this user may see. A search never widens visibility:
    the backend filters by the audience, and every page is checked again against
    ``needs_visible_to`` before it is shown. (``acting``: the user's
    ``acting_organisations``, when the caller has them.)"""

    if acting is None:
        acting = acting_organisations(user)
    results = get_backend().search(request, audience_for(user, acting=acting), fit=fit)
    visible = set(needs_visible_to(user, acting=acting).filter(pk__in=results.ids).values_list("pk", flat=True))
    results.ids = [i for i in results.ids if i in visible]
    return results
