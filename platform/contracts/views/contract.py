"""The contract page, its versions with their differences, and the contract document as
a printable page and a PDF.

``/contracts/<id>/`` shows the parties (and auditors) the whole contract and everyone
else, once it is signed, the register's summary of it.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import policy
from contracts import ledger, selectors
from contracts.actions import contract_actions
from contracts.forms import ReasonForm
from contracts.models import Contract, ContractState, VersionState
from contracts.views.access import contract_any, contract_for


def contract_detail(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_any(pk)
    summary = selectors.summary(contract)
    if not policy.can_view_contract(request.user, contract):
        if not contract.is_signed:
            raise Http404
        return render(
            request,
            "contracts/summary.html",
            {"contract": contract, "summary": summary, "county": selectors.county_of(contract)},
        )
    version = selectors.current_version(contract)
    pending = selectors.open_version(contract)
    shown = version or pending
    return render(
        request,
        "contracts/detail.html",
        {
            "contract": contract,
            "ContractState": ContractState,
            "version": version,
            "pending": pending,
            "shown": shown,
            "items": selectors.schedule(shown) if shown else [],
            "settlements": contract.milestones.filter(settlement=True),
            "indicators": shown.indicators.all() if shown else [],
            "summary": summary,
            "balances": ledger.contract_balances(contract),
            "events": contract.events.select_related("by", "milestone").order_by("-at", "-pk")[:40],
            "versions": contract.versions.exclude(state=VersionState.DISCARDED).order_by("number"),
            "actions": contract_actions(request.user, contract),
            "close_problems": selectors.close_problems(contract) if contract.state == ContractState.COMPLETED else [],
            "problems": selectors.send_problems(contract, pending)
            if pending is not None and pending.state == VersionState.DRAFT
            else [],
            "reason_form": ReasonForm(),
        },
    )


def contract_version(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    contract = contract_for(request, pk)
    version = get_object_or_404(contract.versions, number=number)
    previous = contract.versions.filter(number__lt=number).exclude(state=VersionState.DISCARDED).order_by("-number")
    previous = previous.first()
    return render(
        request,
        "contracts/version.html",
        {
            "contract": contract,
            "version": version,
            "previous": previous,
            "changes": selectors.version_changes(previous, version) if previous else [],
            "items": selectors.schedule(version),
            "indicators": version.indicators.all(),
        },
    )


def _document_context(contract: Contract) -> dict:
    version = selectors.current_version(contract) or selectors.open_version(contract)
    if version is None:
        raise Http404
    return {
        "contract": contract,
        "version": version,
        "items": selectors.schedule(version),
        "indicators": version.indicators.all(),
        "draft": version.state != VersionState.SIGNED,
        "generated": timezone.now(),
    }


def contract_document(request: HttpRequest, pk: int) -> HttpResponse:
    contract = contract_for(request, pk)
    return render(request, "contracts/document.html", _document_context(contract))


def contract_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The same document as a PDF (WeasyPrint, with a CJK font the machine has)."""
    contract = contract_for(request, pk)
    try:
        # Imported here: WeasyPrint needs Pango, which a machine may lack; every other
        # page works without it.
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
