"""Saved searches: keep the current search, choose how to be told, stop in one click."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.types import AuthenticatedRequest
from matching import alerts
from matching.models import AlertFrequency, SavedSearch
from matching.query import BUDGET_BANDS
from matching.views import known_values, parse
from needs.models import NeedKind, Urgency
from regions.models import Region


class SavedSearchForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name of the search"), max_length=80)
    frequency = forms.ChoiceField(label=gettext_lazy("Tell me"), choices=AlertFrequency.choices)
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)


def search_description(query: str, known: dict) -> list[tuple[str, str]]:
    """What a saved search filters on, as (what, values) in words: the page showed only
    its name. Values the search no longer understands are left out, as the alerts do."""
    search = parse(QueryDict(query), service_paths=(), can_fit=False, known=known, strict=True)
    f = search.filters
    kinds, urgencies = dict(NeedKind.choices), dict(Urgency.choices)
    bands = {key: label for key, label, *_bounds in BUDGET_BANDS}
    rows = [
        (_("Words"), search.text),
        (_("Category"), "、".join(known["category"][c] for c in f.category)),
        (_("Kind"), "、".join(str(kinds[k]) for k in f.kind)),
        (_("Urgency"), "、".join(str(urgencies[u]) for u in f.urgency)),
        (_("Budget (CNY)"), "、".join(str(bands[b]) for b in f.budget)),
    ]
    if f.region:
        region = Region.objects.filter(path=f.region).first()
        rows.append((_("Region"), region.local_full_name if region else ""))
    if QueryDict(query).get("area") == "1":
        rows.append((_("Area"), _("In my service area")))
    return [(what, value) for what, value in rows if value]


def _member(request: HttpRequest) -> None:
    if not policy.organisation_ids(request.user):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def saved_searches(request: AuthenticatedRequest) -> HttpResponse:
    _member(request)
    form = SavedSearchForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                alerts.saved_search_create(user=request.user, **form.cleaned_data)
            except alerts.SavedSearchError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("The search is saved: you will be told when a new need fits it."))
        else:
            messages.error(request, _("Give the search a name and choose how you want to be told."))
        return redirect("needs:list" if not form.is_valid() else "matching:saved")
    saved, known = list(request.user.saved_searches.all()), known_values()
    for search in saved:
        search.description = search_description(search.query, known)  # type: ignore[attr-defined]  # for the template
    return render(request, "matching/saved.html", {"saved": saved, "frequencies": AlertFrequency.choices})


@login_required
@require_POST
def saved_search_change(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    saved = get_object_or_404(SavedSearch, pk=pk, user=request.user)
    if request.POST.get("delete"):
        saved.delete()
        messages.success(request, _("The saved search was deleted."))
    elif request.POST.get("frequency") in AlertFrequency.values:
        saved.frequency = request.POST["frequency"]
        saved.save(update_fields=["frequency"])
        messages.success(request, _("Saved."))
    else:
        raise Http404
    return redirect("matching:saved")


@csrf_exempt  # a mail client's one-click POST (RFC 8058) carries no CSRF token; the token is the secret
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    saved = alerts.saved_search_unsubscribe(token=token[:64])
    if saved is None:
        raise Http404
    return render(request, "matching/unsubscribed.html", {"saved": saved})
