"""Who is told of a need's steps: the organisation's members, the agency's approvers, the preparer."""

from __future__ import annotations

from collections.abc import Mapping

from accounts.models import User
from needs.models import Need
from needs.selectors import ancestor_paths
from notifications.services import notify, url_for
from organisations.models import Organisation


def notify_organisation(organisation: Organisation, *, event: str, params: Mapping[str, object], url: str) -> None:
    """Tell every active member of an organisation."""
    for member in User.objects.filter(is_active=True, memberships__organisation=organisation).distinct():
        notify(user=member, event=event, params=params, url=url)


def _approvers_of(need: Need) -> list[User]:
    """Active approvers of the need's agency or an agency above it."""
    paths = ancestor_paths(need.agency.path)
    return list(
        User.objects.filter(
            is_active=True, memberships__role="agency_approver", memberships__agency__path__in=paths
        ).distinct()
    )


def _notify_step(need: Need, action: str, *, organisation: Organisation | None = None) -> None:
    """Who hears of each step: approvers of a submission, the preparer of a decision,
    both of a claim, an escalation or an expiry."""
    params: dict[str, object] = {"need": need.reference, "title": need.title}
    url = url_for("needs:detail", need.pk)
    recipients: set[User] = set()
    if action == "submit":
        recipients = {u for u in _approvers_of(need) if u.pk != need.prepared_by_id}
    elif action in {"approve", "return", "publish", "open_proposals", "withdraw"}:
        recipients = {need.prepared_by}
    elif action == "close_proposals":
        recipients = set(_approvers_of(need))
        params["count"] = need.proposals.filter(state="submitted").count()
    elif action in {"claim", "award", "expire", "escalate"}:
        recipients = {need.prepared_by, *([need.approved_by] if need.approved_by else [])}
        if organisation is not None:
            params["organisation"] = organisation.legal_name
    for person in recipients:
        event = {"claim": "need_claimed", "award": "need_awarded"}.get(action, f"need_{action}")
        notify(user=person, event=event, params=params, url=url)


def _tell_invited(need: Need, organisation: Organisation) -> None:
    notify_organisation(
        organisation,
        event="need_invited",
        params={"need": need.reference, "title": need.title, "agency": need.agency.name},
        url=url_for("needs:detail", need.pk),
    )
