"""Writes for donations: opening a need for co-funding, starting a payment, the
webhook's work, refunds, allocation to the contract and closing a campaign.

Stripe is called outside the transactions that write the journal; what must survive
a crash around a call (the idempotency key) is committed before it. The journal is written only
under a lock of the campaign row, and every entry names the Stripe object it stands
for, so that replays and reordered events change nothing twice.
"""

from __future__ import annotations

import logging
import uuid
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, cast

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Membership, Role, User
from audit.services import record
from contracts.models import Contract
from core.identity_guard import identity_in
from donations import gateway
from donations.exceptions import (
    CampaignClosed,
    InvalidAmount,
    NotAllowed,
    NotEligible,
    PaymentDeclined,
    PaymentUnavailable,
)
from donations.models import (
    Campaign,
    CampaignState,
    Donation,
    DonationEntry,
    DonationState,
    EntryKind,
    Refund,
    RefundReason,
    StripeEvent,
)
from donations.selectors import (
    COFUNDED_NEED_STATES,
    CONTRACT_IN_FORCE,
    committed_refunds,
    figures,
    format_minor,
    to_minor,
)
from donations.workflow import CAMPAIGN_TRANSITIONS, DONATION_TRANSITIONS
from needs.models import Need
from needs.selectors import identity_known_for_need
from notifications.services import notify, send_templated_email, url_for

if TYPE_CHECKING:
    from contracts.models import Contract
    from needs.models import Need

logger = logging.getLogger(__name__)
STRIPE_LABEL = "stripe"


def currency() -> str:
    return (getattr(settings, "DONATION_CURRENCY", "cny") or "cny").lower()


def min_minor() -> int:
    return int(getattr(settings, "DONATION_MIN_MINOR", 100))


def max_minor() -> int:
    return int(getattr(settings, "DONATION_MAX_MINOR", 5_000_000))


# --- Amounts ---------------------------------------------------------------------------


def parse_major(text: object) -> int:
    """A donor's amount in yuan ("50", "50.5", "50.50") as minor units; refuses what is
    not a number, negative, or finer than one fen."""
    text = str(text).strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidAmount(_("Enter the amount as a number, such as 50 or 50.50.")) from None
    if not value.is_finite():
        raise InvalidAmount(_("Enter the amount as a number, such as 50 or 50.50."))
    minor = value * 100
    if minor != minor.to_integral_value():
        raise InvalidAmount(_("The amount cannot be finer than one fen (0.01)."))
    return check_minor(int(minor))


def check_minor(amount: object) -> int:
    """Minor units: a whole, positive number within the configured limits."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        try:
            if isinstance(amount, float) or "." in str(amount):
                raise InvalidAmount(_("The amount must be a whole number of minor units."))
            amount = int(str(amount).strip())
        except ValueError:
            raise InvalidAmount(_("The amount must be a whole number of minor units.")) from None
    if amount < 0:
        raise InvalidAmount(_("The amount cannot be negative."))
    if amount < min_minor():
        raise InvalidAmount(
            _("The smallest donation is %(amount)s.") % {"amount": format_minor(min_minor(), currency())}
        )
    if amount > max_minor():
        raise InvalidAmount(
            _("The largest donation is %(amount)s.") % {"amount": format_minor(max_minor(), currency())}
        )
    return amount


# --- Opening a need for co-funding ----------------------------------------------------


def campaign_open(*, need: Need, by: User, target_minor: int, purpose: str) -> Campaign:
    """An approver of the need's agency opens an awarded or claimed need, taken on by an
    organisation with the public-fundraising qualification, for donations."""
    if not policy.can_open_cofunding(by, need):
        raise NotAllowed(_("Only approvers of the need's agency open it for co-funding."))
    purpose = " ".join(str(purpose).split())
    if not purpose:
        raise NotEligible(_("Say what the money is for."))
    if target_minor <= 0:
        raise InvalidAmount(_("The target must be more than zero."))
    with transaction.atomic():
        need = Need.objects.select_for_update(of=("self",)).select_related("claimed_by", "beneficiary").get(pk=need.pk)
        if need.state not in COFUNDED_NEED_STATES:
            raise NotEligible(_("Only a need awarded to or taken on by an organisation can be co-funded."))
        organisation = need.claimed_by
        if organisation is None or not organisation.public_fundraising:
            raise NotEligible(
                _("Only an organisation with the public-fundraising qualification may raise money from the public.")
            )
        leak = identity_in({"purpose": purpose}, known=identity_known_for_need(need))
        if leak:
            raise NotEligible(leak.message)
        if Campaign.objects.filter(need=need).exists():
            raise NotEligible(_("This need is already open for co-funding."))
        campaign = Campaign.objects.create(
            need=need,
            organisation=organisation,
            purpose=purpose,
            target_minor=target_minor,
            currency=currency(),
            opened_by=by,
        )
        record(
            action="donations.campaign_open",
            actor=by,
            obj=campaign,
            summary={"after": {"need": need.pk, "target_minor": target_minor, "organisation": organisation.pk}},
        )
    return campaign


def _taking_donations(campaign: Campaign) -> bool:
    return campaign.state == CampaignState.OPEN and campaign.need.state in COFUNDED_NEED_STATES


# --- Paying ----------------------------------------------------------------------------


def donation_start(
    *, campaign: Campaign, amount_minor: int | str, donor_name: str, email: str, language: str
) -> Donation:
    """Record the attempt with its idempotency key, then create the PaymentIntent."""
    if not gateway.enabled():
        raise PaymentUnavailable(_("Donations are not enabled here."))
    amount_minor = check_minor(amount_minor)
    campaign = Campaign.objects.select_related("need").get(pk=campaign.pk)
    if not _taking_donations(campaign):
        raise CampaignClosed(_("This need no longer takes donations."))
    f = figures(campaign)
    if f.remaining <= 0:
        raise CampaignClosed(_("This need has reached its target: thank you."))
    if amount_minor > f.remaining:
        raise InvalidAmount(
            _("Only %(remaining)s is still needed: give at most that.") % {"remaining": f.remaining_shown}
        )
    donation = Donation.objects.create(
        campaign=campaign,
        amount_minor=amount_minor,
        currency=campaign.currency,
        donor_name=" ".join(donor_name.split())[:60],
        email=email.strip(),
        language=language,
        idempotency_key=f"donation-{uuid.uuid4().hex}",
    )
    try:
        intent = gateway.create_payment_intent(
            amount=amount_minor,
            currency=campaign.currency,
            idempotency_key=donation.idempotency_key,
            donation=str(donation.public_id),
        )
    except stripe.StripeError as exc:
        logger.warning("PaymentIntent for donation %s not created: %s", donation.pk, exc)
        donation_transition(
            donation=donation, action="refuse", failure_message=str(getattr(exc, "user_message", "") or "")[:300]
        )
        raise PaymentUnavailable(_("The payment service did not answer. Nothing was charged; try again.")) from exc
    donation_transition(donation=donation, action="send", payment_intent=intent["id"])
    donation.refresh_from_db()
    record(
        action="donations.donation_start",
        actor_label=STRIPE_LABEL,
        obj=donation,
        summary={"after": {"campaign": campaign.pk, "amount_minor": amount_minor, "payment_intent": intent["id"]}},
    )
    return donation


def client_secret(donation: Donation) -> str:
    intent = gateway.retrieve_payment_intent(cast(str, donation.payment_intent))  # a started donation has one
    return cast(str, intent["client_secret"])


def donation_confirm(*, donation: Donation, payment_method: str) -> str:
    """Confirm with a payment method the page created; the webhook records the result.
    Returns the PaymentIntent's status; raises PaymentDeclined for a declined card."""
    if donation.state != DonationState.PENDING or not donation.payment_intent:
        raise CampaignClosed(_("This payment is no longer waiting."))
    if not payment_method or not payment_method.replace("_", "").isalnum():
        raise PaymentDeclined(_("The card details were not accepted."))
    try:
        intent = gateway.attach_and_confirm(payment_intent=donation.payment_intent, payment_method=payment_method)
    except stripe.CardError as exc:
        raise PaymentDeclined(_("The card was declined. Nothing was charged.")) from exc
    except stripe.StripeError as exc:
        raise PaymentUnavailable(_("The payment service did not answer. Try again.")) from exc
    return cast(str, intent["status"])


# --- The webhook ---------------------------------------------------------------------


def event_store(*, payload: bytes, signature: str) -> tuple[StripeEvent | None, bool]:
    """Verify the signature and store the event once. Returns (event, new). Raises
    ValueError or stripe.SignatureVerificationError, having written nothing."""
    event = gateway.construct_event(payload, signature)
    data = event.to_dict()
    try:
        with transaction.atomic():
            stored = StripeEvent.objects.create(event_id=data["id"], type=data["type"], payload=data)
    except IntegrityError:
        return StripeEvent.objects.filter(event_id=data["id"]).first(), False
    return stored, True


HANDLED = {
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
    "charge.refund.updated",
    "refund.created",
    "refund.updated",
}


REFUND_EVENTS = HANDLED - {"payment_intent.succeeded", "payment_intent.payment_failed"}


def event_process(event_pk: int) -> None:
    """Do an event's work once: the event row is locked, and marked done in the same
    transaction as the journal entries."""
    event = StripeEvent.objects.get(pk=event_pk)
    if event.processed_at:
        return
    obj = (event.payload.get("data") or {}).get("object") or {}
    # Stripe's list of the payment's refunds is the truth (an event's copy may be older).
    pi = _payment_intent_of(obj)
    refunds = gateway.list_refunds(pi) if event.type in REFUND_EVENTS and pi else []
    with transaction.atomic():
        event = StripeEvent.objects.select_for_update().get(pk=event_pk)
        if event.processed_at:
            return
        if event.type in HANDLED:
            _dispatch(event.type, obj, refunds)
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])


def _payment_intent_of(obj: dict[str, Any]) -> str | None:
    if obj.get("object") == "payment_intent":
        return obj.get("id")
    pi = obj.get("payment_intent")
    return pi.get("id") if isinstance(pi, dict) else pi


def _dispatch(kind: str, obj: dict[str, Any], listed: list[dict[str, Any]]) -> None:
    pi = _payment_intent_of(obj)
    donation = Donation.objects.filter(payment_intent=pi).first() if pi else None
    if donation is None:
        logger.warning("Stripe event %s for unknown payment %s", kind, pi)
        return
    if kind == "payment_intent.succeeded":
        _receive(donation, amount=int(obj.get("amount_received") or obj.get("amount") or donation.amount_minor))
    elif kind == "payment_intent.payment_failed":
        _fail(donation, obj)
    else:
        # A refund implies a payment that succeeded, whichever event comes first.
        # Refunds first, so that the receipt's surplus check counts them.
        refunds = [obj] if obj.get("object") == "refund" else []
        refunds += listed
        for refund in refunds:
            if refund.get("status") == "succeeded":
                refund_record(donation=donation, stripe_refund=refund)
        _receive(donation, amount=donation.amount_minor)


def donation_transition(*, donation: Donation, action: str, **fields: object) -> bool:
    """The one door for a donation's state (``donations.workflow.DONATION_TRANSITIONS``):
    a conditional update from the step's source states, with ``fields`` written beside it.
    Atomic on its own; the webhook's steps also hold the row lock (``_lock``). Returns
    whether the donation moved (Stripe's events repeat and cross: a step whose source is
    gone is no step); ``donation`` is updated in memory."""
    step = DONATION_TRANSITIONS[action]
    moved = Donation.objects.filter(pk=donation.pk, state__in=step.sources).update(state=step.target, **fields)
    if moved:
        donation.state = step.target
        for name, value in fields.items():
            setattr(donation, name, value)
    return bool(moved)


def campaign_transition(*, campaign: Campaign, action: str, **fields: object) -> bool:
    """The one door for a campaign's state (``donations.workflow.CAMPAIGN_TRANSITIONS``),
    as ``donation_transition``. Returns whether it moved (closing twice is no step)."""
    step = CAMPAIGN_TRANSITIONS[action]
    moved = Campaign.objects.filter(pk=campaign.pk, state__in=step.sources).update(state=step.target, **fields)
    if moved:
        campaign.state = step.target
        for name, value in fields.items():
            setattr(campaign, name, value)
    return bool(moved)


def _lock(donation: Donation) -> tuple[Donation, Campaign]:
    campaign = Campaign.objects.select_for_update(of=("self",)).select_related("need").get(pk=donation.campaign_id)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    return donation, campaign


def _fail(donation: Donation, obj: dict[str, Any]) -> None:
    with transaction.atomic():
        donation, _campaign = _lock(donation)
        error = obj.get("last_payment_error") or {}
        if not donation_transition(
            donation=donation, action="fail", failure_message=str(error.get("message") or "")[:300]
        ):
            return  # a success (or refund) already told us more
        record(action="donations.donation_failed", actor_label=STRIPE_LABEL, obj=donation, summary={})


def _receive(donation: Donation, *, amount: int) -> None:
    """Post the receipt once; refund what goes beyond the target or arrives too late."""
    with transaction.atomic():
        donation, campaign = _lock(donation)
        if DonationEntry.objects.filter(kind=EntryKind.RECEIVED, ref=donation.payment_intent).exists():
            return
        DonationEntry.objects.create(
            campaign=campaign,
            donation=donation,
            kind=EntryKind.RECEIVED,
            amount_minor=amount,
            ref=cast(str, donation.payment_intent),  # found by it (_dispatch)
            memo=f"donation {donation.public_id}",
        )
        donation_transition(donation=donation, action="receive")  # a refund that came first stays
        donation.succeeded_at = donation.succeeded_at or timezone.now()
        donation.save(update_fields=["succeeded_at"])
        record(
            action="donations.received",
            actor_label=STRIPE_LABEL,
            obj=donation,
            summary={"after": {"amount_minor": amount, "payment_intent": donation.payment_intent}},
        )
        _send_receipt(donation, campaign)
        _tell_journal_posted()
        # Beyond the target, or all of it when the need closed meanwhile; never more than
        # is left of this donation (a refund may have been recorded before its receipt).
        raised = figures(campaign).received - committed_refunds(campaign)
        open_ = _taking_donations(campaign)
        excess = max(0, raised - campaign.target_minor) if open_ else amount
        excess = min(excess, amount - _refunds_of(donation))
        if excess > 0:
            _refund_decide(donation, excess, RefundReason.SURPLUS)
        elif open_ and raised >= campaign.target_minor > raised - amount:  # this receipt reached it
            _tell_target_reached(campaign)
        _allocate(campaign)


def _tell_journal_posted() -> None:
    from donations.signals import journal_posted

    transaction.on_commit(lambda: journal_posted.send(sender=DonationEntry))


def _tell_target_reached(campaign: Campaign) -> None:
    """The approver who opened the campaign and the organisation's administrators."""

    people = {campaign.opened_by}
    people.update(
        m.user
        for m in Membership.objects.filter(organisation=campaign.organisation, role=Role.ORG_ADMIN).select_related(
            "user"
        )
    )
    params = {"need": campaign.need.reference, "amount": format_minor(campaign.target_minor, campaign.currency)}
    for user in people:
        notify(
            user=user, event="cofunding_target_reached", params=params, url=url_for("donations:campaign", campaign.pk)
        )


def _refunds_of(donation: Donation) -> int:
    return int(donation.refunds.aggregate(s=Sum("amount_minor"))["s"] or 0)


def _refund_decide(donation: Donation, amount: int, reason: str, *, by: User | None = None) -> Refund:
    """Save the refund with its idempotency key; Stripe is asked once this commits."""
    refund = Refund.objects.create(
        donation=donation, amount_minor=amount, reason=reason, idempotency_key=f"refund-{uuid.uuid4().hex}"
    )
    record(
        action="donations.refund_decided",
        actor=by,
        actor_label="" if by else STRIPE_LABEL,
        obj=donation,
        summary={"after": {"amount_minor": amount, "reason": reason}},
    )
    from donations.tasks import refund_issue_task

    transaction.on_commit(lambda: refund_issue_task.enqueue(refund_id=refund.pk))
    return refund


def donation_refund(*, donation: Donation, by: User, amount_minor: int | None = None) -> Refund:
    """An approver of the need's agency refunds a received donation (all that is left of
    it by default), say at the donor's request. The refund is decided here and asked of
    Stripe after the commit; its reversing entry moves the figures (``refund_record``),
    and the donor is told by email. Raises NotAllowed, NotEligible or InvalidAmount."""
    if not policy.can_open_cofunding(by, donation.campaign.need):
        raise NotAllowed(_("Only approvers of the need's agency refund its donations."))
    with transaction.atomic():
        donation, _campaign = _lock(donation)
        if not DonationEntry.objects.filter(kind=EntryKind.RECEIVED, ref=donation.payment_intent).exists():
            raise NotEligible(_("Only a donation that was received can be refunded."))
        left = donation.amount_minor - _refunds_of(donation)
        amount = left if amount_minor is None else int(amount_minor)
        if left <= 0:
            raise NotEligible(_("This donation is already refunded."))
        if not 0 < amount <= left:
            raise InvalidAmount(_("Refund at most %(amount)s.") % {"amount": format_minor(left, donation.currency)})
        return _refund_decide(donation, amount, RefundReason.REQUESTED, by=by)


def refund_issue(refund_id: int) -> None:
    """Ask Stripe for a decided refund (idempotent on Stripe's side by the saved key),
    then post its reversing entry."""
    refund = Refund.objects.select_related("donation").get(pk=refund_id)
    if refund.stripe_id and DonationEntry.objects.filter(kind=EntryKind.REFUNDED, ref=refund.stripe_id).exists():
        return
    made = gateway.create_refund(
        payment_intent=cast(str, refund.donation.payment_intent),  # only a received donation is refunded
        amount=refund.amount_minor,
        idempotency_key=refund.idempotency_key,
        refund=refund.pk,
    )
    refund_record(donation=refund.donation, stripe_refund=made)


def refund_record(*, donation: Donation, stripe_refund: dict[str, Any]) -> None:
    """Post the reversing entry for a refund Stripe made, once, and tell the donor."""
    with transaction.atomic():
        donation, campaign = _lock(donation)
        stripe_id = stripe_refund["id"]
        ours = (stripe_refund.get("metadata") or {}).get("refund")
        refund = Refund.objects.filter(stripe_id=stripe_id).first()
        if refund is None and ours and str(ours).isdigit():
            refund = Refund.objects.filter(pk=int(ours), donation=donation).first()
        if refund is None:
            refund = Refund.objects.create(
                donation=donation,
                amount_minor=int(stripe_refund["amount"]),
                reason=RefundReason.EXTERNAL,
                idempotency_key=f"external-{stripe_id}",
                stripe_id=stripe_id,
            )
        elif not refund.stripe_id:
            refund.stripe_id = stripe_id
            refund.save(update_fields=["stripe_id"])
        if DonationEntry.objects.filter(kind=EntryKind.REFUNDED, ref=stripe_id).exists():
            return
        amount = int(stripe_refund["amount"])
        DonationEntry.objects.create(
            campaign=campaign,
            donation=donation,
            kind=EntryKind.REFUNDED,
            amount_minor=amount,
            ref=stripe_id,
            memo=f"reverses {donation.payment_intent} ({refund.reason})",
        )
        refunded = int(
            DonationEntry.objects.filter(donation=donation, kind=EntryKind.REFUNDED).aggregate(s=Sum("amount_minor"))[
                "s"
            ]
        )
        donation_transition(
            donation=donation, action="refund_whole" if refunded >= donation.amount_minor else "refund_part"
        )
        record(
            action="donations.refunded",
            actor_label=STRIPE_LABEL,
            obj=donation,
            summary={"after": {"amount_minor": amount, "refund": stripe_id, "reason": refund.reason}},
        )
        _tell_journal_posted()
        if not refund.emailed_at:
            refund.emailed_at = timezone.now()
            refund.save(update_fields=["emailed_at"])
            _send_refund_email(donation, campaign, amount, refund.reason)
        _reconcile_allocation(campaign)


# --- Allocation to the contract and closing --------------------------------------------


def _contract_of(campaign: Campaign) -> Contract | None:

    return Contract.objects.filter(need_id=campaign.need_id).first()


def _allocate(campaign: Campaign) -> int:
    """Allocate received money to the need's contract while it is in force, up to its
    price. Call under the campaign's lock. Returns the amount allocated."""
    if campaign.state != CampaignState.OPEN:
        return 0
    contract = _contract_of(campaign)
    if contract is None or contract.state not in CONTRACT_IN_FORCE or contract.state == "closed":
        return 0
    f = figures(campaign)
    available = min(f.received - committed_refunds(campaign), to_minor(contract.price))
    delta = available - f.allocated
    if delta <= 0:
        return 0
    n = DonationEntry.objects.filter(campaign=campaign, kind=EntryKind.ALLOCATED).count() + 1
    DonationEntry.objects.create(
        campaign=campaign,
        contract=contract,
        kind=EntryKind.ALLOCATED,
        amount_minor=delta,
        ref=f"campaign-{campaign.pk}-allocation-{n}",
        memo=f"to contract {contract.number}",
    )
    record(
        action="donations.allocated",
        actor_label=STRIPE_LABEL,
        obj=campaign,
        summary={"after": {"amount_minor": delta, "contract": contract.pk}},
    )
    return delta


def _reconcile_allocation(campaign: Campaign) -> None:
    """After a refund: never more allocated than is held."""
    f = figures(campaign)
    held = f.received - f.refunded
    if f.allocated > held:
        _release(campaign, f.allocated - max(held, f.used), "refund")


def _release(campaign: Campaign, amount: int, why: str) -> None:
    if amount <= 0:
        return
    contract = _contract_of(campaign)
    n = DonationEntry.objects.filter(campaign=campaign, kind=EntryKind.RELEASED).count() + 1
    DonationEntry.objects.create(
        campaign=campaign,
        contract=contract,
        kind=EntryKind.RELEASED,
        amount_minor=amount,
        ref=f"campaign-{campaign.pk}-release-{n}",
        memo=why,
    )


def campaign_allocate(campaign: Campaign) -> int:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(of=("self",)).select_related("need").get(pk=campaign.pk)
        return _allocate(campaign)


def campaign_close(*, campaign: Campaign, reason: str) -> int:
    """The need closed or was withdrawn: stop taking donations, release what the
    contract has not used, and refund it to the donors, newest first. Idempotent.
    Returns the amount decided for refund."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(of=("self",)).select_related("need").get(pk=campaign.pk)
        if not campaign_transition(
            campaign=campaign, action="close", closed_at=timezone.now(), close_reason=reason[:40]
        ):
            return 0
        f = figures(campaign)
        _release(campaign, f.allocated - f.used, "need " + reason)
        left = f.received - committed_refunds(campaign) - f.used
        decided = 0
        for donation in (
            Donation.objects.select_for_update()
            .filter(campaign=campaign, entries__kind=EntryKind.RECEIVED)
            .order_by("-succeeded_at", "-pk")
        ):
            if left <= 0:
                break
            amount = min(donation.amount_minor - _refunds_of(donation), left)
            if amount > 0:
                _refund_decide(donation, amount, RefundReason.CLOSED)
                left -= amount
                decided += amount
        record(
            action="donations.campaign_close",
            actor_label=STRIPE_LABEL,
            obj=campaign,
            summary={"after": {"state": "closed", "reason": reason, "refund_minor": decided}},
        )
    return decided


# --- Emails ------------------------------------------------------------------------------


def _email_context(donation: Donation, campaign: Campaign, amount: int) -> dict[str, str]:
    need = campaign.need
    return {
        "amount": format_minor(amount, donation.currency),
        "date": timezone.localtime(donation.succeeded_at or timezone.now()).strftime("%Y-%m-%d %H:%M"),
        "need": need.reference,
        "organisation": campaign.organisation.legal_name,
        "donation": str(donation.public_id),
        "payment_intent": donation.payment_intent or "",
    }


def _send_receipt(donation: Donation, campaign: Campaign) -> None:

    if donation.receipt_sent_at:
        return
    Donation.objects.filter(pk=donation.pk).update(receipt_sent_at=timezone.now())
    send_templated_email(
        to=donation.email,
        template="donation_receipt",
        context=_email_context(donation, campaign, donation.amount_minor),
        language=settings.LANGUAGE_CODE,
    )


def _send_refund_email(donation: Donation, campaign: Campaign, amount: int, reason: str) -> None:

    send_templated_email(
        to=donation.email,
        template="donation_refund",
        context={**_email_context(donation, campaign, amount), "reason": reason},
        language=settings.LANGUAGE_CODE,
    )
