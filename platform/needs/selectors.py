from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from accounts import policy
from accounts.models import AGENCY_ROLES, Role, User
from accounts.types import AnyUser
from agencies.models import Agency
from categories.models import Category
from core.identity_guard import Known, Leak, identity_in
from core.workflow import Transition
from needs.models import (
    Beneficiary,
    Criterion,
    Need,
    NeedInvitation,
    NeedState,
    Proposal,
    ProposalState,
    Scheme,
    SchemeCheck,
    Scope,
)
from needs.rules import CARD_TEXTS
from needs.workflow import TRANSITIONS, actor_refusal, claimable, route_refusal
from organisations.models import Organisation
from organisations.selectors import acting_organisations, organisations_may_act
from regions.models import Region

# States in which organisations in scope see a need's card: open for a claim or for proposals.
VISIBLE_TO_ORGANISATIONS = [NeedState.PUBLISHED, NeedState.PROPOSALS_OPEN]


def needs_visible_to(user: AnyUser, *, acting: list[Organisation] | None = None) -> QuerySet[Need]:
    """Agency staff: the needs of their agencies and the agencies below; auditors and
    superusers: all; members of organisations that may act today: the published cards
    in scope; everyone else: none. A search can never widen this. ``acting``: the user's
    ``acting_organisations``, when the caller has them already."""
    qs = Need.objects.select_related("agency", "category", "region")
    if policy.is_superuser(user) or policy.has_role(user, Role.AUDITOR):
        return qs
    visible = Q(pk__in=[])
    paths = [g.agency_path for g in policy.grants(user) if g.role in AGENCY_ROLES and g.agency_path]
    if paths:
        visible |= reduce(or_, (Q(agency__path__startswith=p) for p in paths))
    org_ids = policy.organisation_ids(user)
    if org_ids:
        if acting is None:
            acting = acting_organisations(user)
        if acting:
            in_scope = Q(scope=Scope.ALL)
            # An invitation puts the organisation in scope, whatever the scope says.
            in_scope |= Q(pk__in=NeedInvitation.objects.filter(organisation__in=acting).values("need"))
            service_paths = {r.path for org in acting for r in org.service_regions.all()}
            for path in service_paths:
                # A need in a township is in scope for an organisation serving its county, and back.
                in_scope |= Q(scope=Scope.REGION, region__path__startswith=path)
                in_scope |= Q(scope=Scope.REGION, region__path__in=ancestor_paths(path))
            visible |= Q(state__in=VISIBLE_TO_ORGANISATIONS) & in_scope
        # The organisation that took a need on, or proposed for it, keeps seeing its card.
        visible |= Q(claimed_by__in=org_ids)
        visible |= Q(pk__in=Proposal.objects.filter(organisation__in=org_ids).values("need"))
    return qs.filter(visible)


NEED_NUMBER = re.compile(r"^[Nn]?0*(\d{1,9})$")


def needs_filtered(
    needs: QuerySet[Need],
    *,
    q: str = "",
    state: str = "",
    category: Category | None = None,
    urgency: str = "",
    area: Region | None = None,
    created_from: date | None = None,
    created_to: date | None = None,
) -> QuerySet[Need]:
    """The agency's needs list narrowed by what a caseworker looks for, newest number
    first (the number is the order of recording; created_at ties within a bulk import)."""
    q = q.strip()
    if q:
        number = NEED_NUMBER.match(q)
        text = Q(title__icontains=q) | Q(summary__icontains=q)
        needs = needs.filter(text | Q(pk=int(number.group(1)))) if number else needs.filter(text)
    if state:
        needs = needs.filter(state=state)
    if category is not None:
        needs = needs.filter(category=category)
    if urgency:
        needs = needs.filter(urgency=urgency)
    if area is not None:
        needs = needs.filter(region__path__startswith=area.path)
    if created_from:
        needs = needs.filter(created_at__date__gte=created_from)
    if created_to:
        needs = needs.filter(created_at__date__lte=created_to)
    return needs.order_by("-pk")


def ancestor_paths(path: str) -> list[str]:
    """ "1/2/3/" → ["1/", "1/2/", "1/2/3/"]: the node and everything above it."""
    parts = path.strip("/").split("/")
    return ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def need_is_agency_side(user: AnyUser, need: Need) -> bool:
    """Whether the user sees the agency's view (identity masked) or only the card."""
    return policy.is_superuser(user) or policy.has_role(user, Role.AUDITOR) or policy.can_record_need(user, need.agency)


OPEN_STATES = [
    NeedState.DRAFT,
    NeedState.SUBMITTED,
    NeedState.RETURNED,
    NeedState.APPROVED,
    NeedState.PUBLISHED,
    NeedState.CLAIMED,
    NeedState.PROPOSALS_OPEN,
    NeedState.PROPOSALS_CLOSED,
    NeedState.AWARDED,
    NeedState.IN_CONTRACT,
]


def open_duplicates(need: Need) -> list[tuple[str, str]]:
    """The same person's other open needs in any agency, as (agency, state label) only:
    no details cross agencies."""
    others = (
        Need.objects.filter(beneficiary__id_hash=need.beneficiary.id_hash, state__in=OPEN_STATES)
        .exclude(pk=need.pk)
        .select_related("agency")
        .order_by("agency__name", "created_at")
    )
    return [(other.agency.name, other.get_state_display()) for other in others]


@dataclass(frozen=True)
class Duplicate:
    """Another open need of the same person, as the viewer may know it: its number
    always (so that two agencies can talk about it), a link only where they may open it."""

    reference: str
    agency: str
    state: str
    pk: int | None  # None: the viewer may not open it


def duplicates_for(user: AnyUser, need: Need) -> list[Duplicate]:
    others = (
        Need.objects.filter(beneficiary__id_hash=need.beneficiary.id_hash, state__in=OPEN_STATES)
        .exclude(pk=need.pk)
        .select_related("agency")
        .order_by("agency__name", "created_at")
    )
    visible = set(needs_visible_to(user).filter(pk__in=[o.pk for o in others]).values_list("pk", flat=True))
    return [
        Duplicate(o.reference, o.agency.name, o.get_state_display(), o.pk if o.pk in visible else None) for o in others
    ]


def scheme_checks_in_order(need: Need) -> list[SchemeCheck]:
    """The statutory-aid answers in the order of the form (Scheme's order), not the
    alphabetical order of their codes."""
    position = {scheme.value: i for i, scheme in enumerate(Scheme)}
    return sorted(need.scheme_checks.all(), key=lambda c: position.get(c.scheme, len(position)))


def consent_valid(beneficiary: Beneficiary, *, on: date | None = None) -> bool:
    from django.utils import timezone

    day = on or timezone.localdate()
    return beneficiary.consents.filter(withdrawn_at__isnull=True, valid_until__gte=day).exists()


def is_declared_relative(user: User, beneficiary: Beneficiary) -> bool:
    return user.relatives.filter(id_hash=beneficiary.id_hash).exists()


ACTIVE_CASE_STATES = [NeedState.CLAIMED, NeedState.AWARDED, NeedState.IN_CONTRACT]


def organisation_in_scope(organisation: Organisation, need: Need) -> bool:
    """Whether a published need's scope reaches this organisation: all, its region
    served, or an invitation."""
    if need.scope == Scope.ALL or need.invitations.filter(organisation=organisation).exists():
        return True
    if need.scope == Scope.INVITED:
        return False
    need_path = need.region.path
    return any(need_path.startswith(r.path) or r.path.startswith(need_path) for r in organisation.service_regions.all())


def claim_obstacles(organisation: Organisation, need: Need) -> list[str]:
    """Why this organisation cannot take this need on directly, in words (empty: it can)."""
    from django.utils.translation import gettext as _

    problems = eligibility_obstacles(organisation, need)
    if not claimable(need):
        problems.append(_("This need is above the direct-acceptance budget: it takes proposals."))
    return problems


def eligibility_obstacles(organisation: Organisation, need: Need) -> list[str]:
    """Why this organisation may neither claim nor propose for this need (empty: it may)."""
    from django.utils.translation import gettext as _

    problems = []
    if not organisations_may_act().filter(pk=organisation.pk).exists():
        problems.append(_("Your organisation is not vetted today."))
    if not organisation_in_scope(organisation, need):
        problems.append(_("This need is published for other organisations."))
    if not organisation.service_categories.filter(pk=need.category_id).exists():
        problems.append(_("Your organisation does not serve this category."))
    active = organisation.claimed_needs.filter(state__in=ACTIVE_CASE_STATES).count()
    if active >= organisation.capacity:
        problems.append(_("Your organisation has no capacity left (%(n)d cases open).") % {"n": active})
    return problems


def proposals_unsealed(need: Need) -> bool:
    """Proposals are read by the agency only once they closed at the deadline; those of a
    need withdrawn while open stay sealed for good."""
    return need.proposals_closed_at is not None


@dataclass(frozen=True)
class RankedProposal:
    proposal: Proposal
    points: dict[str, Decimal]  # criterion key → weighted points
    scorers: int  # how many evaluators scored every non-price criterion
    complete: bool  # every non-price criterion has at least one score
    total: Decimal
    rank: int = 0


def proposal_ranking(need: Need) -> list[RankedProposal]:
    """The submitted proposals of a closed need, best first. A criterion scored 1–5 gives
    (mean score / 5) × its weight; price gives (lowest price / this price) × its weight,
    so the cheapest proposal earns the full price weight and price never decides alone."""
    criteria = {c.pk: c for c in need.criteria.all()}
    proposals = list(
        need.proposals.filter(state__in=[ProposalState.SUBMITTED, ProposalState.AWARDED, ProposalState.NOT_AWARDED])
        .select_related("organisation")
        .prefetch_related("scores", "attachments")
    )
    if not proposals:
        return []
    lowest = min(p.price for p in proposals)
    ranked = []
    for proposal in proposals:
        by_criterion: dict[int, list[int]] = {}
        scorers_per_criterion: dict[int, set[int]] = {}
        for score in proposal.scores.all():
            by_criterion.setdefault(score.criterion_id, []).append(score.score)
            scorers_per_criterion.setdefault(score.criterion_id, set()).add(score.scorer_id)
        points, complete = {}, True
        judged = [pk for pk, c in criteria.items() if c.key != Criterion.PRICE]
        for pk, criterion in criteria.items():
            if criterion.key == Criterion.PRICE:
                value = Decimal(criterion.weight) * lowest / proposal.price
            elif by_criterion.get(pk):
                value = Decimal(criterion.weight) * Decimal(sum(by_criterion[pk])) / (5 * len(by_criterion[pk]))
            else:
                value, complete = Decimal(0), False
            points[criterion.key] = value.quantize(CENT)
        scorers = min((len(scorers_per_criterion.get(pk, ())) for pk in judged), default=0)
        ranked.append(RankedProposal(proposal, points, scorers, complete, sum(points.values(), Decimal(0))))
    ranked.sort(key=lambda r: (-r.total, r.proposal.price, r.proposal.submitted_at))
    return [replace(r, rank=i) for i, r in enumerate(ranked, start=1)]


CENT = Decimal("0.01")


def identity_known(beneficiary: Beneficiary) -> Known:
    """What the identity guard must refuse to find in any text about this person's needs:
    their name, their household members' names and their address (decrypted here, never
    returned to a page)."""
    names = [beneficiary.name, *(m.name for m in beneficiary.household.all() if m.name)]
    return Known(names=tuple(names), addresses=(beneficiary.address,) if beneficiary.address else ())


def identity_known_for_need(need: Need) -> Known:
    return identity_known(need.beneficiary)


def needs_failing_identity_guard(*, agency: Agency | None = None, batch_size: int = 500) -> Iterator[tuple[Need, Leak]]:
    """Needs already stored whose card the identity guard now refuses (recorded before
    it read the field, or before it knew the form), oldest agency first. ``agency``:
    that agency and the agencies below it."""
    needs = Need.objects.select_related("agency", "beneficiary").prefetch_related("beneficiary__household")
    if agency is not None:
        needs = needs.filter(agency__path__startswith=agency.path)
    last = 0
    while batch := list(needs.filter(pk__gt=last).order_by("pk")[:batch_size]):
        for need in batch:
            leak = identity_in({f: getattr(need, f) for f in CARD_TEXTS}, known=identity_known(need.beneficiary))
            if leak is not None:
                yield need, leak
        last = batch[-1].pk


def need_actions(user: AnyUser, need: Need) -> list[Transition]:
    """The steps ``user`` may take on ``need`` now, in the table's order: the state allows
    them, the table's actor is this person, and the need goes that way (claim or
    proposals). What the service checks with the step's own input (a reason, a conflict
    of interest, the gap gate) is checked when it is taken."""
    return [
        t
        for t in TRANSITIONS.values()
        if need.state in t.sources and actor_refusal(t, need, user) is None and route_refusal(t, need) is None
    ]
