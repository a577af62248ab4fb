"""Reads for contracts: who sees which, the terms (the version in force or in the
making, its schedule, what keeps it from signature or the contract from closing), the
beneficiary's confirmations, the register's summary, and the difference between two
versions. What a person may do next is ``contracts.actions``, read from the workflow
tables (whose preconditions read these)."""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import reduce
from operator import or_

from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import AGENCY_ROLES, Role
from agencies.models import Agency
from categories.models import Category
from contracts import ledger
from contracts.models import (
    TERM_FIELDS,
    WORK_STATES,
    Confirmation,
    ConfirmationOutcome,
    Contract,
    ContractState,
    ContractVersion,
    DisputeResolution,
    Evaluation,
    FinalReport,
    Milestone,
    MilestoneState,
    MilestoneTerms,
    VersionState,
)
from contracts.register_query import AMOUNT_BANDS, REGISTER_SORTS, RegisterQuery
from needs.models import NeedState
from organisations.models import Organisation
from regions.models import RegionLevel

ZERO = Decimal("0.00")
MAX_TERM_MONTHS = 12
MAX_JUSTIFIED_TERM_MONTHS = 36
AMENDMENT_PRICE_LIMIT = Decimal("1.10")  # additions capped at 10 % of the signed price


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


# --- The terms -------------------------------------------------------------------------


def open_version(contract: Contract) -> ContractVersion | None:
    """The version in the making: a draft, or one out for signature."""
    return contract.versions.filter(state__in=[VersionState.DRAFT, VersionState.SIGNING]).first()


def current_version(contract: Contract) -> ContractVersion | None:
    """The version in force (the last both parties signed)."""
    return contract.versions.filter(state=VersionState.SIGNED).first()


def schedule(version: ContractVersion) -> list[MilestoneTerms]:
    return list(version.milestone_terms.select_related("milestone").order_by("position", "pk"))


def schedule_data(version: ContractVersion) -> list[dict]:
    """The version's schedule as the drafting services take it (to edit or amend it)."""
    return [
        {
            "milestone": t.milestone_id,
            "description": t.description,
            "due_date": t.due_date,
            "amount": t.amount,
            "deliverables": t.deliverables,
            "evidence_required": t.evidence_required,
            "service": t.service,
        }
        for t in schedule(version)
    ]


def terms_of(milestone: Milestone) -> MilestoneTerms | None:
    """What the version in force (or, before signing, the draft) says of a milestone."""
    version = current_version(milestone.contract) or open_version(milestone.contract)
    if version is None:
        return None
    return version.milestone_terms.filter(milestone=milestone).first()


def milestone_label(milestone: Milestone) -> str:
    """How a milestone is named in messages and notifications."""
    if milestone.settlement:
        return _("Settlement on termination")
    terms = terms_of(milestone)
    return terms.description if terms else f"#{milestone.pk}"


def price_ceiling(need) -> Decimal:
    """The most the contract may cost: the chosen proposal's price, or the need's budget."""
    award = getattr(need, "award", None)
    if need.state == NeedState.AWARDED and award is not None:
        return award.proposal.price
    return need.budget


def terms_problems(version: ContractVersion, *, signed_price: Decimal | None = None, accepted=None) -> list[str]:
    """Why a version cannot go for signature (empty when it can)."""
    problems = []
    items = schedule(version)
    if not items:
        problems.append(_("Add at least one milestone."))
    total = sum((t.amount for t in items), ZERO)
    if items and total != version.price:
        problems.append(
            _("The milestones add up to %(total)s, not the price %(price)s: they must match exactly.")
            % {"total": f"{total:,.2f}", "price": f"{version.price:,.2f}"}
        )
    months = version.term_months
    if months > MAX_JUSTIFIED_TERM_MONTHS:
        problems.append(_("The term may not exceed 36 months."))
    elif months > MAX_TERM_MONTHS and len(version.long_term_justification.strip()) < 10:
        problems.append(_("A term over 12 months (up to 36) needs a recorded justification."))
    for t in items:
        if not version.term_start <= t.due_date <= version.term_end:
            problems.append(_("Milestone “%(milestone)s” falls due outside the term.") % {"milestone": t.description})
    if not version.indicators.exists():
        problems.append(_("State at least one performance indicator."))
    if not 1 <= version.payment_days <= 60:
        problems.append(_("Payment is due within 1 to 60 days of acceptance."))
    if signed_price is not None and version.price > (signed_price * AMENDMENT_PRICE_LIMIT).quantize(Decimal("0.01")):
        problems.append(_("An amendment may add at most 10 % to the signed price."))
    for milestone, amount in (accepted or {}).items():
        kept = next((t for t in items if t.milestone_id == milestone), None)
        if kept is None or kept.amount != amount:
            problems.append(_("An accepted milestone keeps its amount and stays in the schedule."))
            break
    return problems


def accepted_amounts(contract: Contract) -> dict[int, Decimal]:
    """What each accepted milestone of the schedule was accepted for (an amendment keeps it)."""
    return dict(
        contract.milestones.filter(state=MilestoneState.ACCEPTED, settlement=False).values_list("pk", "accepted_amount")
    )


def send_problems(contract: Contract, version: ContractVersion) -> list[str]:
    """Why this draft (the first version or an amendment) cannot go for signature yet."""
    signed = current_version(contract)
    problems = terms_problems(
        version,
        signed_price=signed.price if signed else None,
        accepted=accepted_amounts(contract) if signed else None,
    )
    if signed and len(version.reason.strip()) < 4:
        problems.append(_("An amendment needs its reason."))
    return problems


def close_problems(contract: Contract) -> list[str]:
    """Why the contract cannot be closed yet (empty when it can)."""
    problems = []
    if contract.state != ContractState.COMPLETED:
        problems.append(_("Every milestone must be accepted."))
    if not Evaluation.objects.filter(contract=contract).exists():
        problems.append(_("The agency's evaluation is missing."))
    if not FinalReport.objects.filter(contract=contract).exists():
        problems.append(_("The organisation's final report is missing."))
    if ledger.contract_balances(contract).payable:
        problems.append(_("Everything accepted must be paid."))
    return problems


def delivered_on_time(contract: Contract) -> bool:
    """Every accepted milestone was submitted by its due date."""
    version = current_version(contract)
    for t in schedule(version):
        m = t.milestone
        if m.state == MilestoneState.ACCEPTED and (
            m.submitted_at is None or timezone.localdate(m.submitted_at) > t.due_date
        ):
            return False
    return True


# --- The beneficiary's confirmation ------------------------------------------------------


def token_hash(token: str) -> str:
    """Only this hash of a confirmation link's token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def confirmation_answerable(confirmation: Confirmation) -> bool:
    return (
        confirmation.used_at is None
        and confirmation.locked_at is None
        and confirmation.expires_at > timezone.now()
        and confirmation.milestone.state in WORK_STATES
    )


def confirmation_for(token: str) -> Confirmation | None:
    """The confirmation a link opens, if it still may be answered."""
    if not token or len(token) > 100:
        return None
    confirmation = (
        Confirmation.objects.select_related("milestone__contract__organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if confirmation is None or not confirmation_answerable(confirmation):
        return None
    return confirmation


def beneficiary_confirmed(milestone: Milestone) -> bool:
    """The person served last answered that the service happened, or disputed it and the
    dispute was dismissed. The latest answer counts: an upheld dispute voids an earlier yes."""
    answered = [c for c in milestone.confirmations.all() if c.used_at is not None]
    if not answered:
        return False
    last = max(answered, key=lambda c: (c.used_at, c.pk))
    return last.outcome == ConfirmationOutcome.CONFIRMED or last.resolution == DisputeResolution.DISMISSED


def beneficiary_ratings(contract: Contract) -> list[int]:
    return list(
        Confirmation.objects.filter(
            milestone__contract=contract, rating__isnull=False, outcome=ConfirmationOutcome.CONFIRMED
        ).values_list("rating", flat=True)
    )


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
