"""Payments and the journal: a finance officer records a payment made through the
treasury, a second one authorises it (or rejects the record); a journal entry posted in
error is corrected by a reversing entry."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from contracts import ledger
from contracts.actions import check_actor
from contracts.exceptions import PaymentRefused, ReasonRequired
from contracts.models import EntryKind, JournalEntry, Milestone, Payment, PaymentState
from contracts.register import register_refresh
from contracts.selectors import ZERO
from contracts.services.common import agency_people, contract_event, lock_contract, organisation_people, tell
from contracts.services.transitions import (
    check_step,
    contract_transition,
    milestone_transition,
    payment_transition,
)
from contracts.workflow import CONTRACT_TRANSITIONS, JOURNAL_TRANSITIONS, MILESTONE_TRANSITIONS, PAYMENT_TRANSITIONS


def payment_record(
    *, milestone: Milestone, by: User, amount: Decimal, paid_on: date, reference: str, proof=None, checked=None
) -> Payment:
    """A finance officer records a payment made through the treasury. It counts once a
    second finance officer authorises it.

    Precondition: the table's ``payment_record`` (a finance officer of the buying agency;
    the milestone accepted with something unpaid and no payment awaiting authorisation);
    a reference used once per agency; an amount within what is unpaid; a date between
    the acceptance and today. Side effects: the payment awaiting authorisation (with its
    proof), its event; the other finance officers are told.
    """
    check_actor(MILESTONE_TRANSITIONS["payment_record"], by, milestone.contract)
    reference = reference.strip()
    amount = Decimal(amount)
    if not reference:
        raise PaymentRefused(_("Give the treasury or bank reference."))
    if amount <= 0:
        raise PaymentRefused(_("The amount must be more than zero."))
    if paid_on > timezone.localdate():
        raise PaymentRefused(_("A payment cannot be dated in the future."))
    try:
        with milestone_transition(milestone=milestone, action="payment_record", by=by) as step:
            milestone, contract = step.subject, step.contract
            if paid_on < timezone.localdate(milestone.accepted_at):
                raise PaymentRefused(_("A payment cannot be dated before the acceptance."))
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
            step.summary = {"amount": str(amount)}
            tell(
                agency_people(contract, Role.AGENCY_FINANCE),
                "payment_to_authorise",
                contract,
                exclude=by,
                amount=f"{amount:,.2f}",
            )
    except IntegrityError as exc:  # the same payment recorded at the same moment by someone else
        raise PaymentRefused(_("A payment for this milestone is already awaiting authorisation.")) from exc
    return payment


def payment_authorise(*, payment: Payment, by: User) -> Payment:
    """The second finance officer, neither the recorder nor the acceptor, authorises.

    Precondition: the table's ``payment_authorise`` (a finance officer; the payment
    awaiting authorisation; four eyes; the amount within what is unpaid). Side effects:
    the payment authorised, the milestone's paid amount (paid in full when it reaches
    the accepted one), the payment posted in the journal, the register's figures, the
    event; the organisation is told.
    """
    with payment_transition(payment=payment, action="payment_authorise", by=by) as step:
        payment, milestone, contract = step.subject, step.subject.milestone, step.contract
        now = timezone.now()
        step.write(authorised_by=by, authorised_at=now)
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
        step.summary = {"amount": str(payment.amount)}
        tell(
            organisation_people(contract),
            "payment_made",
            contract,
            amount=f"{payment.amount:,.2f}",
            reference=payment.reference,
        )
    return payment


def payment_reject(*, payment: Payment, by: User, reason: str) -> Payment:
    """Reject a payment record (a wrong amount or reference); the recorder is told.

    Precondition: the table's ``payment_reject`` (a finance officer; the payment
    awaiting authorisation), a reason of four characters or more. Side effects: the
    record rejected with the reason (its reference free again), the event.
    """
    reason = reason.strip()
    check_actor(PAYMENT_TRANSITIONS["payment_reject"], by, payment.contract)
    if len(reason) < 4:
        raise ReasonRequired(_("Say why the record is rejected."))
    with payment_transition(payment=payment, action="payment_reject", by=by, reason=reason) as step:
        payment = step.subject
        step.write(rejection_reason=reason)
        tell([payment.recorded_by], "payment_rejected", step.contract, exclude=by, reason=reason)
    return payment


def journal_reverse(*, entry: JournalEntry, by: User, reason: str) -> JournalEntry:
    """Correct an acceptance or a payment posted in error with a reversing entry. A
    reversed payment no longer counts as paid; a reversed acceptance sends the
    milestone back to the agency's decision (only while nothing is paid on it).

    Precondition: the journal table's ``reverse`` (a finance officer; an acceptance of
    scheduled work or a payment, not reversed before), a reason of four characters or
    more; for an acceptance, the milestone table's ``reverse_acceptance``. Side effects:
    the payment reversed (and the milestone's paid amount) or the milestone submitted
    again (a delivered contract back in force), the reversing entry, the register's
    figures, a ``reverse`` event.
    """
    reason = reason.strip()
    step = JOURNAL_TRANSITIONS["reverse"]
    check_actor(step, by, entry.contract)
    if len(reason) < 4:
        raise ReasonRequired(_("A correction needs its reason."))
    with transaction.atomic():
        contract = lock_contract(entry.contract)
        entry = JournalEntry.objects.select_for_update().get(pk=entry.pk)
        check_step(step, state=entry.kind, by=by, subject=entry, contract=contract, reason=reason)
        if entry.kind == EntryKind.PAYMENT and entry.payment_id:
            with payment_transition(payment=entry.payment, action="reverse", by=by) as reversed_:
                milestone = reversed_.subject.milestone
                milestone.paid_amount -= reversed_.subject.amount
                milestone.paid_at = None
                milestone.save(update_fields=["paid_amount", "paid_at"])
        elif entry.kind == EntryKind.ACCEPTANCE and entry.milestone_id and not entry.milestone.settlement:
            with milestone_transition(milestone=entry.milestone, action="reverse_acceptance", by=by) as unaccepted:
                unaccepted.write(
                    accepted_amount=ZERO, accepted_at=None, accepted_by=None, payment_due=None, state_reason=reason
                )
            if contract.state in CONTRACT_TRANSITIONS["reopen"].sources:
                with contract_transition(contract=contract, action="reopen", by=by) as reopened:
                    reopened.write(completed_at=None)
        else:
            raise step.refused()
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
        contract_event(contract, "reverse", by, milestone=entry.milestone, reason=reason, summary={"entry": entry.pk})
    return reversal
