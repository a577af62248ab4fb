"""Who may do what: the one place that decides.

Views, templates and selectors ask these functions; none of them looks at roles
directly. A user's grants are read once per request and cached on the user object.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import AGENCY_ROLES, ORGANISATION_ROLES, PLATFORM_ROLES, Membership, Role
from core.types import StrOrPromise

_CACHE_ATTR = "_safetynet_grants"


@dataclass(frozen=True)
class Grant:
    role: str
    agency_id: int | None
    agency_path: str | None
    organisation_id: int | None


def grants(user) -> frozenset[Grant]:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return frozenset()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        rows = Membership.objects.filter(user=user).values_list("role", "agency_id", "agency__path", "organisation_id")
        cached = frozenset(Grant(*row) for row in rows)
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user) -> None:
    """Drop the cached grants (after a membership change in the same request)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def has_role(user, *roles: str) -> bool:
    return any(g.role in roles for g in grants(user))


def agency_ids(user, *roles: str) -> set[int]:
    roles = roles or tuple(AGENCY_ROLES)
    return {g.agency_id for g in grants(user) if g.role in roles and g.agency_id}


def organisation_ids(user, *roles: str) -> set[int]:
    roles = roles or tuple(ORGANISATION_ROLES)
    return {g.organisation_id for g in grants(user) if g.role in roles and g.organisation_id}


def is_superuser(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def is_agency_staff(user) -> bool:
    return has_role(user, *AGENCY_ROLES)


def is_organisation_member(user) -> bool:
    return has_role(user, *ORGANISATION_ROLES)


def is_platform_staff(user) -> bool:
    return has_role(user, *PLATFORM_ROLES)


def can_access_cms(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.has_perm("wagtailadmin.access_admin"))


def requires_mfa(user) -> bool:
    """Government staff, platform staff, CMS editors and organisation admins must
    have a second factor before they can do anything else."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        user.is_superuser
        or user.is_staff
        or is_agency_staff(user)
        or is_platform_staff(user)
        or has_role(user, Role.ORG_ADMIN)
        or can_access_cms(user)
    )


def _agency_paths(user, *roles: str) -> list[str]:
    return [g.agency_path for g in grants(user) if g.role in roles and g.agency_path]


def can_view_agency(user, agency) -> bool:
    """Members see their agency and the agencies below it; auditors see all."""
    if is_superuser(user) or has_role(user, Role.AUDITOR):
        return True
    return any(agency.path.startswith(p) for p in _agency_paths(user, *AGENCY_ROLES))


def can_view_agency_record(user, agency) -> bool:
    """The agency's record as a buyer (overdue payments and acceptance, how fast it
    accepts and pays): its staff and the staff of agencies above it, auditors."""
    if is_superuser(user) or has_role(user, Role.AUDITOR):
        return True
    return _in_subtree_of_role(user, agency, *AGENCY_ROLES)


def can_manage_agency_members(user, agency) -> bool:
    """An agency admin manages members of their agency and of the agencies below it."""
    if is_superuser(user):
        return True
    return any(agency.path.startswith(p) for p in _agency_paths(user, Role.AGENCY_ADMIN))


def can_view_organisation(user, organisation) -> bool:
    if is_superuser(user) or has_role(user, Role.AUDITOR, Role.VETTING_OFFICER):
        return True
    if organisation.pk in organisation_ids(user):
        return True
    return is_agency_staff(user) and organisation.is_vetted


def can_manage_organisation_members(user, organisation) -> bool:
    return is_superuser(user) or organisation.pk in organisation_ids(user, Role.ORG_ADMIN)


def can_invite(user, *, role: str, agency=None, organisation=None) -> bool:
    if role in AGENCY_ROLES:
        return agency is not None and can_manage_agency_members(user, agency)
    if role in ORGANISATION_ROLES:
        return organisation is not None and can_manage_organisation_members(user, organisation)
    if role in PLATFORM_ROLES:
        return is_superuser(user)
    return False


def can_vet(user, organisation) -> bool:
    """Vetting officers decide applications, never one of an organisation they belong to."""
    return has_role(user, Role.VETTING_OFFICER) and organisation.pk not in organisation_ids(user)


def can_read_vetting_file(user, organisation) -> bool:
    """The application and its documents: the organisation's own members, vetting
    officers and auditors (read-only), superusers."""
    if is_superuser(user) or has_role(user, Role.AUDITOR, Role.VETTING_OFFICER):
        return True
    return organisation.pk in organisation_ids(user)


def can_register_organisation(user) -> bool:
    """Anyone signed in may register an organisation, except government and platform
    staff, whose roles would conflict with being vetted."""
    return bool(getattr(user, "is_authenticated", False)) and not (is_agency_staff(user) or is_platform_staff(user))


def _in_subtree_of_role(user, agency, *roles: str) -> bool:
    return any(agency.path.startswith(p) for p in _agency_paths(user, *roles))


def can_record_need(user, agency) -> bool:
    """Caseworkers and approvers record needs for their agency and the agencies below it."""
    return _in_subtree_of_role(user, agency, Role.AGENCY_CASEWORKER, Role.AGENCY_APPROVER)


def can_approve_need(user, agency) -> bool:
    """Approvers act within their agency's subtree (never on what they prepared)."""
    return _in_subtree_of_role(user, agency, Role.AGENCY_APPROVER)


def can_reveal_identity(user, agency) -> bool:
    """The full identity, with a typed reason and an audit entry: the agency's own
    caseworkers and approvers, and auditors."""
    return can_record_need(user, agency) or has_role(user, Role.AUDITOR)


def can_read_audit_log(user) -> bool:
    return is_superuser(user) or has_role(user, Role.AUDITOR)


def can_list_organisations(user) -> bool:
    return is_superuser(user) or has_role(user, Role.AUDITOR, Role.VETTING_OFFICER) or is_agency_staff(user)


def can_list_agencies(user) -> bool:
    return is_superuser(user) or has_role(user, Role.AUDITOR) or is_agency_staff(user)


# --- Contracts ----------------------------------------------------------------


def is_contract_party(user, contract) -> bool:
    """Staff of the buying agency (or an agency above it) and members of the organisation."""
    return contract.organisation_id in organisation_ids(user) or _in_subtree_of_role(
        user, contract.agency, *AGENCY_ROLES
    )


def can_view_contract(user, contract) -> bool:
    """The whole contract: the parties, auditors and superusers. Everyone else reads
    the register's summary."""
    return is_superuser(user) or has_role(user, Role.AUDITOR) or is_contract_party(user, contract)


def can_draft_contract(user, agency) -> bool:
    """The agency drafts: its caseworkers and approvers (and those above it)."""
    return can_record_need(user, agency)


def can_sign_for_agency(user, agency) -> bool:
    return _in_subtree_of_role(user, agency, Role.AGENCY_APPROVER)


def can_sign_for_organisation(user, organisation) -> bool:
    return organisation.pk in organisation_ids(user, Role.ORG_ADMIN)


def can_work_on_contract(user, contract) -> bool:
    """Evidence, confirmation links, the final report: the organisation's members."""
    return contract.organisation_id in organisation_ids(user)


def can_accept_milestone(user, contract) -> bool:
    """An approver of the buying agency who did not prepare the contract."""
    return _in_subtree_of_role(user, contract.agency, Role.AGENCY_APPROVER) and contract.prepared_by_id != user.pk


def can_handle_payments(user, agency) -> bool:
    return _in_subtree_of_role(user, agency, Role.AGENCY_FINANCE)


# --- Donations ----------------------------------------------------------------


def can_open_cofunding(user, need) -> bool:
    """Opening a need for public co-funding: an approver of the need's agency (or above)."""
    return can_approve_need(user, need.agency)


# --- Reports from the public -----------------------------------------------------


def can_handle_reports(user) -> bool:
    """Reports from the public, their reporters' contact details and files: auditors
    only. Not superusers, and never the agencies or organisations reported on."""
    return has_role(user, Role.AUDITOR)


# --- Navigation ---------------------------------------------------------------


@dataclass(frozen=True)
class NavItem:
    key: str
    label: StrOrPromise
    url: str


def navigation_for(user) -> list[NavItem]:
    """The links a user's roles give them, in a fixed order."""
    if not getattr(user, "is_authenticated", False):
        return []
    items = [NavItem("dashboard", _("Dashboard"), reverse("core:dashboard"))]
    agencies = sorted(agency_ids(user))
    if len(agencies) == 1:
        items.append(NavItem("my_agency", _("My agency"), reverse("agencies:detail", args=[agencies[0]])))
    elif agencies:
        items.append(NavItem("my_agency", _("My agencies"), reverse("agencies:list")))
    for org_id in sorted(organisation_ids(user)):
        items.append(NavItem("my_organisation", _("My organisation"), reverse("organisations:detail", args=[org_id])))
        break
    if agencies or organisation_ids(user) or has_role(user, Role.AUDITOR):
        items.append(NavItem("needs", _("Needs"), reverse("needs:list")))
    if agencies or organisation_ids(user) or has_role(user, Role.AUDITOR):
        items.append(NavItem("contracts", _("Contracts"), reverse("contracts:list")))
    if has_role(user, Role.VETTING_OFFICER):
        items.append(NavItem("vetting", _("Organisation vetting"), reverse("vetting:queue")))
    elif can_list_organisations(user):
        items.append(NavItem("organisations", _("Organisations"), reverse("organisations:list")))
    if has_role(user, Role.AUDITOR) or is_superuser(user):
        items.append(NavItem("agencies", _("Agencies"), reverse("agencies:list")))
    if can_read_audit_log(user):
        items.append(NavItem("audit", _("Audit log"), reverse("audit:list")))
    if can_handle_reports(user):
        items.append(NavItem("reports", _("Reports from the public"), reverse("report_queue:list")))
    items.append(NavItem("directory", _("Directory"), reverse("directory:list")))
    if can_access_cms(user):
        items.append(NavItem("cms", _("Content (CMS)"), "/cms/"))
    if is_superuser(user):
        items.append(NavItem("admin", _("System administration"), "/admin/"))
    return items
