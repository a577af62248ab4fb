"""Every notification event: its title and its email template, as data.

Each event has one bilingual template pair under ``templates/notifications/email/``
(``<event>_subject.txt`` and ``<event>.txt``), rendered in the recipient's language.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import TextChoices
from django.utils.translation import gettext_lazy as _

from core.types import StrOrPromise


@dataclass(frozen=True)
class Event:
    title: StrOrPromise  # format string over the event's params
    email: bool = True


EVENTS: dict[str, Event] = {
    "invitation_accepted": Event(_("%(email)s accepted your invitation as %(role_label)s at %(scope)s.")),
    "membership_removed": Event(_("Your role as %(role_label)s at %(scope)s was removed.")),
    "welcome": Event(_("Welcome to Safetynet. Your account is ready."), email=False),
    # Vetting: to vetting officers.
    "organisation_submitted": Event(_("%(organisation)s submitted its application for vetting.")),
    "change_request_submitted": Event(_("%(organisation)s asks to change key facts of its approved profile.")),
    # Vetting: to the organisation's administrators.
    "organisation_start_review": Event(_("A vetting officer started reviewing the application of %(organisation)s.")),
    "organisation_approve": Event(_("%(organisation)s is approved: it can now see and take on needs.")),
    "organisation_reject": Event(_("The application of %(organisation)s was not approved. Reason: %(reason)s")),
    "organisation_suspend": Event(_("%(organisation)s is suspended. Reason: %(reason)s")),
    "organisation_reinstate": Event(_("%(organisation)s is reinstated. Note: %(reason)s")),
    "organisation_revoke": Event(_("The approval of %(organisation)s is revoked. Reason: %(reason)s")),
    "organisation_expire": Event(_("The approval of %(organisation)s has expired. Apply again to keep working.")),
    "organisation_expiry_reminder": Event(
        _("The approval of %(organisation)s expires on %(date)s (in %(days)s days or fewer). Apply again in time.")
    ),
    "need_submit": Event(_("Need %(need)s (%(title)s) is waiting for your approval.")),
    "need_approve": Event(_("Need %(need)s (%(title)s) was approved.")),
    "need_return": Event(_("Need %(need)s (%(title)s) was returned for changes.")),
    "need_publish": Event(_("Need %(need)s (%(title)s) is published to organisations.")),
    "need_withdraw": Event(_("Need %(need)s (%(title)s) was withdrawn.")),
    "need_escalate": Event(
        _("Nobody took on need %(need)s (%(title)s) in time: it is now shown to more organisations.")
    ),
    "need_expire": Event(_("Need %(need)s (%(title)s) expired without being taken on.")),
    "need_claimed": Event(_("%(organisation)s has taken on need %(need)s (%(title)s).")),
    "need_open_proposals": Event(_("Need %(need)s (%(title)s) is open for proposals.")),
    "need_close_proposals": Event(
        _("Proposals for need %(need)s (%(title)s) have closed: %(count)s to evaluate and award.")
    ),
    "need_awarded": Event(_("Need %(need)s (%(title)s) was awarded to %(organisation)s.")),
    # Saved searches: in the notification centre (the email, if wanted, is the alert's own).
    "saved_search_match": Event(_("A new need fits your search “%(search)s”: %(need)s %(title)s."), email=False),
    # To every member of an invited or proposing organisation.
    "need_invited": Event(_("%(agency)s invites your organisation to respond to need %(need)s (%(title)s).")),
    "proposal_received": Event(
        _("Your proposal for need %(need)s (%(title)s) was received. It stays sealed until %(deadline)s.")
    ),
    "proposal_awarded": Event(_("Your proposal for need %(need)s (%(title)s) was chosen.")),
    "proposal_not_awarded": Event(
        _("Your proposal for need %(need)s (%(title)s) was not chosen; it was awarded to %(organisation)s.")
    ),
    "proposal_void": Event(_("Need %(need)s (%(title)s) was withdrawn by the agency; your proposal is void.")),
    # Contracts: to the parties' people each step concerns.
    "contract_for_signature": Event(_("Contract %(contract)s (version %(version)s) awaits your signature.")),
    "contract_returned": Event(_("Contract %(contract)s was sent back to draft. Reason: %(reason)s")),
    "contract_in_force": Event(
        _("Contract %(contract)s (version %(version)s) is signed by both parties and in force.")
    ),
    "contract_terminated": Event(_("Contract %(contract)s was terminated. Reason: %(reason)s")),
    "contract_completed": Event(
        _("Every milestone of contract %(contract)s is accepted: evaluation and the final report are due.")
    ),
    "contract_closed": Event(_("Contract %(contract)s is closed.")),
    "milestone_submitted": Event(_("Milestone “%(milestone)s” of contract %(contract)s awaits acceptance.")),
    "milestone_accepted": Event(
        _("Milestone “%(milestone)s” of contract %(contract)s was accepted; payment is due by %(due)s.")
    ),
    "milestone_returned": Event(
        _("Milestone “%(milestone)s” of contract %(contract)s was returned. Reason: %(reason)s")
    ),
    "confirmation_disputed": Event(
        _("The beneficiary disputes milestone “%(milestone)s” of contract %(contract)s: acceptance waits.")
    ),
    "dispute_resolved": Event(_("The dispute on milestone “%(milestone)s” of contract %(contract)s is resolved.")),
    "payment_to_make": Event(_("Milestone “%(milestone)s” of contract %(contract)s was accepted: pay it by %(due)s.")),
    "payment_to_authorise": Event(
        _("A payment of %(amount)s on contract %(contract)s awaits a second finance officer's authorisation.")
    ),
    "payment_made": Event(_("A payment of %(amount)s on contract %(contract)s was made (reference %(reference)s).")),
    "payment_rejected": Event(_("Your payment record on contract %(contract)s was rejected. Reason: %(reason)s")),
    "payment_due_soon": Event(_("Payment for milestone “%(milestone)s” of contract %(contract)s is due by %(due)s.")),
    "payment_overdue": Event(
        _("Payment for milestone “%(milestone)s” of contract %(contract)s is overdue (due %(due)s).")
    ),
    "acceptance_overdue": Event(
        _("Milestone “%(milestone)s” of contract %(contract)s has waited over %(days)s days for acceptance.")
    ),
    # Reports from the public: to every auditor. Never the report's content: emails leave the site.
    "report_filed": Event(_("Report %(report)s from the public is waiting in the queue.")),
    "report_follow_up": Event(_("The reporter added information to report %(report)s.")),
    # Donations: to the approver who opened the co-funding and the organisation's administrators.
    "cofunding_target_reached": Event(_("Need %(need)s has reached its co-funding target of %(amount)s.")),
    "change_request_decided": Event(_("The change request of %(organisation)s was decided: %(decision_label)s.")),
}


# A param that holds a choice's value (``role``, ``decision``) is shown by its label, in
# the reader's language. The app that owns the choices registers them when it is ready
# (``notifications`` imports no app above it): param name -> (shown as, choices).
PARAM_LABELS: dict[str, tuple[str, type[TextChoices]]] = {}


def register_param_labels(param: str, choices: type[TextChoices], *, shown_as: str) -> None:
    """Show ``params[param]`` as ``%(shown_as)s``: the label of that value in ``choices``."""
    PARAM_LABELS[param] = (shown_as, choices)


def params_for_display(params: dict) -> dict:
    shown = dict(params)
    for param, (shown_as, choices) in PARAM_LABELS.items():
        if param in shown:
            try:
                shown[shown_as] = choices(shown[param]).label
            except ValueError:
                shown[shown_as] = shown[param]
    return shown


def render_title(notification) -> str:
    event = EVENTS.get(notification.event)
    if event is None:
        return notification.event
    try:
        return str(event.title) % params_for_display(notification.params)
    except (KeyError, TypeError, ValueError):
        return str(event.title)
