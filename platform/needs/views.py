"""Need pages. The agency sees its needs with the identity masked (a reveal needs a
reason and is audited); organisations that may act see the anonymised card of
published needs in scope; everyone else gets 403 or 404."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.types import AuthenticatedRequest
from agencies.selectors import agencies_visible_to
from core.attempt import attempt
from core.crypto import DecryptionError, decrypt, encrypt, mask
from needs import services
from needs.exceptions import DuplicatesNeedReason, GapGateNotPassed, NeedError, NotAllowed
from needs.forms import (
    ActionForm,
    BeneficiaryForm,
    ConsentForm,
    CriteriaForm,
    HouseholdFormSet,
    InviteForm,
    NeedFilterForm,
    NeedForm,
    RelativeForm,
    RevealForm,
    SchemeCheckForm,
)
from needs.models import NeedState, ProposalState
from needs.proposal_views import proposal_card_context
from needs.selectors import (
    claim_obstacles,
    consent_valid,
    duplicates_for,
    need_actions,
    need_is_agency_side,
    needs_filtered,
    needs_visible_to,
    proposals_unsealed,
    scheme_checks_in_order,
)
from needs.view_support import agency_need
from needs.workflow import EDITABLE_STATES, claimable
from organisations.models import Organisation

DEDUP_STATES = {NeedState.DRAFT, NeedState.RETURNED, NeedState.SUBMITTED}


def _error_field(exc: NeedError, form) -> str:
    """The form field a refusal is about (the identity guard names it), else the summary."""
    field = getattr(exc, "field", "")
    return field if field in form.fields else "summary"


@login_required
def need_list(request: AuthenticatedRequest) -> HttpResponse:
    """Agency staff's and auditors' list (organisation members search instead: the
    dispatcher is ``website.views.need_list``)."""
    user = request.user
    if not (policy.is_agency_staff(user) or policy.can_read_audit_log(user)):
        raise PermissionDenied
    form = NeedFilterForm(request.GET)
    filters = form.filters()
    needs = needs_filtered(needs_visible_to(user), **filters)
    page = Paginator(needs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "needs/list.html",
        {
            "page": page,
            "form": form,
            "filtered": bool(filters),
            "state": filters.get("state", ""),
            "can_record": bool(_recording_agencies(user)),
        },
    )


def _recording_agencies(user):
    if not policy.is_agency_staff(user):
        return []
    return [a for a in agencies_visible_to(user) if policy.can_record_need(user, a)]


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request: AuthenticatedRequest) -> HttpResponse:
    agencies = _recording_agencies(request.user)
    if not agencies:
        raise PermissionDenied
    agency = agencies[0]
    if request.method == "POST" and request.POST.get("agency"):
        agency = next((a for a in agencies if str(a.pk) == request.POST["agency"]), None)
        if agency is None:
            raise Http404
    need_form = NeedForm(request.POST or None, prefix="need")
    person_form = BeneficiaryForm(request.POST or None, prefix="person")
    household = HouseholdFormSet(request.POST or None, prefix="household")
    if request.method == "POST" and need_form.is_valid() and person_form.is_valid() and household.is_valid():
        members = [f.cleaned_data for f in household if f.cleaned_data.get("relation")]
        try:
            need = services.need_create(
                agency=agency,
                by=request.user,
                data=need_form.card_data(),
                beneficiary=cast(services.BeneficiaryData, person_form.cleaned_data),
                household=cast(list[services.HouseholdMemberData], members),
            )
        except NeedError as exc:
            need_form.add_error(_error_field(exc, need_form), str(exc))
        else:
            messages.success(request, _("The need was recorded as a draft. Now complete the statutory-aid check."))
            return redirect("needs:detail", need.pk)
    return render(
        request,
        "needs/form.html",
        {
            "need_form": need_form,
            "person_form": person_form,
            "household": household,
            "agencies": agencies,
            "agency": agency,
        },
    )


@login_required
def need_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    if not need_is_agency_side(request.user, need):
        return render(
            request,
            "needs/card.html",
            {"need": need, **_claim_context(request.user, need), **proposal_card_context(request.user, need)},
        )
    person = need.beneficiary
    user = request.user
    offered = need_actions(user, need)
    actions = [(t.action, t.label, t.needs_reason, t.destructive) for t in offered if t.action not in SEPARATE_FORMS]
    opening = any(t.action == "open_proposals" for t in offered)
    return render(
        request,
        "needs/detail.html",
        {
            "need": need,
            "masked": {
                "id_number": mask(person.id_number),
                "phone": mask(person.phone),
                "address": mask(person.address, keep_start=6, keep_end=0),
            },
            "household": person.household.all(),
            "scheme_form": SchemeCheckForm(need=need)
            if need.state in EDITABLE_STATES and policy.can_record_need(user, need.agency)
            else None,
            "scheme_checks": scheme_checks_in_order(need),
            "can_edit": need.state in EDITABLE_STATES and policy.can_record_need(user, need.agency),
            "problems": services.gap_gate_problems(need) if need.state in EDITABLE_STATES else [],
            # Until a submission was tried, what the gate still wants is a checklist, not errors.
            "submit_tried": request.GET.get("check") == "submit",
            "actions": actions,
            "events": need.events.select_related("by")[:30],
            "reveal_form": RevealForm() if policy.can_reveal_identity(user, need.agency) else None,
            "duplicates": duplicates_for(user, need) if need.state in DEDUP_STATES else [],
            "consents": person.consents.all(),
            "consent_valid": consent_valid(person),
            "consent_form": ConsentForm() if policy.can_record_need(user, need.agency) else None,
            "revealed": _take_revealed(request, person.pk),
            "criteria_form": CriteriaForm() if opening else None,
            "criteria": need.criteria.all(),
            "proposals_received": need.proposals.filter(state=ProposalState.SUBMITTED).count(),
            "proposals_unsealed": proposals_unsealed(need),
            "invitations": need.invitations.select_related("organisation"),
            "invite_form": InviteForm(need=need)
            if need.state in services.INVITABLE_STATES and policy.can_record_need(user, need.agency)
            else None,
            **_contract_context(user, need),
        },
    )


def _contract_context(user, need) -> dict:
    contract = getattr(need, "contract", None)  # contracts' one-to-one, when drafted
    return {
        "contract": contract,
        "may_draft_contract": contract is None
        and need.state in {NeedState.AWARDED, NeedState.CLAIMED}
        and policy.can_draft_contract(user, need.agency),
    }


# Steps taken elsewhere: a claim from the card, opening for proposals with its weights,
# the award from the proposals page, the contract's steps from the contract.
SEPARATE_FORMS = {"claim", "open_proposals", "award", "contract", "fulfil", "close"}


def _take_revealed(request: HttpRequest, beneficiary_pk: int) -> dict | None:
    revealed = request.session.pop(f"revealed-{beneficiary_pk}", None)
    if not revealed:
        return None
    try:
        return {"field": revealed["field"], "value": decrypt(revealed["value"])}
    except DecryptionError:
        return None


@login_required
@require_POST
def need_schemes(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = agency_need(request, pk)
    form = SchemeCheckForm(request.POST, need=need)
    if not form.is_valid():
        messages.error(request, _("Answer every scheme and choose the gap reason."))
        return redirect("needs:detail", need.pk)
    attempt(
        request,
        lambda: services.scheme_checks_record(
            need=need,
            by=request.user,
            answers=form.answers(),
            gap_reason=form.cleaned_data["gap_reason"],
            gap_note=form.cleaned_data["gap_note"],
        ),
        success=_("The statutory-aid check was saved."),
    )
    return redirect("needs:detail", need.pk)


@login_required
@require_POST
def need_act(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = agency_need(request, pk)
    form = ActionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        need = services.need_transition(
            need=need, action=form.cleaned_data["action"], by=request.user, reason=form.cleaned_data["reason"]
        )
    except NotAllowed as exc:
        messages.error(request, str(exc))
    except GapGateNotPassed as exc:
        # One message; the statutory-aid section lists what is missing, now as errors.
        messages.error(request, str(exc))
        return redirect(reverse("needs:detail", args=[need.pk]) + "?check=submit#gap-h")
    except DuplicatesNeedReason as exc:
        messages.error(request, str(exc))
    except NeedError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Done: the need is now %(state)s.") % {"state": need.get_state_display()})
    return redirect("needs:detail", need.pk)


@login_required
@require_POST
def need_reveal(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = agency_need(request, pk)
    form = RevealForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why you need to see it."))
        return redirect("needs:detail", need.pk)
    try:
        value = services.identity_reveal(
            beneficiary=need.beneficiary,
            by=request.user,
            field=form.cleaned_data["field"],
            reason=form.cleaned_data["reason"],
        )
    except NotAllowed as exc:
        raise PermissionDenied from exc
    except NeedError as exc:
        messages.error(request, str(exc))
        return redirect("needs:detail", need.pk)
    # Shown once, on the next page view only; never stored beyond this session hop.
    # Encrypted: a reveal whose page is never loaded must not leave the value readable
    # in the session store (a database dump of django_session).
    request.session[f"revealed-{need.beneficiary_id}"] = {"field": form.cleaned_data["field"], "value": encrypt(value)}
    return redirect("needs:detail", need.pk)


@login_required
@require_POST
def need_consent(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = agency_need(request, pk)
    form = ConsentForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("needs:detail", need.pk)
    attempt(
        request,
        lambda: services.consent_record(
            beneficiary=need.beneficiary,
            by=request.user,
            given_by=form.cleaned_data["given_by"],
            by_guardian=form.cleaned_data["by_guardian"],
            method=form.cleaned_data["method"],
            valid_until=form.cleaned_data["valid_until"],
            form_file=form.cleaned_data["form_file"] or None,
        ),
        success=_("The consent was recorded."),
    )
    return redirect("needs:detail", need.pk)


@login_required
@require_http_methods(["GET", "POST"])
def relatives(request: AuthenticatedRequest) -> HttpResponse:
    """Agency staff declare their relatives; needs for them are then blocked for them."""
    if not policy.is_agency_staff(request.user):
        raise PermissionDenied
    form = RelativeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.relative_declare(
            user=request.user,
            name=form.cleaned_data["name"],
            id_number=form.cleaned_data["id_number"],
            relation=form.cleaned_data["relation"],
        )
        messages.success(request, _("The declaration was saved."))
        return redirect("needs:relatives")
    return render(request, "needs/relatives.html", {"form": form, "declarations": request.user.relatives.all()})


def _claim_context(user, need) -> dict:
    """For an organisation member: which of their organisations may take the need on."""

    if need.state != NeedState.PUBLISHED:
        return {"claimed_by_us": need.claimed_by_id in policy.organisation_ids(user)}
    options: list[tuple[Organisation, list[str]]] = []
    obstacles: list[tuple[Organisation, list[str]]] = []
    for organisation in Organisation.objects.filter(pk__in=policy.organisation_ids(user)):
        problems = claim_obstacles(organisation, need)
        (obstacles if problems else options).append((organisation, problems))
    return {"claim_options": [o for o, _p in options], "claim_obstacles": obstacles, "claimable": claimable(need)}


@login_required
@require_POST
def need_claim(request: AuthenticatedRequest, pk: int) -> HttpResponse:

    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    organisation = Organisation.objects.filter(
        pk=request.POST.get("organisation") or 0, pk__in=policy.organisation_ids(request.user)
    ).first()
    if organisation is None:
        raise Http404
    try:
        services.need_transition(need=need, action="claim", by=request.user, organisation=organisation)
    except NeedError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(organisation)s has taken on this need. The agency has been told.")
            % {"organisation": organisation.legal_name},
        )
    return redirect("needs:detail", need.pk)


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """Change a draft or returned need's card (the identity is not edited here)."""
    need = agency_need(request, pk)
    if not policy.can_record_need(request.user, need.agency) or need.state not in EDITABLE_STATES:
        raise PermissionDenied
    form = NeedForm(request.POST or None, instance=need, prefix="need")
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(need=need, by=request.user, data=form.card_data())
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except NeedError as exc:
            form.add_error(_error_field(exc, form), str(exc))
        else:
            messages.success(request, _("The need was saved."))
            return redirect("needs:detail", need.pk)
    return render(request, "needs/edit.html", {"form": form, "need": need})


@login_required
@require_POST
def need_invite(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = agency_need(request, pk)
    form = InviteForm(request.POST, need=need)
    if not form.is_valid():
        messages.error(request, _("Choose a vetted organisation that serves this category."))
        return redirect("needs:detail", need.pk)
    organisation = form.cleaned_data["organisation"]
    attempt(
        request,
        lambda: services.need_invite(need=need, organisation=organisation, by=request.user),
        success=_("%(organisation)s is invited.") % {"organisation": organisation.legal_name},
    )
    return redirect("needs:detail", need.pk)
