"""The end of a contract's work: the agency's evaluation, the organisation's final
report, and closing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from audit.services import record
from contracts import selectors, services
from contracts.actions import contract_actions, may_take
from contracts.exceptions import ContractError, NotAllowed
from contracts.models import Evaluation, FinalReport
from contracts.views.access import contract_files, contract_for, download, require
from contracts.work_forms import EvaluationForm, ReportForm
from contracts.workflow import CONTRACT_TRANSITIONS
from core.attempt import attempt


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    require(request, CONTRACT_TRANSITIONS["evaluate"], contract)
    version = selectors.current_version(contract)
    indicators = list(version.indicators.all()) if version else []
    evaluation = Evaluation.objects.filter(contract=contract).prefetch_related("scores__indicator").first()
    form = EvaluationForm(request.POST or None, indicators=indicators)
    if request.method == "POST" and evaluation is None:
        if form.is_valid():
            done = attempt(
                request,
                lambda: services.contract_evaluate(
                    contract=contract, by=request.user, scores=form.scores(), summary=form.cleaned_data["summary"]
                ),
                success=_("The evaluation was saved."),
            )
            if done is not None:
                return redirect("contracts:evaluate", contract.pk)
    elif request.method == "POST":
        messages.error(request, _("This contract is already evaluated."))
        return redirect("contracts:evaluate", contract.pk)
    ratings = selectors.beneficiary_ratings(contract)
    return render(
        request,
        "contracts/work/evaluate.html",
        {
            "contract": contract,
            "evaluation": evaluation,
            "form": form,
            "indicators": indicators,
            "ratings": ratings,
            "rating_average": round(sum(ratings) / len(ratings), 2) if ratings else None,
            "may_evaluate": evaluation is None and "evaluate" in contract_actions(request.user, contract),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the final report (for the parties), or the upload form for the organisation
    while there is none. POST: the organisation uploads it."""
    contract = contract_files(request, pk)
    existing = FinalReport.objects.filter(contract=contract).first()
    if request.method == "GET" and existing is not None:
        record(action="contract.final_report_open", actor=request.user, obj=contract)
        return download(existing.file, filename=existing.display_name, content_type=existing.content_type)
    if not may_take(request.user, CONTRACT_TRANSITIONS["final_report"], contract=contract):
        raise PermissionDenied if request.method == "POST" else Http404()
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.final_report_upload(contract=contract, by=request.user, upload=upload, checked=upload.checked)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except ContractError as exc:
            # Shown on the form it concerns rather than as a message.
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The final report was uploaded."))
            return redirect("contracts:detail", contract.pk)
    return render(request, "contracts/work/report.html", {"contract": contract, "form": form, "existing": existing})


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    require(request, CONTRACT_TRANSITIONS["close"], contract)
    attempt(
        request,
        lambda: services.contract_close(contract=contract, by=request.user),
        success=_("The contract is closed and the need fulfilled."),
    )
    return redirect("contracts:detail", contract.pk)
