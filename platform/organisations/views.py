from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts import policy
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
