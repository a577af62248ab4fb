from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from accounts import policy
from accounts.forms import InvitationForm
from accounts.models import Invitation
from accounts.types import AuthenticatedRequest
from organisations.models import VettingState
from organisations.selectors import organisations_visible_to
from regions.forms import RegionFilterForm


@login_required
def organisation_list(request: AuthenticatedRequest) -> HttpResponse:
    if not policy.can_list_organisations(request.user):
        raise PermissionDenied
    organisations = organisations_visible_to(request.user)
    query = request.GET.get("q", "").strip()
    state = request.GET.get("state", "")
    if query:
        organisations = organisations.filter(legal_name__icontains=query)
    if state in VettingState.values:
        organisations = organisations.filter(vetting_state=state)
    region_form = RegionFilterForm(request.GET or None)
    if region_form.is_valid() and region_form.cleaned_data["region"]:
        organisations = organisations.in_region(region_form.cleaned_data["region"])
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "organisations/list.html",
        {
            "page": page,
            "query": query,
            "state": state,
            "states": VettingState.choices,
            "region_form": region_form,
        },
    )


@login_required
def organisation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The organisation's page; for its own members, the vetting status page."""
    from vetting.forms import DocumentForm
    from vetting.selectors import documents_visible_to, organisation_missing_items, pending_change_request
    from vetting.workflow import EDITABLE_STATES, FROZEN_STATES

    organisation = get_object_or_404(organisations_visible_to(request.user), pk=pk)
    can_manage = policy.can_manage_organisation_members(request.user, organisation)
    is_member = organisation.pk in policy.organisation_ids(request.user)
    sees_file = policy.can_read_vetting_file(request.user, organisation)
    editable = organisation.vetting_state in EDITABLE_STATES
    context = {
        "organisation": organisation,
        "service_regions": organisation.service_regions.all(),
        "members": organisation.memberships.select_related("user").order_by("role", "user__email")
        if (is_member or can_manage or policy.can_read_audit_log(request.user))
        else [],
        "can_manage": can_manage,
        "is_member": is_member,
        "show_private": sees_file,
        "invitations": Invitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
        )
        if can_manage
        else [],
        "invite_form": InvitationForm(scope="organisation") if can_manage else None,
        "documents": documents_visible_to(request.user, organisation) if sees_file else [],
        "missing": organisation_missing_items(organisation) if (is_member and editable) else [],
        "can_submit": can_manage and editable,
        "can_edit": can_manage and organisation.vetting_state not in FROZEN_STATES,
        "can_upload": can_manage and organisation.vetting_state not in FROZEN_STATES,
        "can_delete_documents": can_manage and editable,
        "document_form": DocumentForm() if can_manage else None,
        "change_request": pending_change_request(organisation) if sees_file else None,
        "events": organisation.events.select_related("by")[:20] if sees_file else [],
    }
    return render(request, "organisations/detail.html", context)
