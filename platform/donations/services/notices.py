"""Who is told: the journal's listeners, the campaign's people at the target, the donor by email."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.models import Membership, Role
from donations.models import Campaign, Donation, DonationEntry
from donations.selectors import format_minor
from notifications.services import notify, send_templated_email, url_for


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
