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
from agencies.selectors import agencies_visible_to
from regions.forms import RegionFilterForm


@login_required
def agency_list(request: AuthenticatedRequest) -> HttpResponse:
    if not policy.can_list_agencies(request.user):
        raise PermissionDenied
    agencies = agencies_visible_to(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        agencies = agencies.filter(name__icontains=query)
    region_form = RegionFilterForm(request.GET or None)
    if region_form.is_valid() and region_form.cleaned_data["region"]:
        agencies = agencies.filter(region__path__startswith=region_form.cleaned_data["region"].path)
    page = Paginator(agencies, 50).get_page(request.GET.get("page"))
    return render(request, "agencies/list.html", {"page": page, "query": query, "region_form": region_form})


@login_required
def agency_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    agency = get_object_or_404(agencies_visible_to(request.user), pk=pk)
    can_manage = policy.can_manage_agency_members(request.user, agency)
    context = {
        "agency": agency,
        "members": agency.memberships.select_related("user").order_by("user__email", "role"),
        "children": agency.children.select_related("region"),
        "can_manage": can_manage,
        "invitations": Invitation.objects.filter(agency=agency, accepted_at__isnull=True, revoked_at__isnull=True)
        if can_manage
        else [],
        "invite_form": InvitationForm(scope="agency") if can_manage else None,
    }
    return render(request, "agencies/detail.html", context)
