"""The work under a contract: a milestone's page with its evidence, the beneficiary's
confirmation link, disputes, acceptance. Every write goes through contracts.services;
a refusal of the person is a 403, any other refusal a message on the page (nothing
changed)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import policy
from audit.services import record
from contracts import selectors, services
from contracts.actions import milestone_actions, payment_actions
from contracts.models import Confirmation, ConfirmationOutcome, Contract, EvidenceFile, Milestone
from contracts.views.access import contract_files, download, milestone_for, require
from contracts.work_forms import (
    ConfirmationNewForm,
    DisputeResolveForm,
    EvidenceFileForm,
    PaymentRecordForm,
    ReasonForm,
    ServiceRecordForm,
)
from contracts.workflow import CONFIRMATION_DAYS, MILESTONE_TRANSITIONS
from core.attempt import attempt
from notifications.services import url_for


def form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def back(contract: Contract, milestone: Milestone):
    return redirect("contracts:milestone", contract.pk, milestone.pk)


@login_required
def milestone_detail(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = milestone_for(request, pk, milestone_pk)
    confirmations = list(milestone.confirmations.all())
    payments = list(milestone.payments.select_related("recorded_by", "authorised_by"))
    for payment in payments:
        payment.actions = payment_actions(request.user, payment)
    context = {
        "contract": contract,
        "milestone": milestone,
        "terms": selectors.terms_of(milestone),
        "records": milestone.service_records.all(),
        "files": milestone.evidence_files.all(),
        "confirmations": confirmations,
        "disputes": [c for c in confirmations if c.outcome == ConfirmationOutcome.DISPUTED],
        "payments": payments,
        "party": policy.is_contract_party(request.user, contract),
        "actions": milestone_actions(request.user, milestone),
        "now": timezone.now(),
        "record_form": ServiceRecordForm(initial={"date": timezone.localdate()}),
        "file_form": EvidenceFileForm(),
        "confirmation_form": ConfirmationNewForm(),
        "return_form": ReasonForm(auto_id="id_return_%s"),
        "resolve_form": DisputeResolveForm(auto_id="id_resolve_%s"),
        "payment_form": PaymentRecordForm(
            initial={"amount": milestone.outstanding, "paid_on": timezone.localdate()}, auto_id="id_payment_%s"
        ),
        "reject_form": ReasonForm(auto_id="id_reject_%s"),
    }
    return render(request, "contracts/work/milestone.html", context)


@login_required
@require_POST
def record_add(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = milestone_for(request, pk, milestone_pk)
    require(request, MILESTONE_TRANSITIONS["evidence_record"], contract)
    form = ServiceRecordForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        attempt(
            request,
            lambda: services.evidence_record_add(milestone=milestone, by=request.user, data=form.record_data()),
            success=_("The service record was added."),
        )
    return back(contract, milestone)


@login_required
@require_POST
def file_add(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = milestone_for(request, pk, milestone_pk)
    require(request, MILESTONE_TRANSITIONS["evidence_file"], contract)
    form = EvidenceFileForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
    else:
        upload = form.cleaned_data["file"]
        attempt(
            request,
            lambda: services.evidence_file_add(
                milestone=milestone, by=request.user, upload=upload, checked=upload.checked
            ),
            success=_("The evidence file was added."),
        )
    return back(contract, milestone)


@login_required
def file_download(request: HttpRequest, pk: int, milestone_pk: int, file_pk: int) -> FileResponse:
    contract = contract_files(request, pk)
    item = get_object_or_404(EvidenceFile, milestone__contract=contract, milestone__pk=milestone_pk, pk=file_pk)
    record(action="contract.evidence_open", actor=request.user, obj=contract, summary={"file": item.pk})
    return download(item.file, filename=item.display_name, content_type=item.content_type)


@login_required
@require_POST
def submit(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = milestone_for(request, pk, milestone_pk)
    require(request, MILESTONE_TRANSITIONS["submit"], contract)
    attempt(
        request,
        lambda: services.milestone_submit(milestone=milestone, by=request.user),
        success=_("The milestone was submitted for acceptance."),
    )
    return back(contract, milestone)


@login_required
@require_POST
@never_cache
def confirmation_new(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    """A new link and code for the beneficiary, shown once on a printable card."""
    contract, milestone = milestone_for(request, pk, milestone_pk)
    require(request, MILESTONE_TRANSITIONS["confirmation_link"], contract)
    form = ConfirmationNewForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
        return back(contract, milestone)
    made = attempt(
        request,
        lambda: services.confirmation_create(
            milestone=milestone,
            by=request.user,
            email=form.cleaned_data["email"],
            language=translation.get_language() or "",
        ),
    )
    if made is None:
        return back(contract, milestone)
    _confirmation, token, code = made
    path = url_for("confirm:page", token)  # without a language prefix: short, to be typed
    response = render(
        request,
        "contracts/work/confirmation_card.html",
        {
            "contract": contract,
            "milestone": milestone,
            "terms": selectors.terms_of(milestone),
            "link": settings.SITE_URL.rstrip("/") + path,
            "code": code,
            "emailed": bool(form.cleaned_data["email"]),
            "valid_days": CONFIRMATION_DAYS,
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def dispute_resolve(request: HttpRequest, pk: int, milestone_pk: int, confirmation_pk: int) -> HttpResponse:
    contract, milestone = milestone_for(request, pk, milestone_pk)
    confirmation = get_object_or_404(Confirmation, milestone=milestone, pk=confirmation_pk)
    require(request, MILESTONE_TRANSITIONS["dispute_resolve"], contract)
    form = DisputeResolveForm(request.POST)
    if not form.is_valid():
        form_errors(request, form)
    else:
        attempt(
            request,
            lambda: services.dispute_resolve(
                confirmation=confirmation,
                by=request.user,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
            ),
            success=_("The dispute was resolved."),
        )
    return back(contract, milestone)


@login_required
@require_POST
def accept(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = milestone_for(request, pk, milestone_pk)
    require(request, MILESTONE_TRANSITIONS["accept"], contract)
    attempt(
        request,
        lambda: services.milestone_accept(milestone=milestone, by=request.user),
        success=_("The milestone was accepted; the payment clock has started."),
    )
    return back(contract, milestone)


@login_required
@require_POST
def return_(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = milestone_for(request, pk, milestone_pk)
    require(request, MILESTONE_TRANSITIONS["return"], contract)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is missing; the organisation sees it."))
    else:
        attempt(
            request,
            lambda: services.milestone_return(milestone=milestone, by=request.user, reason=form.cleaned_data["reason"]),
            success=_("The milestone was returned to the organisation."),
        )
    return back(contract, milestone)
