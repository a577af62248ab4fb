"""Writes for donations: opening a need for co-funding, starting a payment, the
webhook's work, refunds, allocation to the contract and closing a campaign.

Stripe is called outside the transactions that write the journal; what must survive
a crash around a call (the idempotency key) is committed before it. The journal is written only
under a lock of the campaign row, and every entry names the Stripe object it stands
for, so that replays and reordered events change nothing twice.

One module per stage: ``opening``, ``paying``, ``webhook``, ``refunds``, ``allocation``
and ``closing``, over ``transitions`` (the one doors and the row lock), ``notices``
(who is told) and ``common`` (Stripe's audit label, the currency and the amounts). The
names callers use are re-exported here.
"""

from donations.services.allocation import campaign_allocate
from donations.services.closing import campaign_close
from donations.services.common import STRIPE_LABEL, check_minor, currency, max_minor, min_minor, parse_major
from donations.services.opening import _taking_donations, campaign_open
from donations.services.paying import client_secret, donation_confirm, donation_start
from donations.services.refunds import donation_refund, refund_issue, refund_record
from donations.services.transitions import campaign_transition, donation_transition
from donations.services.webhook import HANDLED, REFUND_EVENTS, event_process, event_store

__all__ = [
    "HANDLED",
    "REFUND_EVENTS",
    "STRIPE_LABEL",
    "_taking_donations",
    "campaign_allocate",
    "campaign_close",
    "campaign_open",
    "campaign_transition",
    "check_minor",
    "client_secret",
    "currency",
    "donation_confirm",
    "donation_refund",
    "donation_start",
    "donation_transition",
    "event_process",
    "event_store",
    "max_minor",
    "min_minor",
    "parse_major",
    "refund_issue",
    "refund_record",
]
