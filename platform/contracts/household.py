"""One assistance chain per household: the person's needs in order, each with its contract
and the payments made under it. Contracts sits above needs, so the page is here."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path

from accounts.types import AuthenticatedRequest
from contracts.models import Contract, Payment, PaymentState
from needs.selectors import need_is_agency_side, needs_visible_to, open_duplicates


def _attach_payments(needs) -> None:
    """Each need's contract (``need.contract`` loaded, or ``need.signed_contract`` None)
    and the contract's authorised payments, oldest first, in one query."""
    contracts = {}
    for n in needs:
        try:
            n.signed_contract = n.contract
        except Contract.DoesNotExist:
            n.signed_contract = None
        if n.signed_contract is not None:
            n.signed_contract.authorised_payments = []
            contracts[n.signed_contract.pk] = n.signed_contract
    for payment in Payment.objects.filter(contract__in=list(contracts), state=PaymentState.AUTHORISED).order_by(
        "paid_on", "pk"
    ):
        contracts[payment.contract_id].authorised_payments.append(payment)


@login_required
def household_timeline(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Every need of this person that the viewer's agency may see, in order; other
    agencies' open needs by agency and state only. Agency staff only: anyone else a 404."""
    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    if not need_is_agency_side(request.user, need):
        raise Http404
    same_person = needs_visible_to(request.user).filter(beneficiary__id_hash=need.beneficiary.id_hash)
    needs = list(same_person.select_related("claimed_by", "contract").order_by("created_at"))
    _attach_payments(needs)
    elsewhere = [d for d in open_duplicates(need) if d[0] not in {n.agency.name for n in needs}]
    return render(
        request,
        "needs/household.html",
        {"need": need, "needs": needs, "elsewhere": elsewhere},
    )


# Joined to needs' own patterns under the needs: namespace (config/urls.py).
need_patterns = [path("<int:pk>/household/", household_timeline, name="household")]
