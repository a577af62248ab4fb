"""Payments and the journal: recording, authorising and rejecting payments, their
proofs, the contract's journal and its corrections."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import record
from contracts import ledger, services
from contracts.actions import entry_actions
from contracts.models import Contract, Payment
from contracts.views.access import contract_files, contract_for, download, milestone_for, require
from contracts.views.work import back, form_errors
from contracts.work_forms import PaymentRecordForm, ReasonForm
from contracts.workflow import JOURNAL_TRANSITIONS, MILESTONE_TRANSITIONS, PAYMENT_TRANSITIONS
from core.attempt import attempt


@login_required
@require_POST
def payment_record(request: HttpRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = milestone_for(request, pk, milestone_pk)
    require(request, MILESTONE_TRANSITIONS["payment_record"], contract)
    form = PaymentRecordForm(request.POST, request.FILES)
    if not form.is_valid():
        form_errors(request, form)
    else:
        data = form.cleaned_data
        attempt(
            request,
            lambda: services.payment_record(
                milestone=milestone,
                by=request.user,
                amount=data["amount"],
                paid_on=data["paid_on"],
                reference=data["reference"],
                proof=data["proof"],
                checked=data["proof"].checked,
            ),
            success=_("The payment was recorded; another finance officer authorises it."),
        )
    return back(contract, milestone)


def _payment(request: HttpRequest, pk: int, payment_pk: int) -> tuple[Contract, Payment]:
    contract = contract_for(request, pk)
    payment = get_object_or_404(contract.payments.select_related("milestone"), pk=payment_pk)
    return contract, payment


@login_required
@require_POST
def payment_authorise(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    contract, payment = _payment(request, pk, payment_pk)
    require(request, PAYMENT_TRANSITIONS["payment_authorise"], contract)
    attempt(
        request,
        lambda: services.payment_authorise(payment=payment, by=request.user),
        success=_("The payment was authorised."),
    )
    return back(contract, payment.milestone)


@login_required
@require_POST
def payment_reject(request: HttpRequest, pk: int, payment_pk: int) -> HttpResponse:
    contract, payment = _payment(request, pk, payment_pk)
    require(request, PAYMENT_TRANSITIONS["payment_reject"], contract)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the record is rejected."))
    else:
        attempt(
            request,
            lambda: services.payment_reject(payment=payment, by=request.user, reason=form.cleaned_data["reason"]),
            success=_("The payment record was rejected."),
        )
    return back(contract, payment.milestone)


@login_required
def payment_proof(request: HttpRequest, pk: int, payment_pk: int) -> FileResponse:
    contract = contract_files(request, pk)
    payment = get_object_or_404(Payment, contract=contract, pk=payment_pk)
    if not payment.proof:
        raise Http404
    record(action="contract.payment_proof_open", actor=request.user, obj=contract, summary={"payment": payment.pk})
    return download(payment.proof, filename=payment.proof_name or "proof", content_type=payment.proof_type)


@login_required
def ledger_view(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    entries = list(
        contract.journal.select_related("created_by", "reverses", "milestone", "reversed_by")
        .prefetch_related("lines")
        .order_by("created_at", "pk")
    )
    reversed_by = {e.reverses_id: e for e in entries if e.reverses_id}
    for entry in entries:
        entry.reversal = reversed_by.get(entry.pk)
        entry.actions = entry_actions(request.user, entry)
    return render(
        request,
        "contracts/work/ledger.html",
        {
            "contract": contract,
            "entries": entries,
            "balances": ledger.contract_balances(contract),
            "problems": ledger.check(contract),
            "reverse_form": ReasonForm(auto_id="id_reverse_%s"),
        },
    )


@login_required
@require_POST
def reverse(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    entry = get_object_or_404(contract.journal.all(), pk=entry_pk)
    require(request, JOURNAL_TRANSITIONS["reverse"], contract)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A correction needs its reason."))
    else:
        attempt(
            request,
            lambda: services.journal_reverse(entry=entry, by=request.user, reason=form.cleaned_data["reason"]),
            success=_("The entry was reversed."),
        )
    return redirect("contracts:ledger", contract.pk)
