"""The co-funding campaign and the donation as data. Each machine has one door in
``donations.services`` (``campaign_transition``, ``donation_transition``).

A donation moves on Stripe's word: its signed events arrive in any order and more than
once (a refund can come before the success it implies), so a step whose source state is
gone is no step rather than an error, and the refund steps start from any state before a
whole refund.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, transition_table
from donations.models import CampaignState as C
from donations.models import DonationState as D


class Actor:
    APPROVER = "approver"  # an approver of the need's agency (opens the campaign, asks refunds)
    DONOR = "donor"  # the donor's browser, on the donation page
    STRIPE = "stripe"  # Stripe's answers and signed events (the webhook)
    NEED = "need"  # the need's own steps: it closed, was fulfilled or withdrawn


CAMPAIGN_TRANSITIONS: dict[str, Transition] = transition_table(
    Transition("close", frozenset({C.OPEN}), C.CLOSED, Actor.NEED, _("Closed")),
)

_BEFORE_WHOLE_REFUND = frozenset({D.CREATED, D.PENDING, D.FAILED, D.SUCCEEDED, D.PARTLY_REFUNDED})

DONATION_TRANSITIONS: dict[str, Transition] = transition_table(
    Transition("send", frozenset({D.CREATED}), D.PENDING, Actor.DONOR, _("Sent to Stripe")),
    Transition("refuse", frozenset({D.CREATED}), D.FAILED, Actor.STRIPE, _("Stripe did not answer")),
    Transition("fail", frozenset({D.CREATED, D.PENDING}), D.FAILED, Actor.STRIPE, _("Declined")),
    Transition("receive", frozenset({D.CREATED, D.PENDING, D.FAILED}), D.SUCCEEDED, Actor.STRIPE, _("Received")),
    Transition("refund_part", _BEFORE_WHOLE_REFUND, D.PARTLY_REFUNDED, Actor.STRIPE, _("Partly refunded")),
    Transition("refund_whole", _BEFORE_WHOLE_REFUND | {D.REFUNDED}, D.REFUNDED, Actor.STRIPE, _("Refunded")),
)
