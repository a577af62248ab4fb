"""Drafting: the agency writes the contract of an awarded or claimed need (version 1)
and edits it, or an amendment in the making, while it is a draft."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from contracts.actions import may_draft
from contracts.exceptions import InvalidTransition, NotAllowed, TermsInvalid
from contracts.models import (
    TERM_FIELDS,
    Contract,
    ContractSequence,
    ContractSource,
    ContractVersion,
    Milestone,
    MilestoneTerms,
    PerformanceIndicator,
)
from contracts.selectors import price_ceiling
from contracts.services.common import contract_event, terms_text_check
from contracts.services.transitions import version_transition
from needs.models import Need, NeedState

# What a draft carries besides the Art. 23 text: the schedule and the indicators.
TEXT_FIELDS = (
    "content_scope",
    "quantity",
    "quality_standards",
    "settlement_method",
    "rights_obligations",
    "breach_liability",
    "long_term_justification",
)
MILESTONE_TEXTS = ("description", "deliverables", "evidence_required")


def _contract_number(agency, year: int) -> tuple[int, str]:
    sequence, _created = ContractSequence.objects.select_for_update().get_or_create(agency=agency, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last, f"GM{year}-{agency.pk:03d}-{sequence.last:04d}"


def contract_draft(*, need: Need, by: User, data: dict, milestones: list[dict], indicators: list[dict]) -> Contract:
    """The agency drafts the contract of an awarded or claimed need (version 1).

    Precondition: ``by`` drafts for the need's agency (the table's drafter); the need is
    awarded or claimed and has no contract yet; the price is within the award or budget.
    Side effects: the contract (numbered per agency and year) in draft, its first version
    with the schedule and indicators, a ``draft`` event and its audit entry.
    """
    if not may_draft(by, need):
        raise NotAllowed(_("Only caseworkers and approvers of the buying agency draft its contracts."))
    with transaction.atomic():
        need = type(need).objects.select_for_update(of=("self",)).select_related("agency", "claimed_by").get(pk=need.pk)
        if need.state not in {NeedState.AWARDED, NeedState.CLAIMED} or need.claimed_by_id is None:
            raise InvalidTransition(_("Only an awarded or claimed need gets a contract."))
        if Contract.objects.filter(need=need).exists():
            raise InvalidTransition(_("This need already has a contract."))
        if Decimal(data["price"]) > price_ceiling(need):
            raise TermsInvalid(_("The price may not exceed %(ceiling)s.") % {"ceiling": f"{price_ceiling(need):,.2f}"})
        year = timezone.localdate().year
        sequence, number = _contract_number(need.agency, year)
        contract = Contract.objects.create(
            agency=need.agency,
            organisation=need.claimed_by,
            need=need,
            source=ContractSource.AWARD if need.state == NeedState.AWARDED else ContractSource.CLAIM,
            year=year,
            sequence=sequence,
            number=number,
            prepared_by=by,
        )
        version = ContractVersion.objects.create(contract=contract, number=1, created_by=by, **_terms(data))
        _write_schedule(contract, version, milestones, indicators)
        contract_event(contract, "draft", by, summary={"need": need.reference, "price": str(version.price)})
    return contract


def _terms(data: dict) -> dict:
    return {f: data[f] for f in TERM_FIELDS if f in data}


def _write_schedule(contract: Contract, version: ContractVersion, milestones: list[dict], indicators: list[dict]):
    terms_text_check(
        contract.need,
        {f: getattr(version, f) for f in (*TEXT_FIELDS, "reason")}
        | {f"milestone-{n}-{k}": m.get(k, "") for n, m in enumerate(milestones) for k in MILESTONE_TEXTS}
        | {f"indicator-{n}-{k}": i.get(k, "") for n, i in enumerate(indicators) for k in ("name", "target")},
    )
    keep = {m.get("milestone") for m in milestones if m.get("milestone")}
    known = set(contract.milestones.values_list("pk", flat=True))
    if keep - known:
        raise TermsInvalid(_("A milestone of another contract cannot be scheduled here."))
    version.milestone_terms.all().delete()
    version.indicators.all().delete()
    for position, item in enumerate(milestones):
        milestone = contract.milestones.get(pk=item["milestone"]) if item.get("milestone") else None
        if milestone is None:
            milestone = Milestone.objects.create(contract=contract)
        MilestoneTerms.objects.create(
            version=version,
            milestone=milestone,
            position=position,
            description=item["description"],
            due_date=item["due_date"],
            amount=item["amount"],
            deliverables=item.get("deliverables", ""),
            evidence_required=item.get("evidence_required", ""),
            service=item.get("service", True),
        )
    PerformanceIndicator.objects.bulk_create(
        [
            PerformanceIndicator(version=version, position=i, name=item["name"], target=item["target"])
            for i, item in enumerate(indicators)
        ]
    )
    _drop_unscheduled(contract)


def _drop_unscheduled(contract: Contract) -> None:
    """Milestones no version schedules any more (added to a draft, then dropped) go."""
    contract.milestones.filter(terms__isnull=True, settlement=False).delete()


def contract_update_draft(
    *, contract: Contract, by: User, data: dict, milestones: list[dict], indicators: list[dict]
) -> ContractVersion:
    """Edit the draft (the first version, or an amendment in the making).

    Precondition: the table's ``edit`` (a drafter; the version in the making is a
    draft); the first version's price within the award or budget. Side effects: the
    terms, schedule and indicators rewritten, an ``edit`` event naming what changed.
    """
    with version_transition(contract=contract, action="edit", by=by) as step:
        contract, version = step.contract, step.subject
        if version.number == 1 and Decimal(data["price"]) > price_ceiling(contract.need):
            raise TermsInvalid(
                _("The price may not exceed %(ceiling)s.") % {"ceiling": f"{price_ceiling(contract.need):,.2f}"}
            )
        before = {f: str(getattr(version, f)) for f in TERM_FIELDS}
        for field, value in _terms(data).items():
            setattr(version, field, value)
        if version.number > 1:
            version.reason = data.get("reason", version.reason)
        version.save()
        _write_schedule(contract, version, milestones, indicators)
        after = {f: str(getattr(version, f)) for f in TERM_FIELDS}
        step.summary = {"version": version.number, "changed": sorted(k for k in after if after[k] != before[k])}
    return version
