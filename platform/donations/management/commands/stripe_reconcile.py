"""Compare the donation journal with Stripe's PaymentIntents and refunds for a period.

    python manage.py stripe_reconcile --since 2026-01-01 --until 2026-02-01

The period is of local dates, ``--until`` excluded (default: today and tomorrow).
Lists every difference: a payment or refund missing on either side, an amount or a
status that disagrees. Exit code 1 when there is any.
"""

from __future__ import annotations

import sys
from datetime import datetime, time, timedelta
from typing import cast

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from donations import gateway
from donations.models import Donation, DonationEntry, EntryKind


def _day(text: str):
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = "List every difference between the donation journal and Stripe for a period (exit 1 when any)."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="first day, YYYY-MM-DD (default today)")
        parser.add_argument("--until", help="day after the last, YYYY-MM-DD (default tomorrow)")

    def handle(self, *args, since=None, until=None, **options):
        if not gateway.enabled():
            raise CommandError("Stripe keys are not set: there is nothing to reconcile with.")
        since = _day(since) if since else timezone.localdate()
        until = _day(until) if until else since + timedelta(days=1)
        if until <= since:
            raise CommandError("--until must come after --since.")
        zone = timezone.get_current_timezone()
        start = datetime.combine(since, time.min, tzinfo=zone)
        end = datetime.combine(until, time.min, tzinfo=zone)
        differences = reconcile(start, end)
        for line in differences:
            self.stdout.write(line)
        if differences:
            self.stdout.write(f"{len(differences)} difference(s) from {since} to {until} (excluded).")
            sys.exit(1)
        self.stdout.write(f"no difference from {since} to {until} (excluded).")


def reconcile(start: datetime, end: datetime) -> list[str]:
    on_stripe = {
        pi["id"]: pi for pi in gateway.list_payment_intents(since=int(start.timestamp()), until=int(end.timestamp()))
    }
    ours: dict[str, Donation] = {
        cast(str, d.payment_intent): d  # filtered on it
        for d in Donation.objects.filter(payment_intent__isnull=False).filter(created_at__gte=start, created_at__lt=end)
    }
    # A PaymentIntent of the period that Stripe lists is ours too if a donation names it.
    for d in Donation.objects.filter(payment_intent__in=list(on_stripe)):
        ours.setdefault(cast(str, d.payment_intent), d)
    received = {
        e.ref: e.amount_minor for e in DonationEntry.objects.filter(kind=EntryKind.RECEIVED, ref__in=list(ours))
    }
    refunded = {
        e.ref: (e.amount_minor, cast(Donation, e.donation).payment_intent)  # filtered on its donation
        for e in DonationEntry.objects.filter(
            kind=EntryKind.REFUNDED, donation__payment_intent__in=list(ours)
        ).select_related("donation")
    }
    problems: list[str] = []
    for pi_id in sorted(set(on_stripe) | set(ours)):
        pi = on_stripe.get(pi_id)
        donation = ours.get(pi_id)
        succeeded = pi is not None and pi.get("status") == "succeeded"
        if pi is None:
            # Not on Stripe, so in the journal: the donation is there.
            problems.append(f"{pi_id}: in the journal (donation {donation.public_id}) but not on Stripe")  # type: ignore[union-attr]
            continue
        if donation is None:
            if succeeded:
                problems.append(f"{pi_id}: paid on Stripe ({pi['amount']}) but no donation in the journal")
            continue
        if succeeded and pi_id not in received:
            problems.append(f"{pi_id}: succeeded on Stripe ({pi['amount']}) but not received in the journal")
        elif not succeeded and pi_id in received:
            problems.append(f"{pi_id}: received in the journal ({received[pi_id]}) but {pi.get('status')} on Stripe")
        elif succeeded and received[pi_id] != pi["amount"]:
            problems.append(f"{pi_id}: amount {pi['amount']} on Stripe, {received[pi_id]} in the journal")
        if donation.amount_minor != pi["amount"]:
            problems.append(f"{pi_id}: donation of {donation.amount_minor}, PaymentIntent of {pi['amount']}")
        stripe_refunds = (
            {r["id"]: r for r in gateway.list_refunds(pi_id) if r.get("status") == "succeeded"} if succeeded else {}
        )
        journal_refunds = {ref: amount for ref, (amount, pi_) in refunded.items() if pi_ == pi_id}
        for ref in sorted(set(stripe_refunds) | set(journal_refunds)):
            if ref not in journal_refunds:
                problems.append(
                    f"{pi_id}: refund {ref} ({stripe_refunds[ref]['amount']}) on Stripe, not in the journal"
                )
            elif ref not in stripe_refunds:
                problems.append(f"{pi_id}: refund {ref} ({journal_refunds[ref]}) in the journal, not on Stripe")
            elif stripe_refunds[ref]["amount"] != journal_refunds[ref]:
                problems.append(
                    f"{pi_id}: refund {ref} of {stripe_refunds[ref]['amount']} on Stripe, "
                    f"{journal_refunds[ref]} in the journal"
                )
    return problems
