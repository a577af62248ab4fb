"""Writes for the proposal path: opening a need for proposals with its weighted
criteria, organisations' sealed proposals, evaluators' scores and the award.

A proposal is sealed until the deadline: only its own organisation reads it before the
need's proposals close (needs.selectors.proposals_unsealed), and organisations never
read each other's.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from audit.services import record
from core.identity_guard import identity_in
from needs.exceptions import (
    ConflictOfInterest,
    IdentityLeak,
    InvalidTransition,
    NotAllowed,
    NotEligible,
    ProposalRefused,
    ReasonRequired,
)
from needs.models import (
    MAX_PRICE_WEIGHT,
    Award,
    Criterion,
    Need,
    NeedState,
    Proposal,
    ProposalAttachment,
    ProposalCriterion,
    ProposalScore,
    ProposalState,
)
from needs.selectors import eligibility_obstacles, identity_known_for_need, proposal_ranking
from needs.services import need_transition, notify_organisation, proposal_transition
from needs.workflow import MIN_COMPETING_PROPOSALS, PROPOSAL_TRANSITIONS, competitive
from notifications.services import url_for

# The price criterion weighs between these (the rule for buying services: 10–30 %).
MIN_PRICE_WEIGHT = 10
MAX_ATTACHMENTS = 5
PROPOSAL_FIELDS = ("plan", "price", "duration_days", "timeline", "team")
PROPOSAL_TEXTS = ("plan", "timeline", "team")


def _refuse_identity(need: Need, texts: dict[str, str]) -> None:
    """The identity guard on a proposal's or an award's texts: the agency, the evaluators
    and, after the award, the register read them."""
    leak = identity_in(texts, known=identity_known_for_need(need))
    if leak:
        raise IdentityLeak(leak.message, field=leak.field)


def weight_problems(weights: dict[str, int]) -> list[str]:
    """Why these criterion weights cannot be used (empty: they can)."""
    problems = []
    if set(weights) != set(Criterion.values):
        problems.append(_("Give a weight for every criterion."))
        return problems
    if any(not isinstance(w, int) or w < 0 or w > 100 for w in weights.values()):
        problems.append(_("Each weight is a whole number from 0 to 100."))
    elif sum(weights.values()) != 100:
        problems.append(_("The weights add up to %(sum)d; they must add up to 100.") % {"sum": sum(weights.values())})
    price = weights[Criterion.PRICE]
    if isinstance(price, int) and not MIN_PRICE_WEIGHT <= price <= MAX_PRICE_WEIGHT:
        problems.append(
            _("Price weighs between %(low)d and %(high)d: proposals are never chosen on price alone.")
            % {"low": MIN_PRICE_WEIGHT, "high": MAX_PRICE_WEIGHT}
        )
    return problems


def proposals_open(*, need: Need, by: User, weights: dict[str, int]) -> Need:
    """Publish a need for proposals with the weights it will be scored on."""
    problems = weight_problems(weights)
    if problems:
        raise InvalidTransition(" ".join(problems))
    with transaction.atomic():
        need = need_transition(need=need, action="open_proposals", by=by)
        ProposalCriterion.objects.bulk_create(
            [ProposalCriterion(need=need, key=key, weight=weight) for key, weight in weights.items()]
        )
        record(action="need.criteria", actor=by, obj=need, summary={"weights": weights})
    return need


def _open_need_for(need: Need, organisation, by: User) -> Need:
    """Lock the need and check that this member's organisation may propose now."""
    if organisation is None or organisation.pk not in policy.organisation_ids(by):
        raise NotAllowed(_("Only a member of the organisation can propose for it."))
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.state != NeedState.PROPOSALS_OPEN:
        raise ProposalRefused(_("This need does not take proposals now."))
    if timezone.now() >= need.response_deadline:
        raise ProposalRefused(_("The deadline for proposals has passed: late proposals are not accepted."))
    return need


def proposal_submit(*, need: Need, organisation, by: User, data: dict, files=()) -> Proposal:
    """Submit, or change before the deadline, the organisation's one proposal for a need.

    ``data`` holds plan, price, duration_days, timeline and team; ``files`` are uploads
    already checked by vetting.uploads (each with ``.checked``).
    """
    with transaction.atomic():
        need = _open_need_for(need, organisation, by)
        problems = eligibility_obstacles(organisation, need)
        if problems:
            raise NotEligible(" ".join(problems))
        _refuse_identity(
            need,
            {f: data.get(f, "") for f in PROPOSAL_TEXTS}
            | {f"attachment-{n}": upload.checked.display_name for n, upload in enumerate(files)},
        )
        price = Decimal(data["price"])
        if price <= 0:
            raise ProposalRefused(_("The price must be more than zero."))
        if price > need.budget:
            raise ProposalRefused(
                _("The price (%(price)s) is above the budget of this need (%(budget)s).")
                % {"price": price, "budget": need.budget}
            )
        proposal = Proposal.objects.filter(need=need, organisation=organisation).first()
        if proposal is not None and proposal.attachments.count() + len(files) > MAX_ATTACHMENTS:
            raise ProposalRefused(_("A proposal has at most %(n)d attachments.") % {"n": MAX_ATTACHMENTS})
        if proposal is None and len(files) > MAX_ATTACHMENTS:
            raise ProposalRefused(_("A proposal has at most %(n)d attachments.") % {"n": MAX_ATTACHMENTS})
        created = proposal is None
        # Submitting writes the content with the state, so it is the one step that does not go
        # through proposal_transition; it still reads the table.
        step = PROPOSAL_TRANSITIONS["submit"]
        if proposal is not None and proposal.state not in step.sources:
            raise ProposalRefused(_("This proposal is not standing."))
        proposal = proposal or Proposal(need=need, organisation=organisation)
        for field in PROPOSAL_FIELDS:
            setattr(proposal, field, data[field])
        proposal.price, proposal.submitted_by, proposal.state = price, by, step.target
        proposal.save()
        for upload in files:
            upload.seek(0)
            attachment = ProposalAttachment(
                proposal=proposal,
                display_name=upload.checked.display_name,
                content_type=upload.checked.content_type,
                size=upload.checked.size,
                sha256=upload.checked.sha256,
            )
            attachment.file.save("attachment" + upload.checked.extension, upload, save=False)
            attachment.save()
        # The content stays sealed, from the audit log too: only who and when.
        record(
            action="proposal.submit" if created else "proposal.change",
            actor=by,
            obj=need,
            summary={"proposal": proposal.pk, "organisation": organisation.pk, "attachments": len(files)},
        )
        notify_organisation(
            organisation,
            event="proposal_received",
            params={"need": need.reference, "title": need.title, "deadline": _deadline(need)},
            url=url_for("needs:detail", need.pk),
        )
    return proposal


def proposal_withdraw(*, proposal: Proposal, by: User) -> Proposal:
    with transaction.atomic():
        _open_need_for(proposal.need, proposal.organisation, by)
        proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
        if not proposal_transition(
            proposals=Proposal.objects.filter(pk=proposal.pk), action="withdraw", updated_at=timezone.now()
        ):
            raise ProposalRefused(_("This proposal is not standing."))
        proposal.refresh_from_db()
        record(action="proposal.withdraw", actor=by, obj=proposal.need, summary={"proposal": proposal.pk})
    return proposal


def _deadline(need: Need) -> str:
    return timezone.localtime(need.response_deadline).strftime("%Y-%m-%d %H:%M")


def _check_evaluator(need: Need, by: User, proposal: Proposal | None = None) -> None:
    if not policy.can_approve_need(by, need.agency):
        raise NotAllowed(_("Only an approver of this agency evaluates its proposals."))
    if proposal is not None and proposal.organisation_id in policy.organisation_ids(by):
        raise ConflictOfInterest(_("You belong to the organisation that made this proposal: you may not score it."))


def proposal_score(*, proposal: Proposal, by: User, scores: dict[str, tuple[int, str]]) -> None:
    """One evaluator's scores (1–5, with a note) of a proposal on every non-price criterion."""
    need = proposal.need
    _check_evaluator(need, by, proposal)
    _refuse_identity(need, {f"{criterion}-note": note for criterion, (_score, note) in scores.items()})
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.state != NeedState.PROPOSALS_CLOSED:
            raise ProposalRefused(_("Proposals are scored after they close and before the award."))
        proposal = Proposal.objects.get(pk=proposal.pk)
        if proposal.need_id != need.pk or proposal.state != ProposalState.SUBMITTED:
            raise ProposalRefused(_("This proposal is not standing."))
        criteria = {c.key: c for c in need.criteria.exclude(key=Criterion.PRICE)}
        if set(scores) != set(criteria):
            raise ProposalRefused(_("Score every criterion except price, which is computed."))
        for key, (score, note) in scores.items():
            if not isinstance(score, int) or not 1 <= score <= 5:
                raise ProposalRefused(_("Each score is a whole number from 1 to 5."))
            ProposalScore.objects.update_or_create(
                proposal=proposal,
                criterion=criteria[key],
                scorer=by,
                defaults={"score": score, "note": note.strip()[:500]},
            )
        record(
            action="proposal.score",
            actor=by,
            obj=need,
            summary={"proposal": proposal.pk, "scores": {k: v[0] for k, v in scores.items()}},
        )


def proposal_award(*, proposal: Proposal, by: User, reason: str, few_proposals_reason: str = "") -> Award:
    """Award the need to one proposal, with reasons; the others are told they were not chosen."""
    need = proposal.need
    _check_evaluator(need, by, proposal)
    reason, few_proposals_reason = reason.strip(), few_proposals_reason.strip()
    if not reason:
        raise ReasonRequired(_("Give the reasons for the award; they are kept with the need."))
    _refuse_identity(need, {"reason": reason, "few_proposals_reason": few_proposals_reason})
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.state != NeedState.PROPOSALS_CLOSED:
            raise InvalidTransition(_("Only a need whose proposals have closed can be awarded."))
        ranking = proposal_ranking(need)
        standing = [r for r in ranking if r.proposal.state == ProposalState.SUBMITTED]
        chosen = next((r for r in standing if r.proposal.pk == proposal.pk), None)
        if chosen is None:
            raise ProposalRefused(_("This proposal is not standing."))
        if any(not r.complete for r in standing):
            raise ProposalRefused(_("Score every proposal on every criterion before the award."))
        if competitive(need) and len(standing) < MIN_COMPETING_PROPOSALS and not few_proposals_reason:
            raise ReasonRequired(
                _(
                    "This need is above the competitive threshold and has %(n)d proposals: "
                    "record why fewer than three are enough."
                )
                % {"n": len(standing)}
            )
        organisation = chosen.proposal.organisation
        need = need_transition(need=need, action="award", by=by, reason=reason, organisation=organisation)
        Need.objects.filter(pk=need.pk).update(claimed_by_user=chosen.proposal.submitted_by)
        award = Award.objects.create(
            need=need,
            proposal=chosen.proposal,
            by=by,
            reason=reason,
            few_proposals_reason=few_proposals_reason,
            total_score=chosen.total,
        )
        proposal_transition(proposals=Proposal.objects.filter(pk=chosen.proposal.pk), action="choose")
        others = [r.proposal for r in standing if r.proposal.pk != chosen.proposal.pk]
        proposal_transition(proposals=Proposal.objects.filter(pk__in=[p.pk for p in others]), action="pass_over")
        record(
            action="proposal.award",
            actor=by,
            obj=need,
            summary={
                "proposal": chosen.proposal.pk,
                "organisation": organisation.pk,
                "rank": chosen.rank,
                "total": str(chosen.total),
                "proposals": len(standing),
                "few_proposals_reason": few_proposals_reason,
            },
        )
        params = {"need": need.reference, "title": need.title, "organisation": organisation.legal_name}
        url = url_for("needs:detail", need.pk)
        notify_organisation(organisation, event="proposal_awarded", params=params, url=url)
        for other in others:
            notify_organisation(other.organisation, event="proposal_not_awarded", params=params, url=url)
    return award
