"""How every contract page finds its objects and whom it lets in.

A contract's parties (the buying agency's staff and the organisation's members),
auditors and superusers read it whole; anyone else gets a 404 and learns nothing (the
register's summary of a signed contract is public). What a person may *do* is the
workflow table's to say: ``require`` refuses (403) anyone who is not the step's actor
before their form is read, and the services refuse everything else.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404

from accounts import policy
from accounts.models import Role
from contracts.actions import may_take
from contracts.models import Contract, Milestone
from contracts.workflow import Step


def contract_any(pk: int) -> Contract:
    """The contract, whoever asks (its page shows others only the register's summary)."""
    return get_object_or_404(
        Contract.objects.select_related("agency", "organisation", "need__category", "need__region", "prepared_by"),
        pk=pk,
    )


def contract_for(request: HttpRequest, pk: int) -> Contract:
    """The contract, for those who see it whole; anyone else: 404 (learns nothing)."""
    contract = contract_any(pk)
    if not policy.can_view_contract(request.user, contract):
        raise Http404
    return contract


def contract_files(request: HttpRequest, pk: int) -> Contract:
    """Files: for the parties and for auditors, who check payments against their proof
    (each download is in the audit log)."""
    contract = contract_for(request, pk)
    if not (policy.is_contract_party(request.user, contract) or policy.has_role(request.user, Role.AUDITOR)):
        raise Http404
    return contract


def milestone_for(request: HttpRequest, pk: int, milestone_pk: int) -> tuple[Contract, Milestone]:
    """The contract and one of its milestones (which knows its contract)."""
    contract = contract_for(request, pk)
    milestone = get_object_or_404(contract.milestones.all(), pk=milestone_pk)
    return contract, milestone


def require(request: HttpRequest, step: Step, contract: Contract) -> None:
    """403 unless the person is who the table says takes ``step``."""
    if not may_take(request.user, step, contract=contract):
        raise PermissionDenied


def download(uploaded, *, filename: str, content_type: str) -> FileResponse:
    response = FileResponse(uploaded.open("rb"), as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
