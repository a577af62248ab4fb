"""The handling of a report: every transition, who may take it, what it needs, and
the event and audit entry each one leaves."""

from __future__ import annotations

import pytest

from audit.models import AuditEntry
from reports import services
from reports.exceptions import Incomplete, InvalidTransition, NotAllowed
from reports.models import Report, ReportState
from reports.workflow import TRANSITIONS
from tests.reports.helpers import file_report

pytestmark = pytest.mark.django_db

NOT_AUDITORS = [
    "caseworker",
    "approver",
    "agency_admin",
    "charity_admin",
    "charity_member",
    "unvetted_member",
    "vetting_officer",
    "outsider",
    "superuser",
]


def close(report, by, **overrides):
    kwargs = {"outcome": "substantiated", "public_outcome": "The contract was re-tendered.", **overrides}
    return services.report_transition(report=report, action="close", by=by, **kwargs)


def test_the_table_is_open_then_looking_into_it_then_closed():
    assert {a: (sorted(t.sources), t.target) for a, t in TRANSITIONS.items()} == {
        "start": (["open"], "investigating"),
        "close": (["investigating", "open"], "closed"),
        "reopen": (["closed"], "investigating"),
    }


def test_an_auditor_takes_the_report_through_every_step(auditor):
    report, _code = file_report()

    report = services.report_transition(report=report, action="start", by=auditor)
    assert report.state == ReportState.INVESTIGATING
    report = close(report, auditor, private_notes="Spoke to the agency on 3 March.")
    assert (report.state, report.outcome) == (ReportState.CLOSED, "substantiated")
    assert report.closed_at is not None and report.private_notes == "Spoke to the agency on 3 March."
    report = services.report_transition(report=report, action="reopen", by=auditor, reason="New evidence.")
    assert (report.state, report.outcome, report.public_outcome, report.closed_at) == (
        ReportState.INVESTIGATING,
        "",
        "",
        None,
    )

    events = list(report.events.values_list("action", "from_state", "to_state"))
    assert events == [
        ("file", "", "open"),
        ("start", "open", "investigating"),
        ("close", "investigating", "closed"),
        ("reopen", "closed", "investigating"),
    ]
    assert list(
        AuditEntry.objects.filter(object_type="reports.report").order_by("seq").values_list("action", flat=True)
    ) == ["report.file", "report.start", "report.close", "report.reopen"]
    assert AuditEntry.objects.get(action="report.close").actor_id == auditor.pk


def test_a_report_may_be_closed_straight_from_open(auditor):
    report, _code = file_report()

    report = close(report, auditor, outcome="no_action", public_outcome="This is outside what we look into.")

    assert report.state == ReportState.CLOSED


@pytest.mark.parametrize("persona", NOT_AUDITORS)
@pytest.mark.parametrize("action", ["start", "close", "reopen"])
def test_nobody_but_an_auditor_takes_any_step(request, persona, action):
    user = request.getfixturevalue(persona)
    report, _code = file_report()

    with pytest.raises(NotAllowed):
        services.report_transition(
            report=report, action=action, by=user, outcome="substantiated", public_outcome="x", reason="x"
        )

    assert Report.objects.get().state == ReportState.OPEN
    assert report.events.count() == 1


@pytest.mark.parametrize(
    ("state", "action"),
    [
        ("open", "reopen"),
        ("investigating", "start"),
        ("investigating", "reopen"),
        ("closed", "start"),
        ("closed", "close"),
    ],
)
def test_a_step_from_the_wrong_state_is_refused(auditor, state, action):
    report, _code = file_report()
    if state != "open":
        services.report_transition(report=report, action="start", by=auditor)
    if state == "closed":
        close(report, auditor)

    with pytest.raises(InvalidTransition):
        services.report_transition(
            report=report, action=action, by=auditor, outcome="referred", public_outcome="x", reason="x"
        )

    assert Report.objects.get().state == state


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [({"outcome": ""}, Incomplete), ({"outcome": "guilty"}, Incomplete), ({"public_outcome": "  "}, Incomplete)],
)
def test_closing_needs_an_outcome_and_a_public_text(auditor, overrides, problem):
    report, _code = file_report()

    with pytest.raises(problem):
        close(report, auditor, **overrides)

    assert Report.objects.get().state == ReportState.OPEN


def test_reopening_needs_a_reason(auditor):
    report, _code = file_report()
    close(report, auditor)

    with pytest.raises(Incomplete):
        services.report_transition(report=report, action="reopen", by=auditor, reason=" ")

    assert Report.objects.get().state == ReportState.CLOSED


def test_an_unknown_action_is_refused(auditor):
    report, _code = file_report()

    with pytest.raises(InvalidTransition):
        services.report_transition(report=report, action="delete", by=auditor)


def test_the_database_refuses_a_closed_report_without_an_outcome(auditor):
    from django.db import IntegrityError, transaction

    report, _code = file_report()
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=report.pk).update(state="closed")


def test_an_auditor_notes_privately(auditor, outsider):
    report, _code = file_report()

    services.report_note(report=report, by=auditor, text="Asked the agency for the tender file.")
    with pytest.raises(NotAllowed):
        services.report_note(report=report, by=outsider, text="Let me in")

    assert list(report.events.filter(action="note").values_list("text", flat=True)) == [
        "Asked the agency for the tender file."
    ]
