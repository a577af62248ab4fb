"""Views of the work under a contract: a milestone's evidence, the beneficiary's
confirmation, acceptance, payments, the journal, evaluation, the final report and
closing. Every write goes through contracts.services; a refusal of the person is a
403, any other refusal a message on the page (nothing changed).

Who sees what: the parties (the buying agency's staff and the organisation's members),
auditors and superusers read a contract's work; anyone else gets a 404 and learns
nothing. Within the parties each action asks its own role (403 otherwise).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.models import Role
from accounts.types import AuthenticatedRequest
from audit.services import record
from contracts import ledger, services
from contracts.exceptions import ContractError, NotAllowed, TermsInvalid
from contracts.models import (
    Confirmation,
    ConfirmationOutcome,
    Contract,
    EntryKind,
    Evaluation,
    EvidenceFile,
    FinalReport,
    JournalEntry,
    Milestone,
    MilestoneState,
    Payment,
    PaymentState,
)
from contracts.work_forms import (
    ConfirmAnswerForm,
    ConfirmationNewForm,
    DisputeResolveForm,
    EvaluationForm,
    EvidenceFileForm,
    PaymentRecordForm,
    ReasonForm,
    ReportForm,
    ServiceRecordForm,
)
from core import ratelimit
from notifications.services import url_for

CONFIRM_LIMIT = ratelimit.Limit("confirm", 20, 10 * 60)  # answers per client address per ten minutes


# --- Access ------------------------------------------------------------------------


def _contract(request: HttpRequest, pk: int) -> Contract:
    """The contract, for those who may read it; a 404 for anyone else."""
    contract = get_object_or_404(Contract.objects.select_related("agency", "organisation"), pk=pk)
    if not policy.can_view_contract(request.user, contract):
        raise Http404
    return contract


def _milestone(request: HttpRequest, pk: int, milestone_pk: int) -> tuple[Contract, Milestone]:
    contract = _contract(request, pk)
    milestone = get_object_or_404(
        Milestone.objects.select_related("contract__agency"), contract=contract, pk=milestone_pk
    )
    return contract, milestone


def _party(request: HttpRequest, pk: int) -> Contract:
    """Files: for the parties and for auditors, who check payments against their proof
    (each download is in the audit log)."""
    contract = _contract(request, pk)
    if not (policy.is_contract_party(request.user, contract) or policy.has_role(request.user, Role.AUDITOR)):
        raise Http404
    return contract


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _problem_messages(request: HttpRequest, exc: ContractError) -> None:
    messages.error(request, str(exc))
    for problem in getattr(exc, "problems", []) if isinstance(exc, TermsInvalid) else []:
        messages.error(request, problem)


def _attempt(request: HttpRequest, call, *, success: str):
    """Run a service call: a refusal of the person is a 403, any other refusal a
    message (nothing changed), success a confirmation. Returns the result or None."""
    try:
        result = call()
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except ContractError as exc:
        _problem_messages(request, exc)
        return None
    messages.success(request, success)
    return result


def _form_errors(request: HttpRequest, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


def _download(uploaded, *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(uploaded.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


def _back(contract: Contract, milestone: Milestone):
    return redirect("contracts:milestone", contract.pk, milestone.pk)


# --- The milestone page ------------------------------------------------------------


def _payment_overdue(milestone: Milestone) -> bool:
    return bool(
        milestone.state == MilestoneState.ACCEPTED
        and milestone.payment_due
        and milestone.outstanding > 0
        and milestone.payment_due < timezone.localdate()
    )


@login_required
def milestone_detail(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = _milestone(request, pk, milestone_pk)
    user = request.user
    may_work = policy.can_work_on_contract(user, contract)
    may_accept = policy.can_accept_milestone(user, contract)
    may_pay = policy.can_handle_payments(user, contract.agency)
    party = policy.is_contract_party(user, contract)
    terms = services.terms_of(milestone)
    open_work = contract.state == "active" and milestone.state in services.WORK_STATES
    confirmations = list(milestone.confirmations.all())
    payments = list(milestone.payments.select_related("recorded_by", "authorised_by"))
    for payment in payments:
        payment.may_decide = (  # type: ignore[attr-defined]  # for the template
            may_pay
            and payment.state == PaymentState.RECORDED
            and payment.recorded_by_id != user.pk
            and milestone.accepted_by_id != user.pk
        )
    context = {
        "contract": contract,
        "milestone": milestone,
        "terms": terms,
        "records": milestone.service_records.all(),
        "files": milestone.evidence_files.all(),
        "confirmations": confirmations,
        "disputes": [c for c in confirmations if c.outcome == ConfirmationOutcome.DISPUTED],
        "payments": payments,
        "party": party,
        "may_work": may_work and open_work,
        "may_submit": may_work
        and contract.state == "active"
        and milestone.state in {MilestoneState.PENDING, MilestoneState.RETURNED},
        "may_confirm": may_work and open_work and terms is not None and terms.service,
        "may_accept": may_accept and contract.state == "active" and milestone.state == MilestoneState.SUBMITTED,
        "may_resolve": may_accept,
        "may_record_payment": may_pay
        and milestone.state == MilestoneState.ACCEPTED
        and milestone.outstanding > 0
        and not any(p.state == PaymentState.RECORDED for p in payments),
        "overdue": _payment_overdue(milestone),
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
def record_add(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = _milestone(request, pk, milestone_pk)
    _require(policy.can_work_on_contract(request.user, contract))
    form = ServiceRecordForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: services.evidence_record_add(milestone=milestone, by=request.user, data=form.record_data()),
            success=_("The service record was added."),
        )
    return _back(contract, milestone)


@login_required
@require_POST
def file_add(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = _milestone(request, pk, milestone_pk)
    _require(policy.can_work_on_contract(request.user, contract))
    form = EvidenceFileForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        upload = form.cleaned_data["file"]
        _attempt(
            request,
            lambda: services.evidence_file_add(
                milestone=milestone, by=request.user, upload=upload, checked=upload.checked
            ),
            success=_("The evidence file was added."),
        )
    return _back(contract, milestone)


@login_required
def file_download(request: AuthenticatedRequest, pk: int, milestone_pk: int, file_pk: int) -> FileResponse:
    contract = _party(request, pk)
    item = get_object_or_404(EvidenceFile, milestone__contract=contract, milestone__pk=milestone_pk, pk=file_pk)
    record(action="contract.evidence_open", actor=request.user, obj=contract, summary={"file": item.pk})
    return _download(item.file, filename=item.display_name, content_type=item.content_type)


@login_required
@require_POST
def submit(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = _milestone(request, pk, milestone_pk)
    _require(policy.can_work_on_contract(request.user, contract))
    _attempt(
        request,
        lambda: services.milestone_submit(milestone=milestone, by=request.user),
        success=_("The milestone was submitted for acceptance."),
    )
    return _back(contract, milestone)


@login_required
@require_POST
@never_cache
def confirmation_new(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    """A new link and code for the beneficiary, shown once on a printable card."""
    contract, milestone = _milestone(request, pk, milestone_pk)
    _require(policy.can_work_on_contract(request.user, contract))
    form = ConfirmationNewForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(contract, milestone)
    try:
        _confirmation, token, code = services.confirmation_create(
            milestone=milestone,
            by=request.user,
            email=form.cleaned_data["email"],
            language=translation.get_language() or "",
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except ContractError as exc:
        _problem_messages(request, exc)
        return _back(contract, milestone)
    path = url_for("confirm:page", token)  # without a language prefix: short, to be typed
    response = render(
        request,
        "contracts/work/confirmation_card.html",
        {
            "contract": contract,
            "milestone": milestone,
            "terms": services.terms_of(milestone),
            "link": settings.SITE_URL.rstrip("/") + path,
            "code": code,
            "emailed": bool(form.cleaned_data["email"]),
            "valid_days": services.CONFIRMATION_DAYS,
        },
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@require_POST
def dispute_resolve(request: AuthenticatedRequest, pk: int, milestone_pk: int, confirmation_pk: int) -> HttpResponse:
    contract, milestone = _milestone(request, pk, milestone_pk)
    confirmation = get_object_or_404(Confirmation, milestone=milestone, pk=confirmation_pk)
    _require(policy.can_accept_milestone(request.user, contract))
    form = DisputeResolveForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: services.dispute_resolve(
                confirmation=confirmation,
                by=request.user,
                resolution=form.cleaned_data["resolution"],
                note=form.cleaned_data["note"],
            ),
            success=_("The dispute was resolved."),
        )
    return _back(contract, milestone)


@login_required
@require_POST
def accept(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = _milestone(request, pk, milestone_pk)
    _require(policy.can_sign_for_agency(request.user, contract.agency))  # the preparer is told why (403)
    _attempt(
        request,
        lambda: services.milestone_accept(milestone=milestone, by=request.user),
        success=_("The milestone was accepted; the payment clock has started."),
    )
    return _back(contract, milestone)


@login_required
@require_POST
def return_(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = _milestone(request, pk, milestone_pk)
    _require(policy.can_sign_for_agency(request.user, contract.agency))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is missing; the organisation sees it."))
    else:
        _attempt(
            request,
            lambda: services.milestone_return(milestone=milestone, by=request.user, reason=form.cleaned_data["reason"]),
            success=_("The milestone was returned to the organisation."),
        )
    return _back(contract, milestone)


# --- Payments ----------------------------------------------------------------------


@login_required
@require_POST
def payment_record(request: AuthenticatedRequest, pk: int, milestone_pk: int) -> HttpResponse:
    contract, milestone = _milestone(request, pk, milestone_pk)
    _require(policy.can_handle_payments(request.user, contract.agency))
    form = PaymentRecordForm(request.POST, request.FILES)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        data = form.cleaned_data
        _attempt(
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
    return _back(contract, milestone)


def _payment(request: HttpRequest, pk: int, payment_pk: int) -> tuple[Contract, Payment]:
    contract = _contract(request, pk)
    payment = get_object_or_404(
        Payment.objects.select_related("milestone", "contract__agency"), contract=contract, pk=payment_pk
    )
    return contract, payment


@login_required
@require_POST
def payment_authorise(request: AuthenticatedRequest, pk: int, payment_pk: int) -> HttpResponse:
    contract, payment = _payment(request, pk, payment_pk)
    _require(policy.can_handle_payments(request.user, contract.agency))
    _attempt(
        request,
        lambda: services.payment_authorise(payment=payment, by=request.user),
        success=_("The payment was authorised."),
    )
    return _back(contract, payment.milestone)


@login_required
@require_POST
def payment_reject(request: AuthenticatedRequest, pk: int, payment_pk: int) -> HttpResponse:
    contract, payment = _payment(request, pk, payment_pk)
    _require(policy.can_handle_payments(request.user, contract.agency))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the record is rejected."))
    else:
        _attempt(
            request,
            lambda: services.payment_reject(payment=payment, by=request.user, reason=form.cleaned_data["reason"]),
            success=_("The payment record was rejected."),
        )
    return _back(contract, payment.milestone)


@login_required
def payment_proof(request: AuthenticatedRequest, pk: int, payment_pk: int) -> FileResponse:
    contract = _party(request, pk)
    payment = get_object_or_404(Payment, contract=contract, pk=payment_pk)
    if not payment.proof:
        raise Http404
    record(action="contract.payment_proof_open", actor=request.user, obj=contract, summary={"payment": payment.pk})
    return _download(payment.proof, filename=payment.proof_name or "proof", content_type=payment.proof_type)


# --- The journal -------------------------------------------------------------------


@login_required
def ledger_view(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    may_reverse = policy.can_handle_payments(request.user, contract.agency)
    entries = list(
        JournalEntry.objects.filter(contract=contract)
        .select_related("created_by", "reverses", "milestone")
        .prefetch_related(Prefetch("lines"))
        .order_by("created_at", "pk")
    )
    reversed_by = {e.reverses_id: e for e in entries if e.reverses_id}
    for entry in entries:
        entry.reversal = reversed_by.get(entry.pk)  # type: ignore[attr-defined]  # for the template
        entry.may_reverse = (  # type: ignore[attr-defined]  # for the template
            may_reverse and entry.reversal is None and entry.kind in {EntryKind.ACCEPTANCE, EntryKind.PAYMENT}  # type: ignore[attr-defined]
        )
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
def reverse(request: AuthenticatedRequest, pk: int, entry_pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    entry = get_object_or_404(JournalEntry, contract=contract, pk=entry_pk)
    _require(policy.can_handle_payments(request.user, contract.agency))
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A correction needs its reason."))
    else:
        _attempt(
            request,
            lambda: services.journal_reverse(entry=entry, by=request.user, reason=form.cleaned_data["reason"]),
            success=_("The entry was reversed."),
        )
    return redirect("contracts:ledger", contract.pk)


# --- Evaluation, final report, closing ---------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    _require(policy.can_sign_for_agency(request.user, contract.agency))
    version = services.current_version(contract)
    indicators = list(version.indicators.all()) if version else []
    evaluation = Evaluation.objects.filter(contract=contract).prefetch_related("scores__indicator").first()
    form = EvaluationForm(request.POST or None, indicators=indicators)
    if request.method == "POST" and evaluation is None:
        if form.is_valid():
            done = _attempt(
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
    ratings = services.beneficiary_ratings(contract)
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
            "may_evaluate": evaluation is None and contract.state == "completed",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report(request: AuthenticatedRequest, pk: int) -> HttpResponseBase:
    """GET: the final report (for the parties), or the upload form for the organisation
    while there is none. POST: the organisation uploads it."""
    contract = _party(request, pk)
    existing = FinalReport.objects.filter(contract=contract).first()
    may_upload = policy.can_work_on_contract(request.user, contract)
    if request.method == "GET" and existing is not None:
        record(action="contract.final_report_open", actor=request.user, obj=contract)
        return _download(existing.file, filename=existing.display_name, content_type=existing.content_type)
    if not may_upload:
        raise PermissionDenied if request.method == "POST" else Http404()
    form = ReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            services.final_report_upload(contract=contract, by=request.user, upload=upload, checked=upload.checked)
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except ContractError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The final report was uploaded."))
            return redirect("contracts:detail", contract.pk)
    return render(request, "contracts/work/report.html", {"contract": contract, "form": form, "existing": existing})


@login_required
@require_POST
def close(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _contract(request, pk)
    _require(policy.can_sign_for_agency(request.user, contract.agency))
    _attempt(
        request,
        lambda: services.contract_close(contract=contract, by=request.user),
        success=_("The contract is closed and the need fulfilled."),
    )
    return redirect("contracts:detail", contract.pk)


# --- The beneficiary's page (no login) ---------------------------------------------


def _private(response: HttpResponse) -> HttpResponse:
    # The token never leaves the site in a Referer ("same-origin"). Not "no-referrer":
    # browsers then send the answer's POST with "Origin: null", which Django's CSRF
    # check refuses (403), so nobody could answer.
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    # The path holds the token: keep it out of Django's request log.
    response._has_been_logged = True  # type: ignore[attr-defined]  # Django's own flag, not in the stubs
    return response


def _gone(request: HttpRequest) -> HttpResponse:
    """One page for a link that is unknown, expired, used or locked: it tells nothing."""
    return _private(render(request, "contracts/confirm/gone.html", status=410))


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and not ratelimit.spend(CONFIRM_LIMIT, request):
        return _private(render(request, "contracts/confirm/slow_down.html", status=429))
    confirmation = services.confirmation_for(token)
    if confirmation is None:
        return _gone(request)
    form = ConfirmAnswerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.confirmation_answer(
                token=token, code=data["code"], outcome=data["outcome"], rating=data["rating"], note=data["note"]
            )
        except ContractError as exc:
            if services.confirmation_for(token) is None:
                return _gone(request)
            form.add_error("code", str(exc))
        else:
            return _private(
                render(request, "contracts/confirm/thanks.html", {"disputed": data["outcome"] == "disputed"})
            )
    terms = services.terms_of(confirmation.milestone)
    return _private(
        render(
            request,
            "contracts/confirm/page.html",
            {
                "organisation": confirmation.milestone.contract.organisation.legal_name,
                "description": terms.description if terms else "",
                "form": form,
            },
            status=400 if form.errors else 200,
        )
    )
