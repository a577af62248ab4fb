"""The auditors' dashboard card: how many reports wait, for auditors only."""

from __future__ import annotations

from django import template

from accounts import policy
from reports.models import ReportState
from reports.selectors import reports_visible_to

register = template.Library()


@register.simple_tag
def report_queue_counts(user) -> dict | None:
    """None for anyone who may not see reports; else the open and investigating counts."""
    if not policy.can_handle_reports(user):
        return None
    reports = reports_visible_to(user)
    return {
        "open": reports.filter(state=ReportState.OPEN).count(),
        "investigating": reports.filter(state=ReportState.INVESTIGATING).count(),
    }
