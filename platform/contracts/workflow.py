"""The contract's four workflows as data: the contract, its versions (the terms as
first signed and each amendment), its milestones and their payments, and the one step
of the journal. Each row says the states a step is taken from, the state it leads to
(``STAYS`` for a step that keeps it), who takes it, and what else must hold.

``contracts.services.transitions`` holds the one door of each table
(``contract_transition``, ``version_transition``, ``milestone_transition``,
``payment_transition``): it locks the rows, asks the table and writes the state and the
event. ``contracts.actions`` reads the same rows to tell a page which buttons to show, so
no view restates a rule.

Two columns beyond the core ones:

- ``precondition``: what else must hold for the step to be offered at all (the contract
  is in force, this party has not signed yet). Refused with the step's ``refusal``
  unless it says more.
- ``ready``: what must be in place before the offered step is taken (terms that add up,
  evidence, the beneficiary's confirmation). The page still offers the step and says
  what is missing; the service refuses until it is there.

Actors ``SYSTEM`` and ``ALONG`` are never offered to a person: the first is taken by the
service once its condition holds (and writes its own event), the second only as part
of another step, whose event tells it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from accounts.models import User
from contracts.exceptions import InvalidTransition, PaymentRefused, SeparationOfDuties, TermsInvalid
from contracts.models import (
    WORK_STATES,
    Contract,
    ContractState,
    ContractVersion,
    EntryKind,
    Evaluation,
    FinalReport,
    JournalEntry,
    Milestone,
    MilestoneState,
    Payment,
    PaymentState,
    VersionState,
)
from contracts.selectors import beneficiary_confirmed, close_problems, open_version, send_problems, terms_of
from core.errors import DomainError
from core.workflow import STAYS, Transition, transition_table

CONFIRMATION_DAYS = 7
CONFIRMATION_MAX_FAILURES = 5
ACCEPTANCE_OVERDUE_DAYS = 15
PAYMENT_REMINDER_DAYS = 7


class Actor:
    DRAFTER = "drafter"  # a caseworker or approver of the buying agency (or one above it)
    AGENCY_SIGNATORY = "agency_signatory"  # an approver of the buying agency (or above)
    AGENCY_SIDE = "agency_side"  # a drafter or the agency's signatory
    ORGANISATION_SIGNATORY = "organisation_signatory"  # an administrator of the organisation
    WORKER = "worker"  # a member of the contracted organisation
    ACCEPTOR = "acceptor"  # an approver of the buying agency who did not prepare the contract
    FINANCE = "finance"  # a finance officer of the buying agency (or above)
    SYSTEM = "system"  # the service, once the step's condition holds; its own event
    ALONG = "along"  # only as part of another step, whose event tells it


# Never offered to a person and never checked against one.
NOT_A_PERSON = frozenset({Actor.SYSTEM, Actor.ALONG})


Check = Callable[["Step", Any, Contract, User | None], None]


@dataclass(frozen=True, kw_only=True)
class Step(Transition):
    """A row of one of these tables: a core Transition with what its service says when
    the state does not allow it, and what must be ready before it is taken."""

    refusal: str = ""
    refused_as: type[DomainError] = InvalidTransition
    ready: Check | None = field(default=None, compare=False)

    def refused(self) -> DomainError:
        return self.refused_as(self.refusal)


# --- What must hold -------------------------------------------------------------------
# Each check is called as check(step, subject, contract, by): the subject is what the
# table is about (the contract, a version, a milestone, a payment, a journal entry), by
# the person asking. It raises a ContractError when it does not hold.


def _in_force(step: Step, subject, contract: Contract, by: User | None) -> None:
    if contract.state != ContractState.ACTIVE:
        raise step.refused()


def _no_open_version(step: Step, contract: Contract, _contract: Contract, by: User | None) -> None:
    if open_version(contract) is not None:
        raise InvalidTransition(_("An amendment is already being prepared."))


def _every_milestone_accepted(step: Step, contract: Contract, _contract: Contract, by: User | None) -> None:
    live = contract.milestones.exclude(state=MilestoneState.CANCELLED)
    if not live.exists() or live.exclude(state=MilestoneState.ACCEPTED).exists():
        raise step.refused()


def _no_final_report(step: Step, contract: Contract, _contract: Contract, by: User | None) -> None:
    if FinalReport.objects.filter(contract=contract).exists():
        raise InvalidTransition(_("The final report is already uploaded."))


def _not_evaluated(step: Step, contract: Contract, _contract: Contract, by: User | None) -> None:
    if Evaluation.objects.filter(contract=contract).exists():
        raise InvalidTransition(_("This contract is already evaluated."))


def _closable(step: Step, contract: Contract, _contract: Contract, by: User | None) -> None:
    problems = close_problems(contract)
    if problems:
        raise TermsInvalid(step.refusal, problems)


def _terms_ready(step: Step, version: ContractVersion, contract: Contract, by: User | None) -> None:
    problems = send_problems(contract, version)
    if problems:
        raise TermsInvalid(_("The contract cannot be sent for signature yet."), problems)


def _unsigned_by(side: str) -> Check:
    def check(step: Step, version: ContractVersion, contract: Contract, by: User | None) -> None:
        if getattr(version, f"{side}_signed_at"):
            raise InvalidTransition(_("This party has already signed."))

    return check


def _signed_by_both(step: Step, version: ContractVersion, contract: Contract, by: User | None) -> None:
    if not (version.organisation_signed_at and version.agency_signed_at):
        raise step.refused()


def _an_amendment(step: Step, version: ContractVersion, contract: Contract, by: User | None) -> None:
    if version.number == 1:
        raise step.refused()


def _has_evidence(step: Step, milestone: Milestone, contract: Contract, by: User | None) -> None:
    if not (milestone.service_records.exists() or milestone.evidence_files.exists()):
        raise InvalidTransition(_("Add the evidence first: at least one service record or file."))


def _service_in_force(step: Step, milestone: Milestone, contract: Contract, by: User | None) -> None:
    _in_force(step, milestone, contract, by)
    terms = terms_of(milestone)
    if terms is None or not terms.service:
        raise InvalidTransition(_("Only a service milestone is confirmed by the beneficiary."))


def _delivered(step: Step, milestone: Milestone, contract: Contract, by: User | None) -> None:
    if any(c.open_dispute for c in milestone.confirmations.all()):
        raise InvalidTransition(_("The beneficiary disputes this service: resolve the dispute first."))
    terms = terms_of(milestone)
    if terms is not None and terms.service and not beneficiary_confirmed(milestone):
        # The terms make the person served the witness of a service milestone: without
        # their confirmation (or a dismissed dispute) the work is not shown delivered.
        raise InvalidTransition(
            _("The terms require the beneficiary's confirmation of this service: ask for it first.")
        )


def _payable(step: Step, milestone: Milestone, contract: Contract, by: User | None) -> None:
    # One payment awaits authorisation per milestone at a time (also a constraint).
    if milestone.payments.filter(state=PaymentState.RECORDED).exists():
        raise PaymentRefused(_("A payment for this milestone is already awaiting authorisation."))
    if milestone.outstanding <= 0:
        raise PaymentRefused(
            _("The amount is more than what is accepted and unpaid, %(left)s.")
            % {"left": f"{milestone.outstanding:,.2f}"}
        )


def _nothing_paid(step: Step, milestone: Milestone, contract: Contract, by: User | None) -> None:
    if milestone.paid_amount or milestone.payments.filter(state=PaymentState.RECORDED).exists():
        raise InvalidTransition(_("Reverse the payments of this milestone first."))


def _four_eyes(step: Step, payment: Payment, contract: Contract, by: User | None) -> None:
    """Neither the officer who recorded a payment nor the approver who accepted the work
    authorises it (the database refuses the first too)."""
    if by is not None and payment.recorded_by_id == by.pk:
        raise SeparationOfDuties(_("You recorded this payment, so another finance officer must authorise it."))
    if by is not None and payment.milestone.accepted_by_id == by.pk:
        raise SeparationOfDuties(_("You accepted this work, so another finance officer must authorise its payment."))


def _within_outstanding(step: Step, payment: Payment, contract: Contract, by: User | None) -> None:
    if payment.amount > payment.milestone.outstanding:
        raise PaymentRefused(_("The amount is more than what is accepted and unpaid."))


def _not_reversed(step: Step, entry: JournalEntry, contract: Contract, by: User | None) -> None:
    try:
        entry.reversed_by  # noqa: B018 — loaded with the entries on the journal page, else one query
    except JournalEntry.DoesNotExist:
        return
    raise InvalidTransition(_("This entry is already reversed."))


# --- The tables ------------------------------------------------------------------------

C, V, M, P = ContractState, VersionState, MilestoneState, PaymentState

CONTRACT_TRANSITIONS: dict[str, Step] = transition_table(
    Step("send", frozenset({C.DRAFT}), C.SIGNING, Actor.ALONG, _("Sent for signature")),
    Step("recall", frozenset({C.SIGNING}), C.DRAFT, Actor.ALONG, _("Recalled to draft")),
    Step("in_force", frozenset({C.SIGNING}), C.ACTIVE, Actor.ALONG, _("In force")),
    Step(
        "amend",
        frozenset({C.ACTIVE}),
        STAYS,
        Actor.DRAFTER,
        _("Start an amendment"),
        needs_reason=True,
        precondition=_no_open_version,
        refusal=_("Only a contract in force can be amended."),
    ),
    Step(
        "terminate",
        frozenset({C.ACTIVE}),
        C.TERMINATED,
        Actor.AGENCY_SIGNATORY,
        _("Terminate the contract"),
        needs_reason=True,
        destructive=True,
        refusal=_("Only a contract in force can be terminated."),
    ),
    Step(
        "complete",
        frozenset({C.ACTIVE}),
        C.COMPLETED,
        Actor.SYSTEM,
        _("Every milestone accepted"),
        precondition=_every_milestone_accepted,
    ),
    # A reversed acceptance puts the contract back in force until the milestone is accepted again.
    Step("reopen", frozenset({C.COMPLETED}), C.ACTIVE, Actor.ALONG, _("Journal entry reversed")),
    Step(
        "final_report",
        frozenset({C.COMPLETED}),
        STAYS,
        Actor.WORKER,
        _("Final report"),
        ready=_no_final_report,
        refusal=_("The final report is uploaded once every milestone is accepted."),
    ),
    Step(
        "evaluate",
        frozenset({C.COMPLETED}),
        STAYS,
        Actor.AGENCY_SIGNATORY,
        _("Evaluate"),
        ready=_not_evaluated,
        refusal=_("A contract is evaluated once every milestone is accepted."),
    ),
    Step(
        "close",
        frozenset({C.COMPLETED}),
        C.CLOSED,
        Actor.AGENCY_SIGNATORY,
        _("Close the contract"),
        ready=_closable,
        refusal=_("The contract cannot be closed yet."),
        refused_as=TermsInvalid,
    ),
)

VERSION_TRANSITIONS: dict[str, Step] = transition_table(
    Step(
        "edit",
        frozenset({V.DRAFT}),
        STAYS,
        Actor.DRAFTER,
        _("Edit the draft"),
        refusal=_("Only a draft can be edited; a signed contract changes by amendment."),
    ),
    Step(
        "send",
        frozenset({V.DRAFT}),
        V.SIGNING,
        Actor.DRAFTER,
        _("Send for signature"),
        ready=_terms_ready,
        refusal=_("There is no draft to send."),
    ),
    Step(
        "recall",
        frozenset({V.SIGNING}),
        V.DRAFT,
        Actor.AGENCY_SIDE,
        _("Recall to draft"),
        needs_reason=True,
        destructive=True,
        refusal=_("Only a contract awaiting signatures can be sent back to draft."),
    ),
    Step(
        "decline",
        frozenset({V.SIGNING}),
        V.DRAFT,
        Actor.ORGANISATION_SIGNATORY,
        _("Decline and send back to draft"),
        needs_reason=True,
        destructive=True,
        refusal=_("Only a contract awaiting signatures can be sent back to draft."),
    ),
    Step(
        "sign_agency",
        frozenset({V.SIGNING}),
        STAYS,
        Actor.AGENCY_SIGNATORY,
        _("Signed for the agency"),
        precondition=_unsigned_by("agency"),
        refusal=_("Nothing is awaiting signature."),
    ),
    Step(
        "sign_organisation",
        frozenset({V.SIGNING}),
        STAYS,
        Actor.ORGANISATION_SIGNATORY,
        _("Signed for the organisation"),
        precondition=_unsigned_by("organisation"),
        refusal=_("Nothing is awaiting signature."),
    ),
    # With both signatures the version is in force: the first one makes the contract
    # active, an amendment supersedes the version before it.
    Step("in_force", frozenset({V.SIGNING}), V.SIGNED, Actor.SYSTEM, _("In force"), precondition=_signed_by_both),
    Step("supersede", frozenset({V.SIGNED}), V.SUPERSEDED, Actor.ALONG, _("Superseded")),
    Step(
        "discard_amendment",
        frozenset({V.DRAFT}),
        V.DISCARDED,
        Actor.DRAFTER,
        _("Discard the amendment"),
        destructive=True,
        precondition=_an_amendment,
        refusal=_("There is no draft amendment to discard."),
    ),
    # A termination discards the version in the making.
    Step("void", frozenset({V.DRAFT, V.SIGNING}), V.DISCARDED, Actor.ALONG, _("Discarded")),
)

MILESTONE_TRANSITIONS: dict[str, Step] = transition_table(
    Step(
        "evidence_record",
        WORK_STATES,
        STAYS,
        Actor.WORKER,
        _("Add a service record"),
        precondition=_in_force,
        refusal=_("Evidence is added while the milestone is open and the contract in force."),
    ),
    Step(
        "evidence_file",
        WORK_STATES,
        STAYS,
        Actor.WORKER,
        _("Add an evidence file"),
        precondition=_in_force,
        refusal=_("Evidence is added while the milestone is open and the contract in force."),
    ),
    Step(
        "submit",
        frozenset({M.PENDING, M.RETURNED}),
        M.SUBMITTED,
        Actor.WORKER,
        _("Submit for acceptance"),
        precondition=_in_force,
        ready=_has_evidence,
        refusal=_("Only an open milestone of a contract in force is submitted."),
    ),
    Step(
        "confirmation_link",
        WORK_STATES,
        STAYS,
        Actor.WORKER,
        _("Create a link and code"),
        precondition=_service_in_force,
        refusal=_("A confirmation is asked while the milestone is open and the contract in force."),
    ),
    # A dispute is decided whatever the milestone's state; upheld, it returns a submitted milestone.
    Step(
        "dispute_resolve",
        frozenset(MilestoneState.values),
        STAYS,
        Actor.ACCEPTOR,
        _("Resolve the dispute"),
        needs_reason=True,
    ),
    Step("dispute_upheld", frozenset({M.SUBMITTED}), M.RETURNED, Actor.ALONG, _("Dispute upheld")),
    Step(
        "accept",
        frozenset({M.SUBMITTED}),
        M.ACCEPTED,
        Actor.ACCEPTOR,
        _("Accept the work"),
        precondition=_in_force,
        ready=_delivered,
        refusal=_("Only a submitted milestone of a contract in force is accepted."),
    ),
    Step(
        "return",
        frozenset({M.SUBMITTED}),
        M.RETURNED,
        Actor.ACCEPTOR,
        _("Return for more evidence"),
        needs_reason=True,
        refusal=_("Only a submitted milestone is returned."),
    ),
    Step(
        "payment_record",
        frozenset({M.ACCEPTED}),
        STAYS,
        Actor.FINANCE,
        _("Record the payment"),
        precondition=_payable,
        refusal=_("Nothing is paid before the work is accepted."),
        refused_as=PaymentRefused,
    ),
    # A reversed acceptance sends the milestone back to the agency's decision.
    Step(
        "reverse_acceptance",
        frozenset({M.ACCEPTED}),
        M.SUBMITTED,
        Actor.ALONG,
        _("Journal entry reversed"),
        precondition=_nothing_paid,
    ),
    # An amendment drops milestones from the schedule, a termination ends the open ones:
    # everything not accepted (one cancelled before takes the later reason).
    Step(
        "cancel", frozenset({M.PENDING, M.SUBMITTED, M.RETURNED, M.CANCELLED}), M.CANCELLED, Actor.ALONG, _("Cancelled")
    ),
    # Delivered work settled on termination is a milestone created accepted, with no terms.
    Step("settle", frozenset(), M.ACCEPTED, Actor.ALONG, _("Settlement on termination")),
)

PAYMENT_TRANSITIONS: dict[str, Step] = transition_table(
    Step(
        "payment_authorise",
        frozenset({P.RECORDED}),
        P.AUTHORISED,
        Actor.FINANCE,
        _("Authorise"),
        precondition=_four_eyes,
        ready=_within_outstanding,
        refusal=_("This payment is not awaiting authorisation."),
        refused_as=PaymentRefused,
    ),
    Step(
        "payment_reject",
        frozenset({P.RECORDED}),
        P.REJECTED,
        Actor.FINANCE,
        _("Reject"),
        needs_reason=True,
        destructive=True,
        refusal=_("This payment is not awaiting authorisation."),
        refused_as=PaymentRefused,
    ),
    Step("reverse", frozenset({P.AUTHORISED}), P.REVERSED, Actor.ALONG, _("Reversed")),
)

# Journal entries have no state; what a reversal may correct is told by the entry's kind.
JOURNAL_TRANSITIONS: dict[str, Step] = transition_table(
    Step(
        "reverse",
        frozenset({EntryKind.ACCEPTANCE, EntryKind.PAYMENT}),
        STAYS,
        Actor.FINANCE,
        _("Reverse this entry"),
        needs_reason=True,
        destructive=True,
        precondition=_not_reversed,
        refusal=_("Only an acceptance or a payment is corrected this way."),
    ),
)
