from __future__ import annotations

from typing import cast

from django.conf import settings
from django.http import HttpRequest

from accounts import policy
from accounts.models import User
from contracts.models import ContractState, MilestoneState, PaymentState, VersionState
from donations.models import CampaignState, DonationState
from imports.models import ImportState
from needs.models import NeedState, ProposalState
from notifications.selectors import unread_count
from organisations.models import VettingState
from reports.models import ReportState
from vetting.models import ChangeRequestState

# Every workflow's states, so a template compares with the choice, never a bare string:
# {% if need.state == states.need.PUBLISHED %}. (Django's choices are never called by a
# template, so states.need.PUBLISHED is the member.)
STATES = {
    "need": NeedState,
    "proposal": ProposalState,
    "vetting": VettingState,
    "change_request": ChangeRequestState,
    "contract": ContractState,
    "version": VersionState,
    "milestone": MilestoneState,
    "payment": PaymentState,
    "campaign": CampaignState,
    "donation": DonationState,
    "import": ImportState,
    "report": ReportState,
}


def site(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    authenticated = bool(user and user.is_authenticated)
    return {
        "nav_items": policy.navigation_for(user) if authenticated else [],
        "unread_notifications": unread_count(cast(User, user)) if authenticated else 0,
        "site_name": settings.SAFETYNET_SITE_NAME,
        "stripe_enabled": bool(settings.STRIPE_SECRET_KEY and settings.STRIPE_PUBLISHABLE_KEY),
        "states": STATES,
    }
