"""Opening a need for co-funding, and whether its campaign still takes donations."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from audit.services import record
from core.identity_guard import identity_in
from donations.exceptions import InvalidAmount, NotAllowed, NotEligible
from donations.models import Campaign, CampaignState
from donations.selectors import COFUNDED_NEED_STATES
from donations.services.common import currency
from needs.models import Need
from needs.selectors import identity_known_for_need


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
