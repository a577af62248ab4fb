from __future__ import annotations

from django import template

from accounts import policy
from donations import selectors
from donations.selectors import COFUNDED_NEED_STATES

register = template.Library()


@register.inclusion_tag("donations/_need_cofunding.html")
def need_cofunding(need, user):
    """On the need's page: its public co-funding page, or the approver's way to open one."""
    from donations.models import Campaign

    campaign = Campaign.objects.filter(need=need).first()
    may_open = (
        campaign is None
        and need.state in COFUNDED_NEED_STATES
        and need.claimed_by is not None
        and need.claimed_by.public_fundraising
        and policy.can_open_cofunding(user, need)
    )
    return {"need": need, "campaign": campaign, "may_open": may_open}


@register.inclusion_tag("donations/_organisation_cofunding.html")
def organisation_cofunding(organisation):
    """On the directory's page of an organisation: what the public gave to the needs it
    took on, net of refunds, and its campaigns. Nothing when it has none."""
    raised = selectors.organisation_raised(organisation)
    return {"organisation": organisation, **raised}
