"""Signing and amendments: a draft is sent for both signatures, recalled or declined,
signed by each party and, with both signatures, in force; a contract in force changes
only by an amendment, a new version signed again."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from contracts import ledger
from contracts.actions import check_actor, may_take
from contracts.exceptions import NotAllowed, ReasonRequired, TermsInvalid
from contracts.models import (
    TERM_FIELDS,
    Contract,
    ContractVersion,
    EntryKind,
    MilestoneState,
    MilestoneTerms,
    PerformanceIndicator,
)
from contracts.register import register_refresh
from contracts.selectors import ZERO, current_version, schedule
from contracts.services.acceptance import contract_complete_if_done
from contracts.services.common import agency_people, identity_refuse, organisation_people, tell
from contracts.services.transitions import contract_transition, milestones_cancel, version_transition
from contracts.workflow import CONTRACT_TRANSITIONS, VERSION_TRANSITIONS
from needs.services import need_transition

SIDES = ("agency", "organisation")


def contract_send(*, contract: Contract, by: User) -> ContractVersion:
    """Fix the draft's terms and send them to both parties for signature.

    Precondition: the table's ``send`` (a drafter; the version in the making is a draft
    whose terms are ready: ``selectors.send_problems`` empty). Side effects: the version
    awaits signatures (the database checks its schedule adds up), a first contract too;
    a ``send`` event; both parties' signatories are told.
    """
    with version_transition(contract=contract, action="send", by=by) as step:
        contract, version = step.contract, step.subject
        try:
            with transaction.atomic():
                step.write(sent_at=timezone.now())
        except IntegrityError as exc:  # the database's own check of the schedule
            raise TermsInvalid(_("The milestones must add up to the price exactly."), [str(exc)]) from exc
        if contract.state in CONTRACT_TRANSITIONS["send"].sources:
            with contract_transition(contract=contract, action="send", by=by):
                pass
        step.summary = {"version": version.number}
        signers = agency_people(contract, Role.AGENCY_APPROVER) + organisation_people(contract, Role.ORG_ADMIN)
        tell(signers, "contract_for_signature", contract, exclude=by, version=version.number)
    return version


def contract_recall(*, contract: Contract, by: User, reason: str) -> ContractVersion:
    """Back to draft before both have signed: the agency recalls it (``recall``), or the
    organisation's admin declines it (``decline``).

    Precondition: the table's step (the version awaits signatures), a reason of four
    characters or more that does not identify the person. Side effects: the signatures
    given are cleared, a first contract is a draft again, the event with the reason, and
    the parties are told.
    """
    reason = reason.strip()
    action = "recall" if may_take(by, VERSION_TRANSITIONS["recall"], contract=contract) else "decline"
    if not may_take(by, VERSION_TRANSITIONS[action], contract=contract):
        raise NotAllowed(_("Only the parties' signatories recall or decline a contract."))
    if len(reason) < 4:
        raise ReasonRequired(_("Give a reason; it is kept with the contract."))
    identity_refuse(contract, {"reason": reason})
    with version_transition(contract=contract, action=action, by=by, reason=reason) as step:
        contract, version = step.contract, step.subject
        step.write(
            organisation_signed_by=None, organisation_signed_at=None, agency_signed_by=None, agency_signed_at=None
        )
        if contract.state in CONTRACT_TRANSITIONS["recall"].sources:
            with contract_transition(contract=contract, action="recall", by=by):
                pass
        step.summary = {"version": version.number}
        people = [*agency_people(contract, Role.AGENCY_APPROVER), contract.prepared_by]
        people += organisation_people(contract, Role.ORG_ADMIN)
        tell(people, "contract_returned", contract, exclude=by, reason=reason)
    return version


def contract_sign(*, contract: Contract, by: User, side: str) -> ContractVersion:
    """Sign the version awaiting signatures for ``side`` ("agency" or "organisation").
    The view asks for re-authentication first.

    Precondition: the table's ``sign_agency`` or ``sign_organisation`` (that party's
    signatory; the version awaits signatures; the party has not signed). Side effects:
    the signature and its event; with both, the version is in force (``_in_force``),
    else the other party is told.
    """
    if side not in SIDES:
        raise NotAllowed(_("Unknown party."))
    with transaction.atomic():
        with version_transition(contract=contract, action=f"sign_{side}", by=by) as step:
            step.write(**{f"{side}_signed_by": by, f"{side}_signed_at": timezone.now()})
            step.summary = {"version": step.subject.number}
        contract, version = step.contract, step.subject
        if version.organisation_signed_at and version.agency_signed_at:
            version = _in_force(contract=contract, version=version, by=by)
        else:
            other = (
                organisation_people(contract, Role.ORG_ADMIN)
                if side == "agency"
                else agency_people(contract, Role.AGENCY_APPROVER)
            )
            tell(other, "contract_for_signature", contract, exclude=by, version=version.number)
    return version


def _in_force(*, contract: Contract, version: ContractVersion, by: User) -> ContractVersion:
    """Both parties signed: the version is in force. The first makes the contract
    active, commits its price in the journal and puts the need in contract; an
    amendment supersedes the version before it, commits the difference and cancels the
    milestones it no longer schedules."""
    with version_transition(contract=contract, action="in_force", by=by, version=version) as step:
        contract, version = step.contract, step.subject
        previous = current_version(contract)
        if previous is not None:
            with version_transition(contract=contract, action="supersede", by=by, version=previous):
                pass
        step.write()
        old_price = contract.price if previous else ZERO
        contract.price, contract.payment_days = version.price, version.payment_days
        contract.term_start, contract.term_end = version.term_start, version.term_end
        contract.save(update_fields=["price", "payment_days", "term_start", "term_end"])
        if previous is None:
            with contract_transition(contract=contract, action="in_force", by=by) as started:
                started.write(signed_at=timezone.now())
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
            milestones_cancel(
                milestones=contract.milestones.filter(settlement=False).exclude(pk__in=scheduled),
                reason=version.reason,
            )
        register_refresh(contract)
        step.summary = {"version": version.number, "price": str(version.price)}
    contract_complete_if_done(contract=contract, by=by)
    people = [*agency_people(contract, Role.AGENCY_APPROVER, Role.AGENCY_FINANCE), contract.prepared_by]
    tell(people + organisation_people(contract), "contract_in_force", contract, version=version.number)
    return version


def contract_amend(*, contract: Contract, by: User, reason: str) -> ContractVersion:
    """Start an amendment: a new draft version copying the terms in force.

    Precondition: the table's ``amend`` (a drafter; the contract in force, no version in
    the making), a reason of four characters or more that does not identify the person.
    Side effects: the draft version (its schedule without cancelled milestones, and the
    indicators), an ``amend`` event with the reason.
    """
    reason = reason.strip()
    check_actor(CONTRACT_TRANSITIONS["amend"], by, contract)
    if len(reason) < 4:
        raise ReasonRequired(_("Give the reason for the amendment; it is kept with the new version."))
    identity_refuse(contract, {"reason": reason})
    with contract_transition(contract=contract, action="amend", by=by, reason=reason) as step:
        contract = step.contract
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
        step.summary = {"version": version.number}
    return version


def contract_discard_amendment(*, contract: Contract, by: User) -> None:
    """Discard the draft amendment; the signed terms stand.

    Precondition: the table's ``discard_amendment`` (a drafter; the version in the making
    is a draft amendment). Side effects: the version is discarded, with its event.
    """
    with version_transition(contract=contract, action="discard_amendment", by=by) as step:
        step.summary = {"version": step.subject.number}
