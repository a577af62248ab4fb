"""Notifications at each step, and the escalation sweep for needs nobody took on in time."""

from __future__ import annotations

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from needs import services
from needs.models import Need, NeedState, Scope
from notifications.models import Notification
from tests.needs.helpers import answer_all, card, eligible_org, person, publish


def events_for(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("event", flat=True))


def test_each_step_tells_the_right_people(county_agency, caseworker, approver):
    publish(county_agency, caseworker, approver)
    assert events_for(approver) == ["need_submit"]
    assert events_for(caseworker) == ["need_approve", "need_publish"]


def test_a_returned_need_tells_its_preparer(county_agency, caseworker, approver):
    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker)
    services.need_transition(need=need, action="return", by=approver, reason="补充说明")
    assert "need_return" in events_for(caseworker)


def overdue(need: Need) -> None:
    Need.objects.filter(pk=need.pk).update(response_deadline=timezone.now() - timedelta(minutes=1))


def test_an_overdue_need_is_widened_once_then_expires(county_agency, caseworker, approver):
    need = publish(county_agency, caseworker, approver, scope=Scope.REGION)
    assert services.needs_escalate() == {"escalated": 0, "expired": 0, "closed": 0}
    overdue(need)
    assert services.needs_escalate() == {"escalated": 1, "expired": 0, "closed": 0}
    need.refresh_from_db()
    assert need.scope == Scope.ALL and need.escalated_at and need.response_deadline > timezone.now()
    assert "need_escalate" in events_for(approver)
    assert AuditEntry.objects.filter(action="need.escalate").count() == 1
    assert services.needs_escalate() == {"escalated": 0, "expired": 0, "closed": 0}  # idempotent
    overdue(need)
    assert services.needs_escalate() == {"escalated": 0, "expired": 1, "closed": 0}
    need.refresh_from_db()
    assert need.state == NeedState.EXPIRED
    assert need.events.filter(action="expire", by__isnull=True).exists()
    assert "need_expire" in events_for(caseworker)


def test_a_claimed_need_is_never_escalated(county_agency, caseworker, approver):
    need = publish(county_agency, caseworker, approver)
    org, member = eligible_org()
    services.need_transition(need=need, action="claim", by=member, organisation=org)
    overdue(need)
    assert services.needs_escalate() == {"escalated": 0, "expired": 0, "closed": 0}


def test_nobody_but_the_sweep_expires_a_need(county_agency, caseworker, approver):
    import pytest

    from needs.exceptions import NotAllowed

    need = publish(county_agency, caseworker, approver)
    with pytest.raises(NotAllowed):
        services.need_transition(need=need, action="expire", by=approver)


def test_the_sweep_runs_from_the_command(db, capsys):
    call_command("run_sweeps", only="needs_escalation")
    assert "needs_escalation: 0" in capsys.readouterr().out
