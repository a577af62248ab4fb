"""Proposal pages. Organisations write their own sealed proposal on the card of a need
open for proposals; the agency opens the need with its weights, and once the deadline
has passed reads, scores and awards on /needs/<id>/proposals/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import policy
from accounts.types import AuthenticatedRequest
from audit.services import record
from core.attempt import attempt
from needs import proposals
from needs.exceptions import NeedError, NotAllowed
from needs.forms import AwardForm, CriteriaForm, ProposalForm, ScoreForm
from needs.models import Criterion, NeedState, Proposal, ProposalState
from needs.selectors import (
    eligibility_obstacles,
    need_is_agency_side,
    needs_visible_to,
    proposal_ranking,
    proposals_unsealed,
)
from needs.view_support import agency_need
from needs.workflow import MIN_COMPETING_PROPOSALS, competitive
from organisations.models import Organisation


@login_required
@require_POST
def open_for_proposals(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = agency_need(request, pk)
    form = CriteriaForm(request.POST)
    if not form.is_valid():
        for error in form.non_field_errors() or [_("Give a whole number from 0 to 100 for every weight.")]:
            messages.error(request, str(error))
        return redirect("needs:detail", need.pk)
    try:
        need = proposals.proposals_open(need=need, by=request.user, weights=form.weights())
    except NeedError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The need is open for proposals until its deadline."))
    return redirect("needs:detail", need.pk)


# --- The organisation's side ------------------------------------------------------------


def _member_organisation(request: HttpRequest, need):
    """The organisation the member writes for: the one named in the request, else the
    first of theirs that already proposed or may propose."""

    mine = Organisation.objects.filter(pk__in=policy.organisation_ids(request.user)).order_by("legal_name")
    chosen = request.POST.get("organisation") or request.GET.get("organisation")
    if chosen:
        organisation = mine.filter(pk=chosen if str(chosen).isdigit() else 0).first()
        if organisation is None:
            raise Http404
        return organisation
    proposed = mine.filter(proposals__need=need).first()
    return proposed or next((o for o in mine if not eligibility_obstacles(o, need)), None) or mine.first()


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    if need_is_agency_side(request.user, need):
        raise Http404
    organisation = _member_organisation(request, need)
    if organisation is None:
        raise Http404
    proposal = Proposal.objects.filter(need=need, organisation=organisation).first()
    form = ProposalForm(request.POST or None, request.FILES or None, instance=proposal, need=need)
    if request.method == "POST" and form.is_valid():
        try:
            proposals.proposal_submit(
                need=need,
                organisation=organisation,
                by=request.user,
                data=form.proposal_data(),
                files=form.cleaned_data["attachments"],
            )
        except NotAllowed as exc:
            raise PermissionDenied from exc
        except NeedError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Your proposal was received. It stays sealed until the deadline."))
            return redirect("needs:detail", need.pk)
    return render(
        request,
        "needs/proposal_form.html",
        {
            "need": need,
            "form": form,
            "organisation": organisation,
            "proposal": proposal,
            "criteria": need.criteria.all(),
            "obstacles": eligibility_obstacles(organisation, need) if need.state == NeedState.PROPOSALS_OPEN else [],
        },
    )


@login_required
@require_POST
def proposal_withdraw(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    proposal = get_object_or_404(Proposal, need=need, pk=request.POST.get("proposal") or 0)
    if proposal.organisation_id not in policy.organisation_ids(request.user):
        raise Http404
    try:
        proposals.proposal_withdraw(proposal=proposal, by=request.user)
    except NeedError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your proposal was withdrawn. You may submit a new one before the deadline."))
    return redirect("needs:detail", need.pk)


def proposal_card_context(user, need) -> dict:
    """What an organisation member sees of the proposal path on a need's card."""
    if not need.criteria.exists():
        return {}
    mine = list(
        Proposal.objects.filter(need=need, organisation__in=policy.organisation_ids(user))
        .select_related("organisation")
        .prefetch_related("attachments")
    )
    award = getattr(need, "award", None) if need.state in {NeedState.AWARDED, NeedState.IN_CONTRACT} else None
    return {
        "criteria": need.criteria.all(),
        "my_proposals": mine,
        "proposals_open": need.state == NeedState.PROPOSALS_OPEN,
        "award": award,
    }


# --- The agency's side -----------------------------------------------------------------


@login_required
def proposal_list(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    need = agency_need(request, pk)
    if not need.criteria.exists():
        raise Http404
    unsealed = proposals_unsealed(need)
    ranking = proposal_ranking(need) if unsealed else []
    evaluating = need.state == NeedState.PROPOSALS_CLOSED and policy.can_approve_need(request.user, need.agency)
    score_forms = {}
    if evaluating:
        criteria = list(need.criteria.all())
        keys = {c.pk: c.key for c in criteria}
        for ranked in ranking:
            existing = {
                keys[s.criterion_id]: (s.score, s.note)
                for s in ranked.proposal.scores.all()
                if s.scorer_id == request.user.pk
            }
            score_forms[ranked.proposal.pk] = ScoreForm(
                criteria=criteria, existing=existing, prefix=f"p{ranked.proposal.pk}"
            )
    standing = [r for r in ranking if r.proposal.state == ProposalState.SUBMITTED]
    return render(
        request,
        "needs/proposals.html",
        {
            "need": need,
            "unsealed": unsealed,
            "received": need.proposals.filter(state=ProposalState.SUBMITTED).count(),
            "criteria": need.criteria.all(),
            "ranking": [
                (r, score_forms.get(r.proposal.pk), AwardForm(auto_id=f"id_award{r.proposal.pk}_%s")) for r in ranking
            ],
            "evaluating": evaluating,
            "may_award": evaluating and need.prepared_by_id != request.user.pk,
            "few_proposals": competitive(need) and len(standing) < MIN_COMPETING_PROPOSALS,
            "award": getattr(need, "award", None),
            "price_key": Criterion.PRICE,
        },
    )


def _closed_proposal(request: HttpRequest, pk: int, proposal_pk) -> Proposal:
    need = agency_need(request, pk)
    proposal = get_object_or_404(Proposal.objects.select_related("need__agency"), need=need, pk=proposal_pk or 0)
    if not proposals_unsealed(need):
        raise Http404
    return proposal


@login_required
@require_POST
def proposal_score(request: AuthenticatedRequest, pk: int, proposal_pk: int) -> HttpResponse:
    proposal = _closed_proposal(request, pk, proposal_pk)
    form = ScoreForm(request.POST, criteria=list(proposal.need.criteria.all()), prefix=f"p{proposal.pk}")
    if not form.is_valid():
        messages.error(request, _("Give every criterion a score from 1 to 5."))
        return redirect("needs:proposals", pk)
    attempt(
        request,
        lambda: proposals.proposal_score(proposal=proposal, by=request.user, scores=form.scores()),
        success=_("Your scores were saved."),
    )
    return redirect("needs:proposals", pk)


@login_required
@require_POST
def proposal_award(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    form = AwardForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the reasons for the award; they are kept with the need."))
        return redirect("needs:proposals", pk)
    proposal = _closed_proposal(request, pk, form.cleaned_data["proposal"])
    attempt(
        request,
        lambda: proposals.proposal_award(
            proposal=proposal,
            by=request.user,
            reason=form.cleaned_data["reason"],
            few_proposals_reason=form.cleaned_data["few_proposals_reason"],
        ),
        success=_("The need was awarded to %(organisation)s. Every organisation that proposed has been told.")
        % {"organisation": proposal.organisation.legal_name},
    )
    return redirect("needs:proposals", pk)


@login_required
def proposal_attachment(request: AuthenticatedRequest, pk: int, proposal_pk: int, file_pk: int) -> FileResponse:
    """The proposing organisation's members at any time; the agency once proposals closed."""
    need = get_object_or_404(needs_visible_to(request.user), pk=pk)
    proposal = get_object_or_404(Proposal, need=need, pk=proposal_pk)
    own = proposal.organisation_id in policy.organisation_ids(request.user)
    if not own and not (need_is_agency_side(request.user, need) and proposals_unsealed(need)):
        raise Http404
    attachment = get_object_or_404(proposal.attachments, pk=file_pk)
    record(action="proposal.attachment_open", actor=request.user, obj=need, summary={"attachment": attachment.pk})
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=True,
        filename=attachment.display_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
