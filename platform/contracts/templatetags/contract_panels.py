"""Contracts' panels on the pages of apps below it: the agency's page shows its record as
a buyer without ``agencies`` importing ``contracts`` (the layers run one way)."""

from __future__ import annotations

from django import template

from accounts import policy
from contracts.agency_record import agency_record

register = template.Library()


@register.inclusion_tag("contracts/partials/_agency_record.html", takes_context=True)
def agency_record_panel(context, agency) -> dict:
    """The agency's record, for those who may read it (its staff, staff above it, auditors);
    nothing for anyone else."""
    user = context["request"].user
    return {"record": agency_record(agency) if policy.can_view_agency_record(user, agency) else None}
