"""The vetting workflow as data: states, the allowed transitions (who may take each,
what must hold) and the review checklist. `vetting.services.organisation_transition`
is the one door through which any of them happens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from core.types import StrOrPromise
from core.workflow import Transition, transition_table
from organisations.models import VettingState as S

# An approval lasts a year unless the officer chooses otherwise.
APPROVAL_PERIOD = timedelta(days=365)
REMINDER_DAYS = (30, 7)


class Actor:
    ORG_ADMIN = "org_admin"
    VETTING_OFFICER = "vetting_officer"
    SYSTEM = "system"


TRANSITIONS: dict[str, Transition] = transition_table(
    Transition("submit", frozenset({S.DRAFT, S.REJECTED, S.EXPIRED}), S.SUBMITTED, Actor.ORG_ADMIN, _("Submit")),
    Transition("start_review", frozenset({S.SUBMITTED}), S.UNDER_REVIEW, Actor.VETTING_OFFICER, _("Start review")),
    Transition("approve", frozenset({S.UNDER_REVIEW}), S.APPROVED, Actor.VETTING_OFFICER, _("Approve")),
    Transition("reject", frozenset({S.UNDER_REVIEW}), S.REJECTED, Actor.VETTING_OFFICER, _("Reject"), True),
    Transition("suspend", frozenset({S.APPROVED}), S.SUSPENDED, Actor.VETTING_OFFICER, _("Suspend"), True),
    Transition("reinstate", frozenset({S.SUSPENDED}), S.APPROVED, Actor.VETTING_OFFICER, _("Reinstate"), True),
    Transition("revoke", frozenset({S.APPROVED, S.SUSPENDED}), S.REVOKED, Actor.VETTING_OFFICER, _("Revoke"), True),
    Transition("expire", frozenset({S.APPROVED, S.SUSPENDED}), S.EXPIRED, Actor.SYSTEM, _("Expire")),
)

# Officer decisions offered on the review page, in this order.
OFFICER_ACTIONS = ["start_review", "approve", "reject", "suspend", "reinstate", "revoke"]

# The organisation may edit its profile and documents freely in these states; while an
# application is being decided it is frozen; once approved, key facts need a change request.
EDITABLE_STATES = frozenset({S.DRAFT, S.REJECTED, S.EXPIRED})
FROZEN_STATES = frozenset({S.SUBMITTED, S.UNDER_REVIEW, S.REVOKED})


@dataclass(frozen=True)
class ChecklistEntry:
    code: str
    label: StrOrPromise


CHECKLIST = [
    ChecklistEntry("registration", _("Registration certificate matches the legal name, code and type")),
    ChecklistEntry("uscc", _("Unified social credit code confirmed with the registration authority's public record")),
    ChecklistEntry("charity", _("Charity recognition confirmed (charity organisations)")),
    ChecklistEntry("fundraising", _("Public-fundraising qualification confirmed (if claimed)")),
    ChecklistEntry("annual_report", _("Latest annual report filed and satisfactory")),
    ChecklistEntry("bank", _("Bank account is in the organisation's own name")),
    ChecklistEntry("capacity", _("Staff, licensed social workers and capacity are plausible")),
    ChecklistEntry("no_adverse", _("No serious adverse record (abnormal-operation or serious-dishonesty lists)")),
]
CHECKLIST_CODES = [entry.code for entry in CHECKLIST]
