"""Appending several entries at once makes the same chain as appending them one by one."""

from __future__ import annotations

from audit.models import AuditEntry
from audit.services import audit_chain_verify, record, record_many


def test_record_many_appends_in_order_to_one_unbroken_chain(caseworker, county_agency):
    record(action="before", actor=caseworker)
    entries = record_many(
        entries=[("one", county_agency, {"n": 1}), ("two", None, None), ("three", county_agency, {"n": 3})],
        actor=caseworker,
    )
    record(action="after", actor=caseworker)
    rows = list(AuditEntry.objects.order_by("seq"))
    assert [e.action for e in rows] == ["before", "one", "two", "three", "after"]
    assert [e.seq for e in entries] == [rows[1].seq, rows[2].seq, rows[3].seq]
    assert rows[2].summary == {} and rows[3].object_id == str(county_agency.pk)
    assert {e.actor_label for e in rows} == {caseworker.email}
    assert audit_chain_verify() is None


def test_record_many_of_nothing_writes_nothing(db):
    assert record_many(entries=[]) == []
    assert not AuditEntry.objects.exists()
