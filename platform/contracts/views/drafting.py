"""Drafting, signing (after re-authentication), amendments and termination: each page
asks the workflow table who may take its step (``access.require``) and lets the service
refuse anything else (``core.attempt``)."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from contracts import selectors, services
from contracts.actions import contract_actions, may_draft, may_take
from contracts.forms import IndicatorFormSet, MilestoneFormSet, TerminateForm, TermsForm
from contracts.models import Contract, ContractVersion
from contracts.views.access import contract_for, require
from contracts.workflow import CONTRACT_TRANSITIONS, VERSION_TRANSITIONS
from core.attempt import attempt
from needs.models import Need, NeedState

# --- Drafting -----------------------------------------------------------------------


def _draft_need(request: HttpRequest, need_pk: int) -> Need:
    need = get_object_or_404(Need.objects.select_related("agency", "claimed_by", "category"), pk=need_pk)
    if not may_draft(request.user, need):
        raise Http404
    return need


def _initial(need: Need) -> tuple[dict, list[dict], list[dict]]:
    """A starting draft: the need's card, the chosen price, one milestone at the end."""
    today = timezone.localdate()
    end = today + timedelta(days=max(need.duration_days, 1) - 1)
    price = selectors.price_ceiling(need)
    award = getattr(need, "award", None) if need.state == NeedState.AWARDED else None
    terms = {
        "content_scope": award.proposal.plan if award else need.summary,
        "term_start": today,
        "term_end": end,
        "quantity": "",
        "quality_standards": "",
        "price": price,
        "settlement_method": _("Paid by milestone, within the payment days after each acceptance."),
        "payment_days": 30,
        "rights_obligations": _(
            "The buyer accepts delivered work and pays on time; the organisation delivers as planned, "
            "keeps service records and protects the beneficiary's privacy."
        ),
        "breach_liability": _(
            "Work not delivered as agreed is not paid and may be deducted; either party may terminate "
            "for a serious breach, settling what was delivered."
        ),
    }
    milestones = [
        {
            "description": need.title,
            "due_date": end,
            "amount": price,
            "deliverables": "",
            "evidence_required": _("Service records and the beneficiary's confirmation"),
            "service": True,
        }
    ]
    indicators = [
        {"name": _("Services delivered as scheduled"), "target": "≥ 95%"},
        {"name": _("Beneficiary satisfaction"), "target": "≥ 4 / 5"},
    ]
    return terms, milestones, indicators


def _schedule_initial(version: ContractVersion) -> tuple[list[dict], list[dict]]:
    milestones = selectors.schedule_data(version)
    indicators = [{"name": i.name, "target": i.target} for i in version.indicators.all()]
    return milestones, indicators


@login_required
@require_http_methods(["GET", "POST"])
def contract_new(request: HttpRequest, need_pk: int) -> HttpResponse:
    need = _draft_need(request, need_pk)
    existing = Contract.objects.filter(need=need).first()
    if existing:
        return redirect("contracts:detail", existing.pk)
    if need.state not in {NeedState.AWARDED, NeedState.CLAIMED}:
        messages.error(request, _("Only an awarded or claimed need gets a contract."))
        return redirect("needs:detail", need.pk)
    terms, milestones, indicators = _initial(need)
    form = TermsForm(request.POST or None, initial=terms)
    schedule = MilestoneFormSet(request.POST or None, prefix="m", initial=milestones)
    indicator_set = IndicatorFormSet(request.POST or None, prefix="i", initial=indicators)
    if request.method == "POST" and form.is_valid() and schedule.is_valid() and indicator_set.is_valid():
        contract = attempt(
            request,
            lambda: services.contract_draft(
                need=need,
                by=request.user,
                data=form.terms(),
                milestones=schedule.rows(),
                indicators=indicator_set.rows(),
            ),
            success=_("The contract is drafted. Check it, then send it for signature."),
        )
        if contract is not None:
            return redirect("contracts:detail", contract.pk)
    return render(
        request,
        "contracts/form.html",
        {"need": need, "form": form, "schedule": schedule, "indicator_set": indicator_set, "ceiling": terms["price"]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    edit = VERSION_TRANSITIONS["edit"]
    require(request, edit, contract)
    if edit.action not in contract_actions(request.user, contract):
        messages.error(request, edit.refusal)
        return redirect("contracts:detail", contract.pk)
    version = selectors.open_version(contract)
    amendment = version.number > 1
    milestones, indicators = _schedule_initial(version)
    form = TermsForm(request.POST or None, instance=version, amendment=amendment)
    schedule = MilestoneFormSet(request.POST or None, prefix="m", initial=milestones)
    indicator_set = IndicatorFormSet(request.POST or None, prefix="i", initial=indicators)
    if request.method == "POST" and form.is_valid() and schedule.is_valid() and indicator_set.is_valid():
        data = form.terms()
        if amendment:
            data["reason"] = form.cleaned_data["reason"]
        saved = attempt(
            request,
            lambda: services.contract_update_draft(
                contract=contract,
                by=request.user,
                data=data,
                milestones=schedule.rows(),
                indicators=indicator_set.rows(),
            ),
            success=_("The draft is saved."),
        )
        if saved is not None:
            return redirect("contracts:detail", contract.pk)
        version.refresh_from_db()
    return render(
        request,
        "contracts/form.html",
        {
            "need": contract.need,
            "contract": contract,
            "version": version,
            "form": form,
            "schedule": schedule,
            "indicator_set": indicator_set,
            "ceiling": selectors.price_ceiling(contract.need) if not amendment else None,
        },
    )


# --- Signing ------------------------------------------------------------------------


@login_required
@require_POST
def contract_send(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    attempt(
        request,
        lambda: services.contract_send(contract=contract, by=request.user),
        success=_("Sent to both parties for signature. The terms can no longer change."),
    )
    return redirect("contracts:detail", pk)


@login_required
@require_POST
def contract_recall(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    attempt(
        request,
        lambda: services.contract_recall(contract=contract, by=request.user, reason=request.POST.get("reason", "")),
        success=_("The contract is back in draft; the signatures given are cleared."),
    )
    return redirect("contracts:detail", pk)


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def contract_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign after re-authentication: a page that says exactly what is being signed."""
    contract = contract_for(request, pk)
    version = selectors.open_version(contract)
    parties = {"agency": contract.agency.name, "organisation": contract.organisation.legal_name}
    sides = [
        (side, name)
        for side, name in parties.items()
        if may_take(request.user, VERSION_TRANSITIONS[f"sign_{side}"], contract=contract)
    ]
    if not sides:
        raise PermissionDenied
    if request.method == "POST":
        side = request.POST.get("side", "")
        if side not in dict(sides):
            raise PermissionDenied
        attempt(
            request,
            lambda: services.contract_sign(contract=contract, by=request.user, side=side),
            success=_("Signed."),
        )
        return redirect("contracts:detail", pk)
    signing = VERSION_TRANSITIONS["sign_agency"]
    if version is None or version.state not in signing.sources:
        messages.error(request, signing.refusal)
        return redirect("contracts:detail", pk)
    return render(
        request,
        "contracts/sign.html",
        {"contract": contract, "version": version, "sides": sides, "items": selectors.schedule(version)},
    )


@login_required
@require_POST
def contract_amend(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    started = attempt(
        request,
        lambda: services.contract_amend(contract=contract, by=request.user, reason=request.POST.get("reason", "")),
        success=_("An amendment is started: change the terms, then send it for both signatures."),
    )
    return redirect("contracts:edit" if started is not None else "contracts:detail", pk)


@login_required
@require_POST
def contract_discard(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    attempt(
        request,
        lambda: services.contract_discard_amendment(contract=contract, by=request.user),
        success=_("The draft amendment is discarded; the signed terms stand."),
    )
    return redirect("contracts:detail", pk)


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def contract_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    require(request, CONTRACT_TRANSITIONS["terminate"], contract)
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        ended = attempt(
            request,
            lambda: services.contract_terminate(
                contract=contract,
                by=request.user,
                reason=form.cleaned_data["reason"],
                settlement=form.cleaned_data["settlement"] or 0,
                settlement_description=form.cleaned_data["settlement_description"],
            ),
            success=_("The contract is terminated."),
        )
        if ended is not None:
            return redirect("contracts:detail", pk)
    accepted = sum((m.accepted_amount for m in contract.milestones.all()), 0)
    return render(
        request,
        "contracts/terminate.html",
        {"contract": contract, "form": form, "left": contract.price - accepted},
    )
