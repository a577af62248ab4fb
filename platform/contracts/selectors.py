"""Reads for contracts: who sees which, the register's summary, and the difference
between two versions."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime
from functools import reduce
from operator import or_

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import AGENCY_ROLES, Role
from contracts.models import TERM_FIELDS, Contract, ContractVersion, MilestoneState, VersionState
from contracts.register_query import AMOUNT_BANDS, REGISTER_SORTS, RegisterQuery


def contracts_of_parties(user) -> QuerySet[Contract]:
    """Every contract the user sees whole: their agency's (and those below it), their
    organisation's; all for auditors and superusers."""
    contracts = Contract.objects.select_related("agency", "organisation", "need__category", "need__region")
    if policy.is_superuser(user) or policy.has_role(user, Role.AUDITOR):
        return contracts
    conditions = [Q(agency__path__startswith=g.agency_path) for g in policy.grants(user) if g.role in AGENCY_ROLES]
    organisations = policy.organisation_ids(user)
    if organisations:
        conditions.append(Q(organisation_id__in=organisations))
    if not conditions:
        return contracts.none()
    return contracts.filter(reduce(or_, conditions))


def with_proposed_price(contracts: QuerySet[Contract]) -> QuerySet[Contract]:
    """Each contract with ``proposed_price``: the price of its newest version not yet in
    force (a draft or one out for signature), None once none is pending. Contract.price
    is the price in force, 0 until the first signature."""
    pending = ContractVersion.objects.filter(
        contract=OuterRef("pk"), state__in=[VersionState.DRAFT, VersionState.SIGNING]
    ).order_by("-number")
    price = DecimalField(max_digits=12, decimal_places=2)
    return contracts.annotate(proposed_price=Subquery(pending.values("price")[:1], output_field=price))


def register() -> QuerySet[Contract]:
    """The public register: every contract once signed (drafts are nobody else's business)."""
    return Contract.objects.filter(signed_at__isnull=False).select_related(
        "agency", "organisation", "need__category", "need__region__parent"
    )


def register_search(query: RegisterQuery) -> QuerySet[Contract]:
    """The register filtered, searched and sorted as ``query`` says; nothing at all when
    one of its filters names something unknown (the page says so)."""
    if query.invalid:
        return register().none()
    from agencies.models import Agency
    from organisations.models import Organisation

    contracts = register()
    for term in query.terms:
        # Organisations and agencies are few: matched first, by id, so the big tables are
        # joined only for the need's title.
        contracts = contracts.filter(
            Q(number__icontains=term)
            | Q(need__title__icontains=term)
            | Q(organisation_id__in=Organisation.objects.filter(legal_name__icontains=term).values("pk"))
            | Q(agency_id__in=Agency.objects.filter(name__icontains=term).values("pk"))
        )
    if query.agency:
        contracts = contracts.filter(agency_id=query.agency)
    if query.organisation:
        contracts = contracts.filter(organisation_id=query.organisation)
    if query.category:
        from categories.models import Category

        contracts = contracts.filter(need__category_id__in=Category.objects.filter(code=query.category).values("pk"))
    if query.region is not None:
        contracts = contracts.filter(need__region__path__startswith=query.region.path)
    if query.status:
        contracts = contracts.filter(state=query.status)
    if query.year:
        start = datetime(query.year, 1, 1, tzinfo=timezone.get_current_timezone())
        contracts = contracts.filter(signed_at__gte=start, signed_at__lt=start.replace(year=query.year + 1))
    if query.amount:
        low, high = AMOUNT_BANDS[query.amount][1:]
        if low is not None:
            contracts = contracts.filter(price__gte=low)
        if high is not None:
            contracts = contracts.filter(price__lt=high)
    return contracts.order_by(*REGISTER_SORTS[query.sort][1])


def register_years() -> list[int]:
    """The years in which contracts were signed, newest first (for the filter)."""
    first = register().order_by("signed_at").values_list("signed_at", flat=True).first()
    if first is None:
        return []
    return list(range(timezone.localdate().year, timezone.localtime(first).year - 1, -1))


def county_name(region) -> str:
    """The county a need's region is in (never finer: a township can point at a person);
    ``region.parent`` should be loaded with it."""
    from regions.models import RegionLevel

    while region is not None and region.level == RegionLevel.TOWNSHIP:
        region = region.parent
    return region.local_full_name if region else ""


@dataclass(frozen=True)
class Summary:
    """What the register says of a contract: no beneficiary data."""

    milestones: int
    milestones_met: int
    paid: object
    score: object


def summary(contract: Contract) -> Summary:
    live = contract.milestones.exclude(state=MilestoneState.CANCELLED)
    from contracts.models import Evaluation

    evaluation = Evaluation.objects.filter(contract=contract).first()
    return Summary(
        milestones=live.filter(settlement=False).count(),
        milestones_met=live.filter(state=MilestoneState.ACCEPTED, settlement=False).count(),
        paid=contract.milestones.aggregate(s=Sum("paid_amount"))["s"] or 0,
        score=evaluation.score if evaluation else None,
    )


def county_of(contract: Contract) -> str:
    """The county the service is in (never finer: a township can point at a person)."""
    return county_name(contract.need.region)


# --- Versions --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str
    diff: SafeString


def _inline_diff(before: str, after: str) -> SafeString:
    """Character-level difference (Chinese has no spaces to split words on)."""
    out: list[str] = []
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            out.append(escape(before[a1:a2]))
        if op in {"delete", "replace"}:
            out.append(f"<del>{escape(before[a1:a2])}</del>")
        if op in {"insert", "replace"}:
            out.append(f"<ins>{escape(after[b1:b2])}</ins>")
    return mark_safe("".join(out))  # noqa: S308 — every piece is escaped above


def _text(version: ContractVersion, field: str) -> str:
    value = getattr(version, field)
    return "" if value is None else str(value)


def version_changes(before: ContractVersion, after: ContractVersion) -> list[Change]:
    """What changed from ``before`` to ``after``: each term, then the schedule and the
    indicators, as readable lines."""
    changes = []
    for field in TERM_FIELDS:
        old, new = _text(before, field), _text(after, field)
        if old != new:
            label = str(ContractVersion._meta.get_field(field).verbose_name)  # type: ignore[union-attr]  # a column, not a relation
            changes.append(Change(label, old, new, _inline_diff(old, new)))
    old_schedule, new_schedule = _schedule_lines(before), _schedule_lines(after)
    for key in sorted(set(old_schedule) | set(new_schedule)):
        old, new = old_schedule.get(key, ""), new_schedule.get(key, "")
        if old != new:
            changes.append(Change(_("Milestone"), old, new, _inline_diff(old, new)))
    old_ind, new_ind = _indicator_lines(before), _indicator_lines(after)
    if old_ind != new_ind:
        changes.append(Change(_("Performance indicators"), old_ind, new_ind, _inline_diff(old_ind, new_ind)))
    return changes


def _schedule_lines(version: ContractVersion) -> dict[int, str]:
    return {
        t.milestone_id: " · ".join(
            [t.description, f"{t.due_date:%Y-%m-%d}", str(t.amount), t.deliverables, t.evidence_required]
        )
        for t in version.milestone_terms.all()
    }


def _indicator_lines(version: ContractVersion) -> str:
    return "\n".join(f"{i.name}: {i.target}" for i in version.indicators.all())
