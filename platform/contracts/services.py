"""Writes for contracts: drafting, signing, amendments, termination, evidence, the
beneficiary's confirmation, acceptance, recorded payments, the journal, evaluation and
the payment clock.

Every function checks the person and the state under a row lock, writes the change,
a ContractEvent and an audit entry in one transaction, and raises a ContractError
(nothing changed) otherwise.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Role, User
from audit.services import record
from contracts import ledger
from contracts.exceptions import (
    ConfirmationRefused,
    IdentityLeak,
    InvalidTransition,
    NotAllowed,
    PaymentRefused,
    ReasonRequired,
    SeparationOfDuties,
    TermsInvalid,
)
from contracts.models import (
    TERM_FIELDS,
    Confirmation,
    ConfirmationOutcome,
    Contract,
    ContractEvent,
    ContractSequence,
    ContractSource,
    ContractState,
    ContractVersion,
    DisputeResolution,
    EntryKind,
    Evaluation,
    EvidenceFile,
    FinalReport,
    IndicatorScore,
    JournalEntry,
    Milestone,
    MilestoneState,
    MilestoneTerms,
    Payment,
    PaymentState,
    PerformanceIndicator,
    ServiceRecord,
    VersionState,
)
from contracts.register import register_refresh
from core.crypto import keyed_hash
from core.identity_guard import identity_in
from needs.models import Need, NeedState
from needs.selectors import ancestor_paths, identity_known_for_need
from notifications.services import notify, send_templated_email, url_for

ZERO = Decimal("0.00")
MAX_TERM_MONTHS = 12
MAX_JUSTIFIED_TERM_MONTHS = 36
AMENDMENT_PRICE_LIMIT = Decimal("1.10")  # additions capped at 10 % of the signed price
CONFIRMATION_DAYS = 7
CONFIRMATION_MAX_FAILURES = 5
ACCEPTANCE_OVERDUE_DAYS = 15
PAYMENT_REMINDER_DAYS = 7

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


# --- Helpers -------------------------------------------------------------------------


def _event(contract: Contract, action: str, by, *, milestone=None, reason: str = "", summary: dict | None = None):
    ContractEvent.objects.create(contract=contract, action=action, milestone=milestone, by=by, reason=reason)
    record(
        action=f"contract.{action}",
        actor=by,
        obj=milestone or contract,
        summary={"contract": contract.number, **({"reason": reason} if reason else {}), **(summary or {})},
    )


def _lock(contract: Contract) -> Contract:
    return Contract.objects.select_for_update().select_related("agency", "organisation", "need").get(pk=contract.pk)


def _agency_people(contract: Contract, *roles: str) -> list[User]:
    """Active holders of ``roles`` in the contract's agency or an agency above it."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__role__in=roles,
            memberships__agency__path__in=ancestor_paths(contract.agency.path),
        ).distinct()
    )


def _organisation_people(contract: Contract, *roles: str) -> list[User]:
    members = User.objects.filter(is_active=True, memberships__organisation=contract.organisation)
    if roles:
        members = members.filter(memberships__role__in=roles)
    return list(members.distinct())


def _tell(people, event: str, contract: Contract, *, exclude=None, **params) -> None:
    url = url_for("contracts:detail", contract.pk)
    for person in {p for p in people if exclude is None or p.pk != exclude.pk}:
        notify(user=person, event=event, params={"contract": contract.number, **params}, url=url)


def open_version(contract: Contract) -> ContractVersion | None:
    return contract.versions.filter(state__in=[VersionState.DRAFT, VersionState.SIGNING]).first()


def current_version(contract: Contract) -> ContractVersion | None:
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


def _check_text(contract_need, texts: dict[str, str]) -> None:
    """The contract's texts are read by the organisation, auditors and the public register."""
    leak = identity_in(texts, known=identity_known_for_need(contract_need))
    if leak:
        raise TermsInvalid(_("The contract must not identify the person helped: remove it."), [leak.message])


def _refuse_identity(contract: Contract, texts: dict[str, str]) -> None:
    """The identity guard on a text written during the work (records, reasons, notes).
    The need is read afresh, not through ``contract.need``: caching it on the caller's
    contract would leave that object showing the need's state from before this service."""
    need = Need.objects.select_related("beneficiary").get(pk=contract.need_id)
    leak = identity_in(texts, known=identity_known_for_need(need))
    if leak:
        raise IdentityLeak(leak.message, field=leak.field)


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


# --- Drafting ------------------------------------------------------------------------


def _contract_number(agency, year: int) -> tuple[int, str]:
    sequence, _created = ContractSequence.objects.select_for_update().get_or_create(agency=agency, year=year)
    sequence.last += 1
    sequence.save(update_fields=["last"])
    return sequence.last, f"GM{year}-{agency.pk:03d}-{sequence.last:04d}"


def price_ceiling(need) -> Decimal:
    """The most the contract may cost: the chosen proposal's price, or the need's budget."""
    award = getattr(need, "award", None)
    if need.state == NeedState.AWARDED and award is not None:
        return award.proposal.price
    return need.budget


def contract_draft(*, need, by: User, data: dict, milestones: list[dict], indicators: list[dict]) -> Contract:
    """The agency drafts the contract of an awarded or claimed need (version 1)."""
    if not policy.can_draft_contract(by, need.agency):
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
        _event(contract, "draft", by, summary={"need": need.reference, "price": str(version.price)})
    return contract


def _terms(data: dict) -> dict:
    return {f: data[f] for f in TERM_FIELDS if f in data}


def _write_schedule(contract: Contract, version: ContractVersion, milestones: list[dict], indicators: list[dict]):
    _check_text(
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
    """Edit the draft (the first version, or an amendment in the making)."""
    if not policy.can_draft_contract(by, contract.agency):
        raise NotAllowed(_("Only caseworkers and approvers of the buying agency draft its contracts."))
    with transaction.atomic():
        contract = _lock(contract)
        version = open_version(contract)
        if version is None or version.state != VersionState.DRAFT:
            raise InvalidTransition(_("Only a draft can be edited; a signed contract changes by amendment."))
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
        _event(
            contract,
            "edit",
            by,
            summary={"version": version.number, "changed": sorted(k for k in after if after[k] != before[k])},
        )
    return version


def _accepted_amounts(contract: Contract) -> dict[int, Decimal]:
    return dict(
        contract.milestones.filter(state=MilestoneState.ACCEPTED, settlement=False).values_list("pk", "accepted_amount")
    )


def send_problems(contract: Contract, version: ContractVersion) -> list[str]:
    """Why this draft (the first version or an amendment) cannot go for signature yet."""
    signed = current_version(contract)
    problems = terms_problems(
        version,
        signed_price=signed.price if signed else None,
        accepted=_accepted_amounts(contract) if signed else None,
    )
    if signed and len(version.reason.strip()) < 4:
        problems.append(_("An amendment needs its reason."))
    return problems


def contract_send(*, contract: Contract, by: User) -> ContractVersion:
    """Fix the draft's terms and send them to both parties for signature."""
    if not policy.can_draft_contract(by, contract.agency):
        raise NotAllowed(_("Only caseworkers and approvers of the buying agency send its contracts."))
    with transaction.atomic():
        contract = _lock(contract)
        version = open_version(contract)
        if version is None or version.state != VersionState.DRAFT:
            raise InvalidTransition(_("There is no draft to send."))
        problems = send_problems(contract, version)
        if problems:
            raise TermsInvalid(_("The contract cannot be sent for signature yet."), problems)
        version.state, version.sent_at = VersionState.SIGNING, timezone.now()
        try:
            with transaction.atomic():
                version.save(update_fields=["state", "sent_at"])
        except IntegrityError as exc:  # the database's own check of the schedule
            raise TermsInvalid(_("The milestones must add up to the price exactly."), [str(exc)]) from exc
        if contract.state == ContractState.DRAFT:
            contract.state = ContractState.SIGNING
            contract.save(update_fields=["state"])
        _event(contract, "send", by, summary={"version": version.number})
        signers = _agency_people(contract, Role.AGENCY_APPROVER) + _organisation_people(contract, Role.ORG_ADMIN)
        _tell(signers, "contract_for_signature", contract, exclude=by, version=version.number)
    return version


def contract_recall(*, contract: Contract, by: User, reason: str) -> ContractVersion:
    """Back to draft before both have signed: the agency recalls it, or the
    organisation's admin declines it. Signatures given are cleared."""
    reason = reason.strip()
    is_agency = policy.can_draft_contract(by, contract.agency) or policy.can_sign_for_agency(by, contract.agency)
    if not (is_agency or policy.can_sign_for_organisation(by, contract.organisation)):
        raise NotAllowed(_("Only the parties' signatories recall or decline a contract."))
    if len(reason) < 4:
        raise ReasonRequired(_("Give a reason; it is kept with the contract."))
    _refuse_identity(contract, {"reason": reason})
    with transaction.atomic():
        contract = _lock(contract)
        version = open_version(contract)
        if version is None or version.state != VersionState.SIGNING:
            raise InvalidTransition(_("Only a contract awaiting signatures can be sent back to draft."))
        version.state = VersionState.DRAFT
        version.organisation_signed_by = version.agency_signed_by = None
        version.organisation_signed_at = version.agency_signed_at = None
        version.save()
        if contract.state == ContractState.SIGNING:
            contract.state = ContractState.DRAFT
            contract.save(update_fields=["state"])
        _event(contract, "recall" if is_agency else "decline", by, reason=reason, summary={"version": version.number})
        people = [*_agency_people(contract, Role.AGENCY_APPROVER), contract.prepared_by]
        people += _organisation_people(contract, Role.ORG_ADMIN)
        _tell(people, "contract_returned", contract, exclude=by, reason=reason)
    return version


def contract_sign(*, contract: Contract, by: User, side: str) -> ContractVersion:
    """Sign the version awaiting signatures for ``side`` ("agency" or "organisation").
    The view asks for re-authentication first. With both signatures the version is in
    force: the first one makes the contract active (and commits the price in the
    journal), an amendment replaces the version before it."""
    if side == "agency" and not policy.can_sign_for_agency(by, contract.agency):
        raise NotAllowed(_("Only an approver of the buying agency signs for it."))
    if side == "organisation" and not policy.can_sign_for_organisation(by, contract.organisation):
        raise NotAllowed(_("Only an administrator of the organisation signs for it."))
    if side not in {"agency", "organisation"}:
        raise NotAllowed(_("Unknown party."))
    with transaction.atomic():
        contract = _lock(contract)
        version = open_version(contract)
        if version is None or version.state != VersionState.SIGNING:
            raise InvalidTransition(_("Nothing is awaiting signature."))
        now = timezone.now()
        if getattr(version, f"{side}_signed_at"):
            raise InvalidTransition(_("This party has already signed."))
        setattr(version, f"{side}_signed_by", by)
        setattr(version, f"{side}_signed_at", now)
        version.save()
        _event(contract, f"sign_{side}", by, summary={"version": version.number})
        if version.organisation_signed_at and version.agency_signed_at:
            _in_force(contract, version, by)
        else:
            other = (
                _organisation_people(contract, Role.ORG_ADMIN)
                if side == "agency"
                else _agency_people(contract, Role.AGENCY_APPROVER)
            )
            _tell(other, "contract_for_signature", contract, exclude=by, version=version.number)
    return version


def _in_force(contract: Contract, version: ContractVersion, by: User) -> None:
    from needs.services import need_transition

    previous = current_version(contract)
    if previous is not None:
        previous.state = VersionState.SUPERSEDED
        previous.save(update_fields=["state"])
    version.state = VersionState.SIGNED
    version.save(update_fields=["state"])
    old_price = contract.price if previous else ZERO
    contract.price, contract.payment_days = version.price, version.payment_days
    contract.term_start, contract.term_end = version.term_start, version.term_end
    if previous is None:
        contract.state, contract.signed_at = ContractState.ACTIVE, timezone.now()
        ledger.post(
            contract=contract,
            kind=EntryKind.COMMITMENT,
            memo=f"{contract.number} v1",
            lines=ledger.commitment(version.price),
            by=by,
        )
        need_transition(need=contract.need, action="contract", by=by, contract=contract)
    else:
        if version.price != old_price:
            ledger.post(
                contract=contract,
                kind=EntryKind.AMENDMENT,
                memo=f"{contract.number} v{version.number}",
                lines=ledger.commitment(version.price - old_price),
                by=by,
                reason=version.reason,
            )
        scheduled = set(version.milestone_terms.values_list("milestone_id", flat=True))
        contract.milestones.filter(settlement=False).exclude(pk__in=scheduled).exclude(
            state=MilestoneState.ACCEPTED
        ).update(state=MilestoneState.CANCELLED, state_reason=version.reason)
    contract.save()
    register_refresh(contract)
    _event(contract, "in_force", by, summary={"version": version.number, "price": str(version.price)})
    _complete_if_done(contract, by)
    people = [*_agency_people(contract, Role.AGENCY_APPROVER, Role.AGENCY_FINANCE), contract.prepared_by]
    _tell(people + _organisation_people(contract), "contract_in_force", contract, version=version.number)


def contract_amend(*, contract: Contract, by: User, reason: str) -> ContractVersion:
    """Start an amendment: a new draft version copying the terms in force."""
    reason = reason.strip()
    if not policy.can_draft_contract(by, contract.agency):
        raise NotAllowed(_("Only caseworkers and approvers of the buying agency amend its contracts."))
    if len(reason) < 4:
        raise ReasonRequired(_("Give the reason for the amendment; it is kept with the new version."))
    _refuse_identity(contract, {"reason": reason})
    with transaction.atomic():
        contract = _lock(contract)
        if contract.state != ContractState.ACTIVE:
            raise InvalidTransition(_("Only a contract in force can be amended."))
        if open_version(contract) is not None:
            raise InvalidTransition(_("An amendment is already being prepared."))
        base = current_version(contract)
        version = ContractVersion.objects.create(
            contract=contract,
            number=base.number + 1,
            created_by=by,
            reason=reason,
            **{f: getattr(base, f) for f in TERM_FIELDS},
        )
        for t in schedule(base):
            if t.milestone.state == MilestoneState.CANCELLED:
                continue
            MilestoneTerms.objects.create(
                version=version,
                milestone=t.milestone,
                position=t.position,
                **{
                    f: getattr(t, f)
                    for f in ("description", "due_date", "amount", "deliverables", "evidence_required", "service")
                },
            )
        PerformanceIndicator.objects.bulk_create(
            [
                PerformanceIndicator(version=version, position=i.position, name=i.name, target=i.target)
                for i in base.indicators.all()
            ]
        )
        _event(contract, "amend", by, reason=reason, summary={"version": version.number})
    return version


def contract_discard_amendment(*, contract: Contract, by: User) -> None:
    if not policy.can_draft_contract(by, contract.agency):
        raise NotAllowed(_("Only caseworkers and approvers of the buying agency amend its contracts."))
    with transaction.atomic():
        contract = _lock(contract)
        version = open_version(contract)
        if version is None or version.number == 1 or version.state != VersionState.DRAFT:
            raise InvalidTransition(_("There is no draft amendment to discard."))
        version.state = VersionState.DISCARDED
        version.save(update_fields=["state"])
        _event(contract, "discard_amendment", by, summary={"version": version.number})


def contract_terminate(
    *, contract: Contract, by: User, reason: str, settlement: Decimal = ZERO, settlement_description: str = ""
) -> Contract:
    """End a contract in force early. What was accepted stays payable; work delivered
    but not accepted may be settled for an amount (it becomes payable at once); the
    rest of the commitment is released; the need closes."""
    from needs.services import need_transition

    reason = reason.strip()
    settlement = Decimal(settlement or 0)
    if not policy.can_sign_for_agency(by, contract.agency):
        raise NotAllowed(_("Only an approver of the buying agency terminates its contracts."))
    if len(reason) < 4:
        raise ReasonRequired(_("Give the reason for terminating; it is kept with the contract."))
    _refuse_identity(contract, {"reason": reason, "settlement_description": settlement_description})
    with transaction.atomic():
        contract = _lock(contract)
        if contract.state != ContractState.ACTIVE:
            raise InvalidTransition(_("Only a contract in force can be terminated."))
        accepted = contract.milestones.aggregate(s=Sum("accepted_amount"))["s"] or ZERO
        left = contract.price - accepted
        if settlement < 0 or settlement > left:
            raise TermsInvalid(
                _("The settlement must be between 0 and what is not yet accepted, %(left)s.") % {"left": f"{left:,.2f}"}
            )
        if settlement and len(settlement_description.strip()) < 4:
            raise ReasonRequired(_("Say what delivered work the settlement pays for."))
        version = open_version(contract)
        if version is not None:
            version.state = VersionState.DISCARDED
            version.save(update_fields=["state"])
        now = timezone.now()
        contract.milestones.exclude(state=MilestoneState.ACCEPTED).update(
            state=MilestoneState.CANCELLED, state_reason=reason
        )
        if settlement:
            milestone = Milestone.objects.create(
                contract=contract,
                settlement=True,
                settlement_description=settlement_description.strip(),
                state=MilestoneState.ACCEPTED,
                accepted_at=now,
                accepted_by=by,
                accepted_amount=settlement,
                payment_due=timezone.localdate() + timedelta(days=contract.payment_days),
            )
            ledger.post(
                contract=contract,
                kind=EntryKind.ACCEPTANCE,
                memo=_("Settlement on termination"),
                lines=ledger.acceptance(settlement),
                by=by,
                milestone=milestone,
            )
        if left - settlement:
            ledger.post(
                contract=contract,
                kind=EntryKind.RELEASE,
                memo=_("Commitment released on termination"),
                lines=ledger.commitment(-(left - settlement)),
                by=by,
            )
        contract.state, contract.terminated_at, contract.state_reason = ContractState.TERMINATED, now, reason
        contract.save(update_fields=["state", "terminated_at", "state_reason"])
        register_refresh(contract)
        _event(contract, "terminate", by, reason=reason, summary={"settlement": str(settlement)})
        need_transition(need=contract.need, action="close", by=by, reason=reason, contract=contract)
        people = _agency_people(contract, Role.AGENCY_APPROVER, Role.AGENCY_FINANCE, Role.AGENCY_ADMIN)
        _tell(people + _organisation_people(contract), "contract_terminated", contract, exclude=by, reason=reason)
    return contract


# --- Evidence and submission ---------------------------------------------------------


def _lock_milestone(milestone: Milestone) -> Milestone:
    return Milestone.objects.select_for_update().select_related("contract", "contract__agency").get(pk=milestone.pk)


def _check_worker(milestone: Milestone, by: User) -> None:
    if not policy.can_work_on_contract(by, milestone.contract):
        raise NotAllowed(_("Only members of the contracted organisation record its work."))


WORK_STATES = {MilestoneState.PENDING, MilestoneState.RETURNED, MilestoneState.SUBMITTED}


def evidence_record_add(*, milestone: Milestone, by: User, data: dict) -> ServiceRecord:
    _check_worker(milestone, by)
    _refuse_identity(milestone.contract, {k: data.get(k, "") for k in ("worker", "activity", "notes")})
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        if milestone.contract.state != ContractState.ACTIVE or milestone.state not in WORK_STATES:
            raise InvalidTransition(_("Evidence is added while the milestone is open and the contract in force."))
        if data["date"] > timezone.localdate():
            raise InvalidTransition(_("A service record cannot be dated in the future."))
        record_ = ServiceRecord.objects.create(milestone=milestone, recorded_by=by, **data)
        _event(milestone.contract, "evidence_record", by, milestone=milestone, summary={"hours": str(data["hours"])})
    return record_


def evidence_file_add(*, milestone: Milestone, by: User, upload, checked) -> EvidenceFile:
    """``checked`` is the vetting upload check's description of ``upload``."""
    _check_worker(milestone, by)
    _refuse_identity(milestone.contract, {"display_name": checked.display_name})
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        if milestone.contract.state != ContractState.ACTIVE or milestone.state not in WORK_STATES:
            raise InvalidTransition(_("Evidence is added while the milestone is open and the contract in force."))
        item = EvidenceFile(
            milestone=milestone,
            display_name=checked.display_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )
        item.file.save("evidence" + checked.extension, upload, save=False)
        item.save()
        _event(milestone.contract, "evidence_file", by, milestone=milestone, summary={"sha256": checked.sha256})
    return item


def milestone_submit(*, milestone: Milestone, by: User) -> Milestone:
    _check_worker(milestone, by)
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        if milestone.contract.state != ContractState.ACTIVE or milestone.state not in {
            MilestoneState.PENDING,
            MilestoneState.RETURNED,
        }:
            raise InvalidTransition(_("Only an open milestone of a contract in force is submitted."))
        if not (milestone.service_records.exists() or milestone.evidence_files.exists()):
            raise InvalidTransition(_("Add the evidence first: at least one service record or file."))
        milestone.state, milestone.submitted_at, milestone.submitted_by = MilestoneState.SUBMITTED, timezone.now(), by
        milestone.state_reason = ""
        milestone.acceptance_escalated_at = None
        milestone.save()
        _event(milestone.contract, "submit", by, milestone=milestone)
        _tell(
            _agency_people(milestone.contract, Role.AGENCY_APPROVER),
            "milestone_submitted",
            milestone.contract,
            exclude=milestone.contract.prepared_by,
            milestone=_label(milestone),
        )
    return milestone


def _label(milestone: Milestone) -> str:
    if milestone.settlement:
        return _("Settlement on termination")
    terms = terms_of(milestone)
    return terms.description if terms else f"#{milestone.pk}"


# --- Beneficiary confirmation --------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _code_hash(token: str, code: str) -> str:
    return keyed_hash(f"{token}:{code}", purpose="service-confirmation")


def confirmation_create(
    *, milestone: Milestone, by: User, email: str = "", language: str = ""
) -> tuple[Confirmation, str, str]:
    """A one-time link (token) and six-digit code for the beneficiary, valid for seven
    days; any earlier unused one for the milestone stops working. Returns the
    confirmation, the token and the code (neither is stored: only their hashes)."""
    _check_worker(milestone, by)
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        terms = terms_of(milestone)
        if milestone.contract.state != ContractState.ACTIVE or milestone.state not in WORK_STATES:
            raise InvalidTransition(_("A confirmation is asked while the milestone is open and the contract in force."))
        if terms is None or not terms.service:
            raise InvalidTransition(_("Only a service milestone is confirmed by the beneficiary."))
        now = timezone.now()
        milestone.confirmations.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        token = secrets.token_urlsafe(24)
        code = f"{secrets.randbelow(1_000_000):06d}"
        confirmation = Confirmation.objects.create(
            milestone=milestone,
            token_hash=_token_hash(token),
            code_hash=_code_hash(token, code),
            created_by=by,
            expires_at=now + timedelta(days=CONFIRMATION_DAYS),
        )
        _event(milestone.contract, "confirmation_link", by, milestone=milestone, summary={"emailed": bool(email)})
        if email:
            link = settings.SITE_URL.rstrip("/") + url_for("confirm:page", token)
            context = {"link": link, "code": code, "organisation": milestone.contract.organisation.legal_name}
            transaction.on_commit(
                lambda: send_templated_email(
                    to=email,
                    template="contracts/email/confirmation",
                    context=context,
                    language=language or settings.LANGUAGE_CODE,
                )
            )
    return confirmation, token, code


def confirmation_for(token: str) -> Confirmation | None:
    """The confirmation a link opens, if it still may be answered."""
    if not token or len(token) > 100:
        return None
    confirmation = (
        Confirmation.objects.select_related("milestone__contract__organisation")
        .filter(token_hash=_token_hash(token))
        .first()
    )
    if confirmation is None or not _answerable(confirmation):
        return None
    return confirmation


def _answerable(confirmation: Confirmation) -> bool:
    return (
        confirmation.used_at is None
        and confirmation.locked_at is None
        and confirmation.expires_at > timezone.now()
        and confirmation.milestone.state in WORK_STATES
    )


def confirmation_answer(*, token: str, code: str, outcome: str, rating: int | None, note: str) -> Confirmation:
    """The beneficiary's answer, checked against the code. A wrong code counts; the
    fifth locks the link. Raises ConfirmationRefused (with nothing but the count
    changed) otherwise."""
    if outcome not in ConfirmationOutcome.values:
        raise ConfirmationRefused(_("Choose whether the service happened."))
    if rating is not None and not 1 <= rating <= 5:
        raise ConfirmationRefused(_("A rating is from 1 to 5."))
    if outcome == ConfirmationOutcome.DISPUTED and len(note.strip()) < 2:
        raise ConfirmationRefused(_("Tell us briefly what went wrong."))
    with transaction.atomic():
        confirmation = (
            Confirmation.objects.select_for_update()
            .select_related("milestone__contract")
            .filter(token_hash=_token_hash(token or ""))
            .first()
        )
        if confirmation is None or not _answerable(confirmation):
            raise ConfirmationRefused(_("This link can no longer be used. Ask your social worker for a new one."))
        if not secrets.compare_digest(confirmation.code_hash, _code_hash(token, (code or "").strip())):
            # The count is kept (the refusal is raised after this block commits).
            confirmation.failures += 1
            if confirmation.failures >= CONFIRMATION_MAX_FAILURES:
                confirmation.locked_at = timezone.now()
            confirmation.save(update_fields=["failures", "locked_at"])
            record(
                action="contract.confirmation_wrong_code",
                obj=confirmation,
                summary={"failures": confirmation.failures},
                outcome="denied",
                actor_label="beneficiary",
            )
            wrong = confirmation
        else:
            wrong = None
            _answer(confirmation, outcome=outcome, rating=rating, note=note)
    if wrong is not None:
        if wrong.locked_at:
            raise ConfirmationRefused(
                _("The code was wrong too many times; this link is locked. Ask your social worker for a new one.")
            )
        raise ConfirmationRefused(
            _("That code is not right. %(left)d tries left.") % {"left": CONFIRMATION_MAX_FAILURES - wrong.failures}
        )
    return confirmation


def _answer(confirmation: Confirmation, *, outcome: str, rating: int | None, note: str) -> None:
    confirmation.used_at = timezone.now()
    confirmation.outcome = outcome
    confirmation.rating = rating
    confirmation.note = note.strip()[:1000]
    confirmation.save()
    contract = confirmation.milestone.contract
    ContractEvent.objects.create(contract=contract, action=f"beneficiary_{outcome}", milestone=confirmation.milestone)
    record(
        action=f"contract.beneficiary_{outcome}",
        obj=confirmation,
        summary={"contract": contract.number, "rating": rating},
        actor_label="beneficiary",
    )
    if outcome == ConfirmationOutcome.DISPUTED:
        _tell(
            _agency_people(contract, Role.AGENCY_APPROVER) + _organisation_people(contract),
            "confirmation_disputed",
            contract,
            milestone=_label(confirmation.milestone),
        )


def dispute_resolve(*, confirmation: Confirmation, by: User, resolution: str, note: str) -> Confirmation:
    """The agency decides a dispute: upheld sends the milestone back to the
    organisation, dismissed lets acceptance go ahead."""
    note = note.strip()
    contract = Contract.objects.select_related("agency").get(pk=confirmation.milestone.contract_id)
    if not policy.can_accept_milestone(by, contract):
        raise NotAllowed(_("Only an approver of the buying agency who did not prepare the contract decides."))
    if resolution not in DisputeResolution.values:
        raise InvalidTransition(_("Choose how the dispute is resolved."))
    if len(note) < 4:
        raise ReasonRequired(_("Record what was found; it is kept with the dispute."))
    _refuse_identity(contract, {"note": note})
    with transaction.atomic():
        milestone = _lock_milestone(confirmation.milestone)
        confirmation = Confirmation.objects.select_for_update().get(pk=confirmation.pk)
        if not confirmation.open_dispute:
            raise InvalidTransition(_("This dispute is already resolved."))
        confirmation.resolution, confirmation.resolution_note = resolution, note
        confirmation.resolved_by, confirmation.resolved_at = by, timezone.now()
        confirmation.save()
        if resolution == DisputeResolution.UPHELD and milestone.state == MilestoneState.SUBMITTED:
            milestone.state, milestone.state_reason = MilestoneState.RETURNED, note
            milestone.save(update_fields=["state", "state_reason"])
        _event(contract, f"dispute_{resolution}", by, milestone=milestone, reason=note)
        _tell(_organisation_people(contract), "dispute_resolved", contract, milestone=_label(milestone))
    return confirmation


# --- Acceptance ----------------------------------------------------------------------


def _beneficiary_confirmed(milestone: Milestone) -> bool:
    """The person served last answered that the service happened, or disputed it and the
    dispute was dismissed. The latest answer counts: an upheld dispute voids an earlier yes."""
    answered = [c for c in milestone.confirmations.all() if c.used_at is not None]
    if not answered:
        return False
    last = max(answered, key=lambda c: (c.used_at, c.pk))
    return last.outcome == ConfirmationOutcome.CONFIRMED or last.resolution == DisputeResolution.DISMISSED


def milestone_accept(*, milestone: Milestone, by: User) -> Milestone:
    """验收: an approver who did not prepare the contract accepts a submitted milestone;
    a service milestone only once the beneficiary has confirmed it. The payment clock
    starts: due within the contract's payment days."""
    contract = Contract.objects.select_related("agency").get(pk=milestone.contract_id)  # as it is now
    if not policy.can_accept_milestone(by, contract):
        if policy.can_sign_for_agency(by, contract.agency):
            raise SeparationOfDuties(_("You prepared this contract, so another approver must accept its work."))
        raise NotAllowed(_("Only an approver of the buying agency accepts its contracts' work."))
    with transaction.atomic():
        contract = _lock(contract)
        milestone = _lock_milestone(milestone)
        if contract.state != ContractState.ACTIVE or milestone.state != MilestoneState.SUBMITTED:
            raise InvalidTransition(_("Only a submitted milestone of a contract in force is accepted."))
        if any(c.open_dispute for c in milestone.confirmations.all()):
            raise InvalidTransition(_("The beneficiary disputes this service: resolve the dispute first."))
        terms = terms_of(milestone)
        if terms.service and not _beneficiary_confirmed(milestone):
            # The terms make the person served the witness of a service milestone: without
            # their confirmation (or a dismissed dispute) the work is not shown delivered.
            raise InvalidTransition(
                _("The terms require the beneficiary's confirmation of this service: ask for it first.")
            )
        now = timezone.now()
        milestone.state, milestone.accepted_at, milestone.accepted_by = MilestoneState.ACCEPTED, now, by
        milestone.accepted_amount = terms.amount
        milestone.payment_due = timezone.localdate() + timedelta(days=contract.payment_days)
        milestone.state_reason = ""
        milestone.save()
        ledger.post(
            contract=contract,
            kind=EntryKind.ACCEPTANCE,
            memo=terms.description,
            lines=ledger.acceptance(terms.amount),
            by=by,
            milestone=milestone,
        )
        register_refresh(contract)
        _event(contract, "accept", by, milestone=milestone, summary={"amount": str(terms.amount)})
        params = {"milestone": terms.description, "due": milestone.payment_due.isoformat()}
        _tell(_organisation_people(contract), "milestone_accepted", contract, **params)
        _tell(_agency_people(contract, Role.AGENCY_FINANCE), "payment_to_make", contract, exclude=by, **params)
        _complete_if_done(contract, by)
    return milestone


def milestone_return(*, milestone: Milestone, by: User, reason: str) -> Milestone:
    reason = reason.strip()
    contract = Contract.objects.select_related("agency").get(pk=milestone.contract_id)  # as it is now
    if not policy.can_accept_milestone(by, contract):
        if policy.can_sign_for_agency(by, contract.agency):
            raise SeparationOfDuties(_("You prepared this contract, so another approver must decide on its work."))
        raise NotAllowed(_("Only an approver of the buying agency decides on its contracts' work."))
    if len(reason) < 4:
        raise ReasonRequired(_("Say what is missing; the organisation sees it."))
    _refuse_identity(contract, {"reason": reason})
    with transaction.atomic():
        milestone = _lock_milestone(milestone)
        if milestone.state != MilestoneState.SUBMITTED:
            raise InvalidTransition(_("Only a submitted milestone is returned."))
        milestone.state, milestone.state_reason = MilestoneState.RETURNED, reason
        milestone.save(update_fields=["state", "state_reason"])
        _event(contract, "return", by, milestone=milestone, reason=reason)
        _tell(
            _organisation_people(contract), "milestone_returned", contract, milestone=_label(milestone), reason=reason
        )
    return milestone


def _complete_if_done(contract: Contract, by) -> None:
    if contract.state != ContractState.ACTIVE:
        return
    live = contract.milestones.exclude(state=MilestoneState.CANCELLED)
    if live.exists() and not live.exclude(state=MilestoneState.ACCEPTED).exists():
        contract.state, contract.completed_at = ContractState.COMPLETED, timezone.now()
        contract.save(update_fields=["state", "completed_at"])
        _event(contract, "complete", by)
        _tell(
            _agency_people(contract, Role.AGENCY_APPROVER) + _organisation_people(contract, Role.ORG_ADMIN),
            "contract_completed",
            contract,
        )


# --- Payments ------------------------------------------------------------------------


def payment_record(
    *, milestone: Milestone, by: User, amount: Decimal, paid_on: date, reference: str, proof=None, checked=None
) -> Payment:
    """A finance officer records a payment made through the treasury. It counts once a
    second finance officer authorises it."""
    contract = milestone.contract
    if not policy.can_handle_payments(by, contract.agency):
        raise NotAllowed(_("Only finance officers of the buying agency record its payments."))
    reference = reference.strip()
    amount = Decimal(amount)
    if not reference:
        raise PaymentRefused(_("Give the treasury or bank reference."))
    if amount <= 0:
        raise PaymentRefused(_("The amount must be more than zero."))
    if paid_on > timezone.localdate():
        raise PaymentRefused(_("A payment cannot be dated in the future."))
    try:
        with transaction.atomic():
            milestone = _lock_milestone(milestone)
            if milestone.state != MilestoneState.ACCEPTED:
                raise PaymentRefused(_("Nothing is paid before the work is accepted."))
            if paid_on < timezone.localdate(milestone.accepted_at):
                raise PaymentRefused(_("A payment cannot be dated before the acceptance."))
            if milestone.payments.filter(state=PaymentState.RECORDED).exists():
                raise PaymentRefused(_("A payment for this milestone is already awaiting authorisation."))
            if amount > milestone.outstanding:
                raise PaymentRefused(
                    _("The amount is more than what is accepted and unpaid, %(left)s.")
                    % {"left": f"{milestone.outstanding:,.2f}"}
                )
            if (
                Payment.objects.filter(agency=contract.agency, reference=reference)
                .exclude(state=PaymentState.REJECTED)
                .exists()
            ):
                raise PaymentRefused(_("This reference is already recorded for another payment."))
            payment = Payment(
                contract=contract,
                milestone=milestone,
                agency=contract.agency,
                amount=amount,
                paid_on=paid_on,
                reference=reference,
                recorded_by=by,
            )
            if proof is not None and checked is not None:
                payment.proof_name, payment.proof_type, payment.proof_sha256 = (
                    checked.display_name,
                    checked.content_type,
                    checked.sha256,
                )
                payment.proof.save("proof" + checked.extension, proof, save=False)
            payment.save()
            _event(contract, "payment_record", by, milestone=milestone, summary={"amount": str(amount)})
            _tell(
                _agency_people(contract, Role.AGENCY_FINANCE),
                "payment_to_authorise",
                contract,
                exclude=by,
                amount=f"{amount:,.2f}",
            )
    except IntegrityError as exc:  # the same payment recorded at the same moment by someone else
        raise PaymentRefused(_("A payment for this milestone is already awaiting authorisation.")) from exc
    return payment


def payment_authorise(*, payment: Payment, by: User) -> Payment:
    """The second finance officer, neither the recorder nor the acceptor, authorises."""
    contract = payment.contract
    if not policy.can_handle_payments(by, contract.agency):
        raise NotAllowed(_("Only finance officers of the buying agency authorise its payments."))
    with transaction.atomic():
        milestone = _lock_milestone(payment.milestone)
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.state != PaymentState.RECORDED:
            raise PaymentRefused(_("This payment is not awaiting authorisation."))
        if payment.recorded_by_id == by.pk:
            raise SeparationOfDuties(_("You recorded this payment, so another finance officer must authorise it."))
        if milestone.accepted_by_id == by.pk:
            raise SeparationOfDuties(
                _("You accepted this work, so another finance officer must authorise its payment.")
            )
        if payment.amount > milestone.outstanding:
            raise PaymentRefused(_("The amount is more than what is accepted and unpaid."))
        now = timezone.now()
        payment.state, payment.authorised_by, payment.authorised_at = PaymentState.AUTHORISED, by, now
        payment.save()
        milestone.paid_amount += payment.amount
        if milestone.paid_amount == milestone.accepted_amount:
            milestone.paid_at = now
        milestone.save(update_fields=["paid_amount", "paid_at"])
        ledger.post(
            contract=contract,
            kind=EntryKind.PAYMENT,
            memo=payment.reference,
            lines=ledger.payment(payment.amount),
            by=by,
            milestone=milestone,
            payment=payment,
        )
        register_refresh(contract)
        _event(contract, "payment_authorise", by, milestone=milestone, summary={"amount": str(payment.amount)})
        _tell(
            _organisation_people(contract),
            "payment_made",
            contract,
            amount=f"{payment.amount:,.2f}",
            reference=payment.reference,
        )
    return payment


def payment_reject(*, payment: Payment, by: User, reason: str) -> Payment:
    reason = reason.strip()
    contract = payment.contract
    if not policy.can_handle_payments(by, contract.agency):
        raise NotAllowed(_("Only finance officers of the buying agency decide on its payments."))
    if len(reason) < 4:
        raise ReasonRequired(_("Say why the record is rejected."))
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.state != PaymentState.RECORDED:
            raise PaymentRefused(_("This payment is not awaiting authorisation."))
        payment.state, payment.rejection_reason = PaymentState.REJECTED, reason
        payment.save(update_fields=["state", "rejection_reason"])
        _event(contract, "payment_reject", by, milestone=payment.milestone, reason=reason)
        _tell([payment.recorded_by], "payment_rejected", contract, exclude=by, reason=reason)
    return payment


def journal_reverse(*, entry: JournalEntry, by: User, reason: str) -> JournalEntry:
    """Correct an acceptance or a payment posted in error with a reversing entry. A
    reversed payment no longer counts as paid; a reversed acceptance sends the
    milestone back to the agency's decision (only while nothing is paid on it)."""
    reason = reason.strip()
    contract = entry.contract
    if not policy.can_handle_payments(by, contract.agency):
        raise NotAllowed(_("Only finance officers of the buying agency correct its journal."))
    if len(reason) < 4:
        raise ReasonRequired(_("A correction needs its reason."))
    with transaction.atomic():
        contract = _lock(contract)
        entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        if JournalEntry.objects.filter(reverses=entry).exists():
            raise InvalidTransition(_("This entry is already reversed."))
        if entry.kind == EntryKind.PAYMENT and entry.payment_id:
            milestone = _lock_milestone(entry.milestone)
            payment = Payment.objects.select_for_update().get(pk=entry.payment_id)
            milestone.paid_amount -= payment.amount
            milestone.paid_at = None
            milestone.save(update_fields=["paid_amount", "paid_at"])
            payment.state = PaymentState.REVERSED
            payment.save(update_fields=["state"])
        elif entry.kind == EntryKind.ACCEPTANCE and entry.milestone_id and not entry.milestone.settlement:
            milestone = _lock_milestone(entry.milestone)
            if milestone.paid_amount or milestone.payments.filter(state=PaymentState.RECORDED).exists():
                raise InvalidTransition(_("Reverse the payments of this milestone first."))
            milestone.state, milestone.accepted_amount = MilestoneState.SUBMITTED, ZERO
            milestone.accepted_at = milestone.accepted_by = milestone.payment_due = None
            milestone.state_reason = reason
            milestone.save()
            if contract.state == ContractState.COMPLETED:
                contract.state, contract.completed_at = ContractState.ACTIVE, None
                contract.save(update_fields=["state", "completed_at"])
        else:
            raise InvalidTransition(_("Only an acceptance or a payment is corrected this way."))
        reversal = ledger.post(
            contract=contract,
            kind=EntryKind.REVERSAL,
            memo=_("Reversal of entry #%(entry)s") % {"entry": entry.pk},
            lines=ledger.reversal_lines(entry),
            by=by,
            milestone=entry.milestone,
            payment=entry.payment,
            reverses=entry,
            reason=reason,
        )
        register_refresh(contract)
        _event(contract, "reverse", by, milestone=entry.milestone, reason=reason, summary={"entry": entry.pk})
    return reversal


# --- Evaluation and closing ----------------------------------------------------------


def final_report_upload(*, contract: Contract, by: User, upload, checked) -> FinalReport:
    if not policy.can_work_on_contract(by, contract):
        raise NotAllowed(_("Only members of the contracted organisation upload its final report."))
    with transaction.atomic():
        contract = _lock(contract)
        if contract.state != ContractState.COMPLETED:
            raise InvalidTransition(_("The final report is uploaded once every milestone is accepted."))
        if FinalReport.objects.filter(contract=contract).exists():
            raise InvalidTransition(_("The final report is already uploaded."))
        report = FinalReport(
            contract=contract,
            display_name=checked.display_name,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by=by,
        )
        report.file.save("report" + checked.extension, upload, save=False)
        report.save()
        _event(contract, "final_report", by, summary={"sha256": checked.sha256})
    return report


def beneficiary_ratings(contract: Contract) -> list[int]:
    return list(
        Confirmation.objects.filter(
            milestone__contract=contract, rating__isnull=False, outcome=ConfirmationOutcome.CONFIRMED
        ).values_list("rating", flat=True)
    )


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


def contract_evaluate(*, contract: Contract, by: User, scores: dict[int, tuple[int, str]], summary: str) -> Evaluation:
    """绩效评价: the agency scores every indicator 1–5; beneficiaries' ratings join it."""
    if not policy.can_sign_for_agency(by, contract.agency):
        raise NotAllowed(_("Only an approver of the buying agency evaluates its contracts."))
    summary = summary.strip()
    if len(summary) < 4:
        raise ReasonRequired(_("Write the overall assessment."))
    _refuse_identity(
        contract, {"summary": summary} | {f"indicator-{pk}-notes": note for pk, (_score, note) in scores.items()}
    )
    with transaction.atomic():
        contract = _lock(contract)
        if contract.state != ContractState.COMPLETED:
            raise InvalidTransition(_("A contract is evaluated once every milestone is accepted."))
        if Evaluation.objects.filter(contract=contract).exists():
            raise InvalidTransition(_("This contract is already evaluated."))
        indicators = list(current_version(contract).indicators.all())
        if {i.pk for i in indicators} != set(scores):
            raise TermsInvalid(_("Score every performance indicator."))
        if any(not isinstance(s, int) or not 1 <= s <= 5 for s, _n in scores.values()):
            raise TermsInvalid(_("Each score is a whole number from 1 to 5."))
        ratings = beneficiary_ratings(contract)
        average = Decimal(sum(s for s, _n in scores.values())) / len(scores)
        evaluation = Evaluation.objects.create(
            contract=contract,
            by=by,
            summary=summary,
            score=average.quantize(Decimal("0.01")),
            beneficiary_rating=(Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01")) if ratings else None,
            beneficiary_ratings=len(ratings),
            on_time=delivered_on_time(contract),
        )
        IndicatorScore.objects.bulk_create(
            [
                IndicatorScore(evaluation=evaluation, indicator=i, score=scores[i.pk][0], notes=scores[i.pk][1])
                for i in indicators
            ]
        )
        register_refresh(contract)
        _event(contract, "evaluate", by, summary={"score": str(evaluation.score)})
    return evaluation


def close_problems(contract: Contract) -> list[str]:
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


def contract_close(*, contract: Contract, by: User) -> Contract:
    """Close a delivered, evaluated and fully paid contract; the need is fulfilled."""
    from needs.services import need_transition

    if not policy.can_sign_for_agency(by, contract.agency):
        raise NotAllowed(_("Only an approver of the buying agency closes its contracts."))
    with transaction.atomic():
        contract = _lock(contract)
        problems = close_problems(contract)
        if problems:
            raise TermsInvalid(_("The contract cannot be closed yet."), problems)
        contract.state, contract.closed_at = ContractState.CLOSED, timezone.now()
        contract.save(update_fields=["state", "closed_at"])
        _event(contract, "close", by)
        need_transition(need=contract.need, action="fulfil", by=by, contract=contract)
        _tell([*_organisation_people(contract), contract.prepared_by], "contract_closed", contract, exclude=by)
    return contract


# --- The payment clock ---------------------------------------------------------------


def contracts_clock_run(*, today: date | None = None) -> dict[str, int]:
    """Remind finance officers of payments falling due within a week; escalate to the
    agency's approvers and administrators payments past due and work waiting more than
    15 days for acceptance. Each once (idempotent)."""
    today = today or timezone.localdate()
    now = timezone.now()
    counts = {"reminded": 0, "payment_overdue": 0, "acceptance_overdue": 0}
    unpaid = Milestone.objects.filter(state=MilestoneState.ACCEPTED, payment_due__isnull=False).exclude(
        paid_amount__gte=F("accepted_amount")
    )
    for milestone in unpaid.filter(
        payment_reminded_at__isnull=True, payment_due__gte=today, payment_due__lte=today + timedelta(days=7)
    ).select_related("contract__agency"):
        with transaction.atomic():
            if not Milestone.objects.filter(pk=milestone.pk, payment_reminded_at__isnull=True).update(
                payment_reminded_at=now
            ):
                continue
            _tell(
                _agency_people(milestone.contract, Role.AGENCY_FINANCE),
                "payment_due_soon",
                milestone.contract,
                milestone=_label(milestone),
                due=milestone.payment_due.isoformat(),
            )
            counts["reminded"] += 1
    for milestone in unpaid.filter(payment_escalated_at__isnull=True, payment_due__lt=today).select_related(
        "contract__agency"
    ):
        with transaction.atomic():
            if not Milestone.objects.filter(pk=milestone.pk, payment_escalated_at__isnull=True).update(
                payment_escalated_at=now
            ):
                continue
            _event(milestone.contract, "payment_overdue", None, milestone=milestone)
            _tell(
                _agency_people(milestone.contract, Role.AGENCY_APPROVER, Role.AGENCY_ADMIN, Role.AGENCY_FINANCE),
                "payment_overdue",
                milestone.contract,
                milestone=_label(milestone),
                due=milestone.payment_due.isoformat(),
            )
            counts["payment_overdue"] += 1
    waiting_since = now - timedelta(days=ACCEPTANCE_OVERDUE_DAYS)
    for milestone in Milestone.objects.filter(
        state=MilestoneState.SUBMITTED, submitted_at__lt=waiting_since, acceptance_escalated_at__isnull=True
    ).select_related("contract__agency"):
        with transaction.atomic():
            if not Milestone.objects.filter(pk=milestone.pk, acceptance_escalated_at__isnull=True).update(
                acceptance_escalated_at=now
            ):
                continue
            _event(milestone.contract, "acceptance_overdue", None, milestone=milestone)
            _tell(
                _agency_people(milestone.contract, Role.AGENCY_APPROVER, Role.AGENCY_ADMIN),
                "acceptance_overdue",
                milestone.contract,
                milestone=_label(milestone),
                days=ACCEPTANCE_OVERDUE_DAYS,
            )
            counts["acceptance_overdue"] += 1
    return counts
