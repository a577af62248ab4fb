"""Vetting pages: the organisation's side (register, edit, documents, submit) and the
vetting officer's queue and review page. Every object comes from a selector; a wrong
id is a 404."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.decorators import reauthentication_required
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.forms import InvitationForm
from accounts.models import Invitation
from accounts.types import AuthenticatedRequest
from core.attempt import attempt
from organisations.models import Organisation, VettingState
from organisations.selectors import organisations_visible_to
from regions.forms import RegionFilterForm
from vetting import services
from vetting.exceptions import NotAllowed, VettingError
from vetting.forms import ChangeDecisionForm, ChecklistForm, DecisionForm, DocumentForm, OrganisationForm
from vetting.models import ChangeRequest
from vetting.selectors import (
    documents_visible_to,
    organisation_missing_items,
    pending_change_request,
    vetting_queue_for,
)
from vetting.workflow import EDITABLE_STATES, FROZEN_STATES


def _managed_organisation(request: HttpRequest, pk: int) -> Organisation:
    organisation = get_object_or_404(organisations_visible_to(request.user), pk=pk)
    if not policy.can_manage_organisation_members(request.user, organisation):
        raise Http404
    return organisation


def _error(request: HttpRequest, exc: VettingError) -> None:
    messages.error(request, str(exc))
    for item in getattr(exc, "missing", []):
        messages.error(request, item)


# --- The organisation's side ----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_register(request: AuthenticatedRequest) -> HttpResponse:
    if not policy.can_register_organisation(request.user):
        raise PermissionDenied
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_register(
            by=request.user,
            data=form.profile_data(),
            service_regions=form.cleaned_data["service_regions_text"],
            service_categories=form.cleaned_data["service_categories"],
        )
        messages.success(
            request,
            _("%(name)s is registered as a draft. Upload its documents, then submit it for vetting.")
            % {"name": organisation.legal_name},
        )
        return redirect("organisations:detail", organisation.pk)
    return render(request, "vetting/organisation_form.html", {"form": form, "registering": True})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    form = OrganisationForm(request.POST or None, instance=Organisation.objects.get(pk=organisation.pk))
    if request.method == "POST" and form.is_valid():
        try:
            change = services.organisation_update(
                organisation=organisation,
                by=request.user,
                data=form.profile_data(),
                service_regions=form.cleaned_data["service_regions_text"],
                service_categories=form.cleaned_data["service_categories"],
            )
        except VettingError as exc:
            _error(request, exc)
        else:
            if change is not None:
                messages.info(
                    request,
                    _("Your changes to key facts wait for a vetting officer; until then the approved facts stand."),
                )
            else:
                messages.success(request, _("The profile was saved."))
            return redirect("organisations:detail", organisation.pk)
    return render(request, "vetting/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
@reauthentication_required
def organisation_submit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    try:
        services.organisation_transition(organisation=organisation, action="submit", by=request.user)
    except VettingError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The application was submitted. A vetting officer will review it."))
    return redirect("organisations:detail", organisation.pk)


@login_required
@require_POST
def document_upload(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.document_upload(
                organisation=organisation,
                by=request.user,
                doc_type=form.cleaned_data["doc_type"],
                upload=upload,
                checked=upload.checked,
                issued_on=form.cleaned_data["issued_on"],
                expires_on=form.cleaned_data["expires_on"],
            )
        except VettingError as exc:
            _error(request, exc)
        else:
            messages.success(request, _("The document was uploaded."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
    return redirect("organisations:detail", organisation.pk)


@login_required
@require_POST
def document_delete(request: AuthenticatedRequest, pk: int, doc_pk: int) -> HttpResponse:
    organisation = _managed_organisation(request, pk)
    document = get_object_or_404(organisation.documents, pk=doc_pk)
    try:
        services.document_delete(document=document, by=request.user)
    except VettingError as exc:
        _error(request, exc)
    else:
        messages.success(request, _("The document was removed."))
    return redirect("organisations:detail", organisation.pk)


# A preview may run nothing and load nothing, and only our own pages may frame it.
# `sandbox` holds even if a PDF viewer would run the file's scripts; it costs the preview
# in browsers that refuse to show a PDF in a sandbox (Chromium's viewer), where the
# officer downloads the file instead.
FILE_POLICY = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"


def _locked_down[R: HttpResponseBase](response: R) -> R:
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = FILE_POLICY
    return response


@login_required
@xframe_options_sameorigin
def document_download(request: AuthenticatedRequest, pk: int, doc_pk: int) -> HttpResponseBase:
    """Always through this view: permission checked, every download audited, served
    as an attachment. Inline only for the in-page preview of an image or of a PDF that
    passed the active-content check (one stored before the check is checked now)."""
    organisation = get_object_or_404(Organisation, pk=pk)
    document = get_object_or_404(documents_visible_to(request.user, organisation), pk=doc_pk)
    inline = request.GET.get("preview") == "1"
    try:
        if inline:
            handle = services.document_preview(document=document, by=request.user)
        else:
            handle = services.document_open(document=document, by=request.user)
    except NotAllowed as exc:
        raise Http404 from exc
    if handle is None:
        return _locked_down(render(request, "vetting/preview_refused.html", {"document": document}))
    response = FileResponse(
        handle, as_attachment=not inline, filename=document.display_name, content_type=document.content_type
    )
    return _locked_down(response)


# --- The vetting officer's side -------------------------------------------------------

AGE_FILTERS = {"7": 7, "14": 14, "30": 30}


@login_required
def vetting_queue(request: AuthenticatedRequest) -> HttpResponse:
    if not (policy.has_role(request.user, "vetting_officer", "auditor") or policy.is_superuser(request.user)):
        raise PermissionDenied
    queue = vetting_queue_for(request.user)
    state = request.GET.get("state", "pending")
    if state == "pending":
        queue = queue.filter(vetting_state__in=[VettingState.SUBMITTED, VettingState.UNDER_REVIEW])
    elif state in VettingState.values:
        queue = queue.filter(vetting_state=state)
    older_than = AGE_FILTERS.get(request.GET.get("age", ""))
    if older_than:
        queue = queue.filter(submitted_at__lte=timezone.now() - timedelta(days=older_than))
    region_form = RegionFilterForm(request.GET or None)
    if region_form.is_valid() and region_form.cleaned_data["region"]:
        queue = queue.in_region(region_form.cleaned_data["region"])
    queue = queue.order_by("submitted_at", "pk")
    page = Paginator(queue, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "vetting/queue.html",
        {
            "page": page,
            "state": state,
            "states": VettingState.choices,
            "age": request.GET.get("age", ""),
            "region_form": region_form,
            "now": timezone.now(),
        },
    )


def _officer_organisation(request: HttpRequest, pk: int) -> Organisation:
    organisation = get_object_or_404(vetting_queue_for(request.user), pk=pk)
    return organisation


@login_required
def vetting_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = _officer_organisation(request, pk)
    review = services.review_current(organisation)
    can_decide = policy.can_vet(request.user, organisation)
    context = {
        "organisation": organisation,
        "documents": documents_visible_to(request.user, organisation),
        "review": review,
        "checklist_form": ChecklistForm(review=review),
        "decision_form": DecisionForm(),
        "change_request": pending_change_request(organisation),
        "change_form": ChangeDecisionForm(),
        "events": organisation.events.select_related("by")[:50],
        "can_decide": can_decide,
        "conflict": policy.has_role(request.user, "vetting_officer") and not can_decide,
    }
    return render(request, "vetting/detail.html", context)


@login_required
@require_POST
def vetting_checklist(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = _officer_organisation(request, pk)
    form = ChecklistForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.checklist_record(organisation=organisation, by=request.user, items=form.items()),
            success=_("The checklist was saved."),
        )
    return redirect("vetting:detail", organisation.pk)


@login_required
@require_POST
@reauthentication_required
def vetting_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    organisation = _officer_organisation(request, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect("vetting:detail", organisation.pk)
    until = form.cleaned_data["approved_until"]
    approved_until = datetime.combine(until, time(23, 59, 59), tzinfo=ZoneInfo(settings.TIME_ZONE)) if until else None
    attempt(
        request,
        lambda: services.organisation_transition(
            organisation=organisation,
            action=form.cleaned_data["action"],
            by=request.user,
            reason=form.cleaned_data["reason"],
            approved_until=approved_until,
        ),
        success=_("The decision was recorded and the organisation notified."),
    )
    return redirect("vetting:detail", organisation.pk)


@login_required
@require_POST
@reauthentication_required
def change_request_decide(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    change_request = get_object_or_404(ChangeRequest.objects.select_related("organisation"), pk=pk)
    organisation = _officer_organisation(request, change_request.organisation_id)
    form = ChangeDecisionForm(request.POST)
    if form.is_valid():
        attempt(
            request,
            lambda: services.change_request_decide(
                change_request=change_request,
                by=request.user,
                approve=form.cleaned_data["approve"],
                reason=form.cleaned_data["reason"],
            ),
            success=_("The change request was decided."),
        )
    return redirect("vetting:detail", organisation.pk)


@login_required
def organisation_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The organisation's page; for its own members, the vetting status page."""
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
