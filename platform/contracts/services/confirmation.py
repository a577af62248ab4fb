"""The beneficiary's confirmation: a one-time link and code for the person served to
confirm (or dispute) a service milestone, and the agency's decision on a dispute."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from audit.services import record
from contracts.actions import check_actor
from contracts.exceptions import ConfirmationRefused, InvalidTransition, ReasonRequired
from contracts.models import Confirmation, ConfirmationOutcome, Contract, ContractEvent, DisputeResolution, Milestone
from contracts.selectors import confirmation_answerable, milestone_label, token_hash
from contracts.services.common import agency_people, identity_refuse, organisation_people, tell
from contracts.services.transitions import milestone_transition
from contracts.workflow import CONFIRMATION_DAYS, CONFIRMATION_MAX_FAILURES, MILESTONE_TRANSITIONS
from core.crypto import keyed_hash
from notifications.services import send_templated_email, url_for


def _code_hash(token: str, code: str) -> str:
    return keyed_hash(f"{token}:{code}", purpose="service-confirmation")


def confirmation_create(
    *, milestone: Milestone, by: User, email: str = "", language: str = ""
) -> tuple[Confirmation, str, str]:
    """A one-time link (token) and six-digit code for the beneficiary, valid for seven
    days; any earlier unused one for the milestone stops working. Returns the
    confirmation, the token and the code (neither is stored: only their hashes).

    Precondition: the table's ``confirmation_link`` (a member of the organisation; an
    open service milestone of a contract in force). Side effects: the confirmation, its
    event, and the link emailed after the commit when ``email`` is given.
    """
    with milestone_transition(milestone=milestone, action="confirmation_link", by=by) as step:
        milestone = step.subject
        now = timezone.now()
        milestone.confirmations.filter(used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        token = secrets.token_urlsafe(24)
        code = f"{secrets.randbelow(1_000_000):06d}"
        confirmation = Confirmation.objects.create(
            milestone=milestone,
            token_hash=token_hash(token),
            code_hash=_code_hash(token, code),
            created_by=by,
            expires_at=now + timedelta(days=CONFIRMATION_DAYS),
        )
        step.summary = {"emailed": bool(email)}
        if email:
            link = settings.SITE_URL.rstrip("/") + url_for("confirm:page", token)
            context = {"link": link, "code": code, "organisation": step.contract.organisation.legal_name}
            transaction.on_commit(
                lambda: send_templated_email(
                    to=email,
                    template="contracts/email/confirmation",
                    context=context,
                    language=language or settings.LANGUAGE_CODE,
                )
            )
    return confirmation, token, code


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
            .filter(token_hash=token_hash(token or ""))
            .first()
        )
        if confirmation is None or not confirmation_answerable(confirmation):
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
    # The beneficiary is no user: the event names nobody, the audit entry says who.
    ContractEvent.objects.create(contract=contract, action=f"beneficiary_{outcome}", milestone=confirmation.milestone)
    record(
        action=f"contract.beneficiary_{outcome}",
        obj=confirmation,
        summary={"contract": contract.number, "rating": rating},
        actor_label="beneficiary",
    )
    if outcome == ConfirmationOutcome.DISPUTED:
        tell(
            agency_people(contract, Role.AGENCY_APPROVER) + organisation_people(contract),
            "confirmation_disputed",
            contract,
            milestone=milestone_label(confirmation.milestone),
        )


def dispute_resolve(*, confirmation: Confirmation, by: User, resolution: str, note: str) -> Confirmation:
    """The agency decides a dispute: upheld sends a submitted milestone back to the
    organisation, dismissed lets acceptance go ahead.

    Precondition: the table's ``dispute_resolve`` (an approver who did not prepare the
    contract), a resolution, a note of four characters or more that does not identify
    the person; the dispute still open. Side effects: the decision on the confirmation,
    the milestone returned when upheld, the ``dispute_upheld`` or ``dispute_dismissed``
    event; the organisation is told.
    """
    note = note.strip()
    contract = Contract.objects.select_related("agency").get(pk=confirmation.milestone.contract_id)
    check_actor(MILESTONE_TRANSITIONS["dispute_resolve"], by, contract)
    if resolution not in DisputeResolution.values:
        raise InvalidTransition(_("Choose how the dispute is resolved."))
    if len(note) < 4:
        raise ReasonRequired(_("Record what was found; it is kept with the dispute."))
    identity_refuse(contract, {"note": note})
    with milestone_transition(milestone=confirmation.milestone, action="dispute_resolve", by=by, reason=note) as step:
        milestone, contract = step.subject, step.contract
        confirmation = Confirmation.objects.select_for_update().get(pk=confirmation.pk)
        if not confirmation.open_dispute:
            raise InvalidTransition(_("This dispute is already resolved."))
        confirmation.resolution, confirmation.resolution_note = resolution, note
        confirmation.resolved_by, confirmation.resolved_at = by, timezone.now()
        confirmation.save()
        upheld = MILESTONE_TRANSITIONS["dispute_upheld"]
        if resolution == DisputeResolution.UPHELD and milestone.state in upheld.sources:
            with milestone_transition(milestone=milestone, action=upheld.action, by=by) as returned:
                returned.write(state_reason=note)
        step.event = f"dispute_{resolution}"
        tell(organisation_people(contract), "dispute_resolved", contract, milestone=milestone_label(milestone))
    return confirmation
