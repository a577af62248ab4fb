from __future__ import annotations

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from accounts import policy
from accounts.types import AuthenticatedRequest
from audit.actions import action_label
from audit.models import Outcome
from supervision.selectors import audit_entries_visible_to


def _date(value: str):
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        return None


@login_required
def audit_list(request: AuthenticatedRequest) -> HttpResponse:
    """The log, newest first, read-only, with filters auditors need."""
    if not policy.can_read_audit_log(request.user):
        raise PermissionDenied
    entries = audit_entries_visible_to(request.user)
    filters = {
        "action": request.GET.get("action", "").strip(),
        "actor": request.GET.get("actor", "").strip(),
        "outcome": request.GET.get("outcome", ""),
        "since": request.GET.get("since", ""),
        "until": request.GET.get("until", ""),
    }
    kinds = sorted(audit_entries_visible_to(request.user).values_list("action", flat=True).distinct())
    if filters["action"] in kinds:
        entries = entries.filter(action=filters["action"])
    elif filters["action"]:
        entries = entries.filter(action__startswith=filters["action"])  # a prefix: "need." for every need step
    if filters["actor"]:
        entries = entries.filter(actor_label__icontains=filters["actor"])
    if filters["outcome"] in Outcome.values:
        entries = entries.filter(outcome=filters["outcome"])
    if since := _date(filters["since"]):
        entries = entries.filter(at__date__gte=since)
    if until := _date(filters["until"]):
        entries = entries.filter(at__date__lte=until)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.label = action_label(entry.action)  # type: ignore[attr-defined]  # for the template
    return render(
        request,
        "audit/list.html",
        {
            "page": page,
            "filters": filters,
            "outcomes": Outcome.choices,
            "kinds": sorted(((k, action_label(k)) for k in kinds), key=lambda kind: kind[1]),
        },
    )
