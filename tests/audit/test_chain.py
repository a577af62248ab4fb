"""The audit log is append-only and hash-chained: tampering is named by audit_verify."""

from __future__ import annotations

import itertools

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from audit.models import AuditChainHead, AuditEntry
from audit.services import audit_chain_verify, record


@pytest.fixture
def chain(db, caseworker):
    return [record(action=f"test.step{i}", actor=caseworker, obj=caseworker, summary={"i": i}) for i in range(5)]


def raw(sql: str, params: list) -> None:
    """Tamper below the ORM, as someone with database access would. On PostgreSQL
    that someone must be the table's owner and switch the append-only trigger off."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")


def test_each_entry_chains_onto_the_one_before(chain):
    entries = list(AuditEntry.objects.order_by("seq"))
    for before, after in itertools.pairwise(entries):
        assert after.prev_hash == before.hash
        assert after.seq == before.seq + 1
    assert audit_chain_verify() is None


def test_verify_command_reports_an_intact_log(chain, capsys):
    call_command("audit_verify")
    assert "Audit log intact" in capsys.readouterr().out


def test_an_edited_entry_is_named(chain):
    target = chain[2]
    raw("UPDATE audit_auditentry SET action = %s WHERE seq = %s", ["test.forged", target.seq])
    broken = audit_chain_verify()
    assert broken.seq == target.seq
    assert "edited" in broken.problem
    with pytest.raises(CommandError, match=f"entry #{target.seq}"):
        call_command("audit_verify")


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(chain):
    target = AuditEntry.objects.get(seq=chain[1].seq)
    target.summary = {"i": 999}
    new_hash = target.compute_hash()
    raw("UPDATE audit_auditentry SET summary = %s, hash = %s WHERE seq = %s", ['{"i": 999}', new_hash, target.seq])
    broken = audit_chain_verify()
    assert broken.seq == target.seq + 1


def test_a_deleted_entry_is_named(chain):
    raw("DELETE FROM audit_auditentry WHERE seq = %s", [chain[3].seq])
    broken = audit_chain_verify()
    assert broken.seq == chain[3].seq
    assert "deleted" in broken.problem


def test_deleting_the_newest_entry_is_caught_by_the_head(chain):
    raw("DELETE FROM audit_auditentry WHERE seq = %s", [chain[-1].seq])
    broken = audit_chain_verify()
    assert broken is not None and "deleted" in broken.problem


def test_an_inserted_entry_is_named(chain):
    first = AuditEntry.objects.get(seq=chain[0].seq)
    # Shift the later entries up by one and insert a forged entry in the gap.
    raw("UPDATE audit_auditentry SET seq = seq + 1000 WHERE seq > %s", [first.seq])
    raw("UPDATE audit_auditentry SET seq = seq - 999 WHERE seq > 1000", [])
    forged = AuditEntry(
        seq=first.seq + 1,
        at=first.at,
        action="test.forged",
        prev_hash="f" * 64,
        summary={},
    )
    forged.hash = forged.compute_hash()
    forged.save(force_insert=True)
    broken = audit_chain_verify()
    assert broken.seq == first.seq + 1
    assert "inserted" in broken.problem


@pytest.mark.postgres  # the append-only trigger
@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditentry SET action = 'x' WHERE seq = %s", "DELETE FROM audit_auditentry WHERE seq = %s"],
)
def test_postgresql_refuses_update_and_delete(chain, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [chain[0].seq])
    assert AuditEntry.objects.get(seq=chain[0].seq).action == "test.step0"


def test_the_head_tracks_the_last_entry(chain):
    head = AuditChainHead.objects.get(pk=1)
    last = AuditEntry.objects.order_by("-seq").first()
    assert (head.last_seq, head.last_hash) == (last.seq, last.hash)


def test_an_entry_rolls_back_with_the_change_it_describes(db, caseworker):
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        record(action="test.rolled_back", actor=caseworker)
        raise RuntimeError("the change failed")
    assert AuditEntry.objects.count() == before
    assert audit_chain_verify() is None
