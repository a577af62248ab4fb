"""The handling of a report as data: open → being looked into → closed with an outcome,
and reopened when new facts come. `reports.services.report_transition` is the one door."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workflow import Transition, transition_table
from reports.models import ReportState as S


class Actor:
    AUDITOR = "auditor"


TRANSITIONS: dict[str, Transition] = transition_table(
    Transition("start", frozenset({S.OPEN}), S.INVESTIGATING, Actor.AUDITOR, _("Start looking into it")),
    Transition("close", frozenset({S.OPEN, S.INVESTIGATING}), S.CLOSED, Actor.AUDITOR, _("Close with an outcome")),
    Transition("reopen", frozenset({S.CLOSED}), S.INVESTIGATING, Actor.AUDITOR, _("Reopen"), needs_reason=True),
)

# While a report is not closed, its reporter may add information and files.
OPEN_STATES = frozenset({S.OPEN, S.INVESTIGATING})
