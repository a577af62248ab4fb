"""How well an organisation fits a need, with the reasons in plain words.

Points (out of 100), each with the reason shown on the card:

- category: the organisation serves the need's category (30);
- area: the most specific region it serves that covers the need — township 25,
  county 20, city 12, province 6;
- capacity: cases it can still take on (10, none when full);
- qualifications: licensed social workers when the need asks for them, or no special
  qualification asked (10);
- track record: contracts of this category it completed (closed), and needs of this
  category it completed without a contract (2 each, at most 15), as
  ``contracts.track_record`` counts them; the reasons add its on-time rate and
  average evaluation score in the category (no points: the count alone scores);
- urgency: emergency 10, urgent 5 — the sooner someone must act, the higher it ranks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from categories.models import Category
from contracts.track_record import TrackRecord, track_record, track_records
from needs.models import Need
from needs.selectors import ACTIVE_CASE_STATES, ancestor_paths
from organisations.selectors import acting_organisations, organisations_may_act

AREA_POINTS = {"township": 25, "county": 20, "city": 12, "province": 6}
URGENCY_POINTS = {"emergency": 10, "urgent": 5, "routine": 0}
SOCIAL_WORK_WORDS = ("社工", "社会工作", "social work")


@dataclass
class Fit:
    score: int = 0
    reasons: list[str] = field(default_factory=list)
    concerns: list[str] = field(default_factory=list)


def fit_for(organisation, needs) -> dict[int, Fit]:
    """The fit of one organisation with each of these needs (regions and categories loaded)."""
    facts = organisation_facts([organisation])[organisation.pk]
    return {need.pk: _fit(organisation, facts, need) for need in needs}


@dataclass
class _Facts:
    served: list  # regions
    categories: set[int]
    free: int  # cases it can still take on
    done: dict[int, int]  # category id → completed (closed contracts and cases without one)
    track: TrackRecord | None = None


def organisation_facts(organisations) -> dict[int, _Facts]:
    """What the fit reads of each organisation, in five queries whatever their number."""
    from django.db.models import prefetch_related_objects

    organisations = list(organisations)
    prefetch_related_objects(organisations, "service_regions", "service_categories")
    ids = [o.pk for o in organisations]
    active = dict(
        Need.objects.filter(claimed_by__in=ids, state__in=ACTIVE_CASE_STATES)
        .values("claimed_by")
        .annotate(n=Count("pk"))
        .values_list("claimed_by", "n")
    )
    records = track_records(ids)
    return {
        o.pk: _Facts(
            served=list(o.service_regions.all()),
            categories={c.pk for c in o.service_categories.all()},
            free=max(o.capacity - active.get(o.pk, 0), 0),
            done={pk: c.completed for pk, c in records[o.pk].by_category.items() if c.completed},
            track=records[o.pk],
        )
        for o in organisations
    }


def _fit(organisation, facts: _Facts, need) -> Fit:
    served, categories, free, done = facts.served, facts.categories, facts.free, facts.done
    fit = Fit()
    if need.category_id in categories:
        fit.score += 30
        fit.reasons.append(_("serves %(category)s") % {"category": need.category})
    else:
        fit.concerns.append(_("does not serve %(category)s") % {"category": need.category})
    cover = _covering(served, need.region)
    if cover is not None:
        fit.score += AREA_POINTS.get(cover.level, 6)
        fit.reasons.append(_("serves %(region)s") % {"region": cover.local_name})
    else:
        fit.concerns.append(_("outside the service area"))
    if free:
        fit.score += 10
        fit.reasons.append(ngettext("%(n)d case of capacity free", "%(n)d cases of capacity free", free) % {"n": free})
    else:
        fit.concerns.append(_("no capacity left"))
    asks_social_workers = any(w in need.qualifications.lower() for w in SOCIAL_WORK_WORDS)
    if asks_social_workers and organisation.social_workers:
        fit.score += 10
        fit.reasons.append(
            ngettext("%(n)d licensed social worker", "%(n)d licensed social workers", organisation.social_workers)
            % {"n": organisation.social_workers}
        )
    elif asks_social_workers:
        fit.concerns.append(_("asks for licensed social workers"))
    else:
        fit.score += 10
    completed = done.get(need.category_id, 0)
    if completed:
        fit.score += min(2 * completed, 15)
        fit.reasons.extend(
            _track_reasons(cast("TrackRecord", facts.track).category_record(need.category_id), need.category)
        )
    fit.score += URGENCY_POINTS.get(need.urgency, 0)
    return fit


def _track_reasons(record, category) -> list[str]:
    """ "12 completed elder-care contracts", "92% on time", "average score 4.50/5"."""
    reasons = []
    if record.contracts:
        reasons.append(
            ngettext(
                "%(n)d completed %(category)s contract", "%(n)d completed %(category)s contracts", record.contracts
            )
            % {"n": record.contracts, "category": category}
        )
    if record.cases:
        reasons.append(
            ngettext("%(n)d completed %(category)s case", "%(n)d completed %(category)s cases", record.cases)
            % {"n": record.cases, "category": category}
        )
    if record.evaluated:
        reasons.append(_("%(rate)d%% delivered on time") % {"rate": record.on_time_percent})
        reasons.append(_("average evaluation score %(score)s/5") % {"score": record.average_score})
    return reasons


def _covering(served, region):
    """The most specific served region that holds the need's region (or lies inside it)."""
    best = None
    for candidate in served:
        covers = region.path.startswith(candidate.path) or candidate.path.startswith(region.path)
        if covers and (best is None or len(candidate.path) > len(best.path)):
            best = candidate
    return best


def acting_organisation(user):
    """The organisation a member searches for: the first of theirs that may act today."""

    return next(iter(acting_organisations(user)), None)


def fit_function(organisation):
    """For sort=fit: need ids → score. It also carries ``expression()``, the same score
    as a SQL expression over the search index, so the database backend orders by fit in
    the database instead of working it out for every match."""

    def scores(need_ids: list[int]) -> dict[int, float]:
        needs = Need.objects.filter(pk__in=need_ids).select_related("category", "region")
        return {pk: fit.score for pk, fit in fit_for(organisation, needs).items()}

    scores.expression = lambda: fit_expression(organisation)
    return scores


def fit_expression(organisation):
    """``fit_for(organisation, need).score`` as an expression over ``SearchDocument``
    columns: every point depends on the need's category, region, urgency and
    qualifications only, which the index holds (tested against ``fit_for``)."""
    from django.db.models import Case, IntegerField, Q, Value, When

    def case(*whens, default=0):
        return Case(*whens, default=Value(default), output_field=IntegerField()) if whens else Value(default)

    codes = dict(Category.objects.values_list("pk", "code"))
    categories = [codes[pk] for pk in organisation.service_categories.values_list("pk", flat=True)]
    active = Need.objects.filter(claimed_by=organisation, state__in=ACTIVE_CASE_STATES).count()
    free = max(organisation.capacity - active, 0)
    done = [(pk, c.completed) for pk, c in track_record(organisation).by_category.items()]
    # The most specific served region first, as ``_covering`` picks it.
    served = sorted(organisation.service_regions.all(), key=lambda r: -len(r.path))
    asks = Q()
    for word in SOCIAL_WORK_WORDS:
        asks |= Q(qualifications__icontains=word)
    constant = 10 if free else 0
    return (
        Value(constant)
        + case(When(category__in=categories, then=Value(30)))
        + case(*[When(category=codes[pk], then=Value(min(2 * n, 15))) for pk, n in done if n])
        + case(
            *[
                When(
                    Q(region_path__startswith=r.path) | Q(region_path__in=ancestor_paths(r.path)),
                    then=Value(AREA_POINTS.get(r.level, 6)),
                )
                for r in served
            ]
        )
        + case(*[When(urgency=u, then=Value(p)) for u, p in URGENCY_POINTS.items() if p])
        + (Value(10) if organisation.social_workers else case(When(asks, then=Value(0)), default=10))
    )


def recommended_for(user, *, limit: int = 5) -> list[tuple]:
    """ "Recommended for you": the open needs this member may see that fit their
    organisation best, with the reasons."""
    from matching.query import SearchRequest
    from matching.selectors import search_needs

    acting = acting_organisations(user)
    if not acting:
        return []
    organisation = acting[0]
    request = SearchRequest(sort="fit", per_page=limit, facets=False, count=False)
    results = search_needs(user, request, fit=fit_function(organisation), acting=acting)
    needs = Need.objects.select_related("category", "region").in_bulk(results.ids)
    ordered = [needs[i] for i in results.ids if i in needs]
    fits = fit_for(organisation, ordered)
    return [(need, fits[need.pk]) for need in ordered]


def suggested_organisations(need, *, limit: int = 5) -> list[tuple]:
    """For the agency: organisations that may act today and serve the need's category or
    area, best fit first, with the reasons (those already invited left out)."""
    from django.db.models import Q

    area = Q(service_regions__path__in=ancestor_paths(need.region.path)) | Q(
        service_regions__path__startswith=need.region.path
    )
    candidates = (
        organisations_may_act()
        .filter(Q(service_categories=need.category_id) | area)
        .exclude(need_invitations__need=need)
        .distinct()
    )
    candidates = list(candidates)  # type: ignore[assignment]  # read once, then as a list
    facts = organisation_facts(candidates)
    scored = [(organisation, _fit(organisation, facts[organisation.pk], need)) for organisation in candidates]
    scored.sort(key=lambda pair: (-pair[1].score, pair[0].legal_name))
    return scored[:limit]
