"""The contract itself: the register and the parties' list, drafting, signing (after
re-authentication), amendments with their differences, termination, and the contract
document as a printable page and a PDF.

``/contracts/<id>/`` shows the parties (and auditors) the whole contract and everyone
else, once it is signed, the register's summary of it.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.types import AuthenticatedRequest
from agencies.models import Agency
from categories.models import Category
from contracts import ledger, selectors, services
from contracts.exceptions import ContractError, NotAllowed
from contracts.forms import IndicatorFormSet, MilestoneFormSet, ReasonForm, TerminateForm, TermsForm
from contracts.models import Contract, ContractState, MilestoneState, VersionState
from contracts.register_query import AMOUNT_BANDS, REGISTER_SORTS, REGISTER_STATES, RegisterQuery
from needs.models import Need, NeedState
from organisations.models import Organisation

# --- Lists and the contract page ----------------------------------------------------


REGISTER_PAGE_SIZE = 25


def contract_list(request: HttpRequest) -> HttpResponse:
    """The parties' own contracts (drafts included), and the public register of every
    signed contract: filtered, searched, sorted and paged by the query string alone."""
    mine = selectors.contracts_of_parties(request.user) if request.user.is_authenticated else None
    query = RegisterQuery.from_query(request.GET)
    # Pages of ids first (the sort's index answers them, however deep the page), then the
    # page's 25 contracts with what the table shows.
    paginator = Paginator(selectors.register_search(query).values_list("pk", flat=True), REGISTER_PAGE_SIZE)
    asked = request.GET.get("page", "1")
    number = max(int(asked), 1) if asked.isdigit() and len(asked) < 9 else 1
    past_end = False
    try:
        page = paginator.page(number)
    except EmptyPage:
        # Past the end is an empty page that says so, not the last page or an error.
        page, past_end = None, number > 1
    ids = list(page.object_list) if page else []
    found = selectors.register().in_bulk(ids)
    rows = [found[pk] for pk in ids if pk in found]
    for contract in rows:
        contract.county = selectors.county_name(contract.need.region)  # type: ignore[attr-defined]  # for the template
    organisation = (
        Organisation.objects.filter(pk=query.organisation).only("legal_name").first() if query.organisation else None
    )
    return render(
        request,
        "contracts/list.html",
        {
            "mine": selectors.with_proposed_price(mine).order_by("-created_at")[:50] if mine is not None else None,
            "page": page,
            "rows": rows,
            "count": paginator.count,
            "past_end": past_end,
            "query": query,
            "organisation_filter": organisation,
            "agencies": Agency.objects.filter(is_active=True).order_by("path"),
            "categories": Category.objects.filter(is_active=True),
            "statuses": [(s.value, s.label) for s in REGISTER_STATES],
            "years": selectors.register_years(),
            "bands": [(key, label) for key, (label, *_bounds) in AMOUNT_BANDS.items()],
            "sorts": [(key, label) for key, (label, _order) in REGISTER_SORTS.items()],
        },
    )


def _contract(pk: int) -> Contract:
    return get_object_or_404(
        Contract.objects.select_related("agency", "organisation", "need__category", "need__region", "prepared_by"),
        pk=pk,
    )


def _party_contract(request: HttpRequest, pk: int) -> Contract:
    """The contract, for those who see it whole; anyone else: 404 (learns nothing)."""
    contract = _contract(pk)
    if not policy.can_view_contract(request.user, contract):
        raise Http404
    return contract


def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _contract(pk)
    summary = selectors.summary(contract)
    if not policy.can_view_contract(request.user, contract):
        if not contract.is_signed:
            raise Http404
        return render(
            request,
            "contracts/summary.html",
            {"contract": contract, "summary": summary, "county": selectors.county_of(contract)},
        )
    user = request.user
    version = services.current_version(contract)
    pending = services.open_version(contract)
    shown = version or pending
    items = services.schedule(shown) if shown else []
    today = timezone.localdate()
    rows = [
        {
            "terms": t,
            "milestone": t.milestone,
            "overdue_payment": t.milestone.state == MilestoneState.ACCEPTED
            and t.milestone.outstanding > 0
            and t.milestone.payment_due
            and t.milestone.payment_due < today,
        }
        for t in items
    ]
    settlements = contract.milestones.filter(settlement=True)
    may_draft = policy.can_draft_contract(user, contract.agency)
    may_sign_agency = policy.can_sign_for_agency(user, contract.agency)
    may_sign_org = policy.can_sign_for_organisation(user, contract.organisation)
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "version": version,
            "pending": pending,
            "shown": shown,
            "rows": rows,
            "settlements": settlements,
            "indicators": shown.indicators.all() if shown else [],
            "summary": summary,
            "balances": ledger.contract_balances(contract),
            "events": contract.events.select_related("by", "milestone").order_by("-at", "-pk")[:40],
            "versions": contract.versions.exclude(state=VersionState.DISCARDED).order_by("number"),
            "may_edit": may_draft and pending is not None and pending.state == VersionState.DRAFT,
            "may_send": may_draft and pending is not None and pending.state == VersionState.DRAFT,
            "may_recall": pending is not None
            and pending.state == VersionState.SIGNING
            and (may_draft or may_sign_agency or may_sign_org),
            "may_sign_agency": may_sign_agency
            and pending is not None
            and pending.state == VersionState.SIGNING
            and not pending.agency_signed_at,
            "may_sign_org": may_sign_org
            and pending is not None
            and pending.state == VersionState.SIGNING
            and not pending.organisation_signed_at,
            "may_amend": may_draft and contract.state == ContractState.ACTIVE and pending is None,
            "may_discard": may_draft and pending is not None and pending.number > 1 and pending.state == "draft",
            "may_terminate": may_sign_agency and contract.state == ContractState.ACTIVE,
            "may_evaluate": may_sign_agency and contract.state == ContractState.COMPLETED,
            "may_close": may_sign_agency and contract.state == ContractState.COMPLETED,
            "close_problems": services.close_problems(contract) if contract.state == ContractState.COMPLETED else [],
            "may_report": policy.can_work_on_contract(user, contract) and contract.state == ContractState.COMPLETED,
            "problems": services.send_problems(contract, pending)
            if pending is not None and pending.state == VersionState.DRAFT
            else [],
            "reason_form": ReasonForm(),
        },
    )


# --- Drafting -----------------------------------------------------------------------


def _draft_need(request: HttpRequest, need_pk: int) -> Need:
    need = get_object_or_404(Need.objects.select_related("agency", "claimed_by", "category"), pk=need_pk)
    if not policy.can_draft_contract(request.user, need.agency):
        raise Http404
    return need


def _initial(need: Need) -> tuple[dict, list[dict], list[dict]]:
    """A starting draft: the need's card, the chosen price, one milestone at the end."""
    today = timezone.localdate()
    end = today + timedelta(days=max(need.duration_days, 1) - 1)
    price = services.price_ceiling(need)
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


def _schedule_initial(version) -> tuple[list[dict], list[dict]]:
    milestones = services.schedule_data(version)
    indicators = [{"name": i.name, "target": i.target} for i in version.indicators.all()]
    return milestones, indicators


def _refused(request: HttpRequest, exc: ContractError) -> None:
    if isinstance(exc, NotAllowed):
        raise PermissionDenied from exc
    messages.error(request, str(exc))
    for problem in getattr(exc, "problems", []):
        messages.error(request, problem)


@login_required
@require_http_methods(["GET", "POST"])
def contract_new(request: AuthenticatedRequest, need_pk: int) -> HttpResponse:
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
        try:
            contract = services.contract_draft(
                need=need,
                by=request.user,
                data=form.terms(),
                milestones=schedule.rows(),
                indicators=indicator_set.rows(),
            )
        except ContractError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The contract is drafted. Check it, then send it for signature."))
            return redirect("contracts:detail", contract.pk)
    return render(
        request,
        "contracts/form.html",
        {"need": need, "form": form, "schedule": schedule, "indicator_set": indicator_set, "ceiling": terms["price"]},
    )


@login_required
@require_http_methods(["GET", "POST"])
def contract_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _party_contract(request, pk)
    if not policy.can_draft_contract(request.user, contract.agency):
        raise PermissionDenied
    version = services.open_version(contract)
    if version is None or version.state != VersionState.DRAFT:
        messages.error(request, _("Only a draft can be edited; a signed contract changes by amendment."))
        return redirect("contracts:detail", contract.pk)
    amendment = version.number > 1
    milestones, indicators = _schedule_initial(version)
    form = TermsForm(request.POST or None, instance=version, amendment=amendment)
    schedule = MilestoneFormSet(request.POST or None, prefix="m", initial=milestones)
    indicator_set = IndicatorFormSet(request.POST or None, prefix="i", initial=indicators)
    if request.method == "POST" and form.is_valid() and schedule.is_valid() and indicator_set.is_valid():
        data = form.terms()
        if amendment:
            data["reason"] = form.cleaned_data["reason"]
        try:
            services.contract_update_draft(
                contract=contract,
                by=request.user,
                data=data,
                milestones=schedule.rows(),
                indicators=indicator_set.rows(),
            )
        except ContractError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The draft is saved."))
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
            "ceiling": services.price_ceiling(contract.need) if not amendment else None,
        },
    )


# --- Signing ------------------------------------------------------------------------


def _step(request: HttpRequest, call, *, success: str, pk: int) -> HttpResponse:
    try:
        call()
    except ContractError as exc:
        _refused(request, exc)
    else:
        messages.success(request, success)
    return redirect("contracts:detail", pk)


@login_required
@require_POST
def contract_send(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _party_contract(request, pk)
    return _step(
        request,
        lambda: services.contract_send(contract=contract, by=request.user),
        success=_("Sent to both parties for signature. The terms can no longer change."),
        pk=pk,
    )


@login_required
@require_POST
def contract_recall(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _party_contract(request, pk)
    return _step(
        request,
        lambda: services.contract_recall(contract=contract, by=request.user, reason=request.POST.get("reason", "")),
        success=_("The contract is back in draft; the signatures given are cleared."),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def contract_sign(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Sign after re-authentication: a page that says exactly what is being signed."""
    contract = _party_contract(request, pk)
    version = services.open_version(contract)
    sides = []
    if policy.can_sign_for_agency(request.user, contract.agency):
        sides.append(("agency", contract.agency.name))
    if policy.can_sign_for_organisation(request.user, contract.organisation):
        sides.append(("organisation", contract.organisation.legal_name))
    if not sides:
        raise PermissionDenied
    if request.method == "POST":
        side = request.POST.get("side", "")
        if side not in dict(sides):
            raise PermissionDenied
        return _step(
            request,
            lambda: services.contract_sign(contract=contract, by=request.user, side=side),
            success=_("Signed."),
            pk=pk,
        )
    if version is None or version.state != VersionState.SIGNING:
        messages.error(request, _("Nothing is awaiting signature."))
        return redirect("contracts:detail", pk)
    return render(
        request,
        "contracts/sign.html",
        {"contract": contract, "version": version, "sides": sides, "items": services.schedule(version)},
    )


@login_required
@require_POST
def contract_amend(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _party_contract(request, pk)
    try:
        services.contract_amend(contract=contract, by=request.user, reason=request.POST.get("reason", ""))
    except ContractError as exc:
        _refused(request, exc)
        return redirect("contracts:detail", pk)
    messages.success(request, _("An amendment is started: change the terms, then send it for both signatures."))
    return redirect("contracts:edit", pk)


@login_required
@require_POST
def contract_discard(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _party_contract(request, pk)
    return _step(
        request,
        lambda: services.contract_discard_amendment(contract=contract, by=request.user),
        success=_("The draft amendment is discarded; the signed terms stand."),
        pk=pk,
    )


@login_required
@require_http_methods(["GET", "POST"])
@reauthentication_required
def contract_terminate(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    contract = _party_contract(request, pk)
    if not policy.can_sign_for_agency(request.user, contract.agency):
        raise PermissionDenied
    form = TerminateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.contract_terminate(
                contract=contract,
                by=request.user,
                reason=form.cleaned_data["reason"],
                settlement=form.cleaned_data["settlement"] or Decimal(0),
                settlement_description=form.cleaned_data["settlement_description"],
            )
        except ContractError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The contract is terminated."))
            return redirect("contracts:detail", pk)
    accepted = sum((m.accepted_amount for m in contract.milestones.all()), 0)
    return render(
        request,
        "contracts/terminate.html",
        {"contract": contract, "form": form, "left": contract.price - accepted},
    )


# --- Versions and the document --------------------------------------------------------


def contract_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract = _party_contract(request, pk)
    version = get_object_or_404(contract.versions, number=number)
    previous = (
        contract.versions.filter(number__lt=number).exclude(state=VersionState.DISCARDED).order_by("-number").first()
    )
    return render(
        request,
        "contracts/version.html",
        {
            "contract": contract,
            "version": version,
            "previous": previous,
            "changes": selectors.version_changes(previous, version) if previous else [],
            "items": services.schedule(version),
            "indicators": version.indicators.all(),
        },
    )


def _document_context(contract: Contract) -> dict:
    version = services.current_version(contract) or services.open_version(contract)
    if version is None:
        raise Http404
    return {
        "contract": contract,
        "version": version,
        "items": services.schedule(version),
        "indicators": version.indicators.all(),
        "draft": version.state != VersionState.SIGNED,
        "generated": timezone.now(),
    }


def contract_document(request: HttpRequest, pk: int) -> HttpResponse:
    contract = _party_contract(request, pk)
    return render(request, "contracts/document.html", _document_context(contract))


def contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same document as a PDF (WeasyPrint, with a CJK font the machine has)."""
    contract = _party_contract(request, pk)
    try:
        from PIL import ImageFile
        from weasyprint import HTML

        # WeasyPrint's import turns on Pillow's process-wide leniency for truncated images;
        # our PDFs hold no images, and the upload checks need it off.
        ImageFile.LOAD_TRUNCATED_IMAGES = False
    except OSError:  # Pango is not installed on this machine
        messages.error(request, _("PDFs cannot be made on this server; print the contract page instead."))
        return redirect("contracts:document", contract.pk)
    html = render_to_string("contracts/document.html", {**_document_context(contract), "pdf": True}, request=request)
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    language = translation.get_language() or "zh-hans"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{contract.number}-{language}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response
