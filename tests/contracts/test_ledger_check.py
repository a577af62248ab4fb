"""python manage.py ledger_check: every contract, in batches; the ones with problems
listed; exit code 1 if any."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from contracts import services
from contracts.models import Account, JournalEntry, JournalLine
from tests.contracts.helpers import deliver, milestones


def run(*args) -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("ledger_check", *args, stdout=out)
    except SystemExit as exc:
        return exc.code, out.getvalue()
    return 0, out.getvalue()


def test_a_sound_journal_passes(signed, charity_member, approver):
    first = milestones(signed)[0]
    deliver(first, charity_member)
    services.milestone_accept(milestone=first, by=approver)
    code, out = run()
    assert code == 0
    assert "1 contracts checked, 0 with problems" in out


def test_no_contracts(db):
    code, out = run()
    assert code == 0 and "0 contracts checked" in out


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the journal is append-only on PostgreSQL")
def test_a_planted_imbalance_is_found(signed):
    entry = JournalEntry.objects.filter(contract=signed).first()
    JournalLine.objects.create(entry=entry, account=Account.TREASURY, debit=Decimal("0.01"), credit=0)
    code, out = run("--batch-size", "1")
    assert code == 1
    assert signed.number in out and f"entry #{entry.pk} does not balance" in out
    assert "1 contracts checked, 1 with problems" in out


def test_a_planted_imbalance_on_postgresql(signed):
    """On PostgreSQL a trigger refuses changes to a posted entry; an unbalanced new
    entry (which the services never write) is still found."""
    entry = JournalEntry.objects.create(contract=signed, agency=signed.agency, kind="payment", memo="planted")
    JournalLine.objects.create(entry=entry, account=Account.TREASURY, debit=Decimal("5.00"), credit=0)
    code, out = run()
    assert code == 1
    assert f"entry #{entry.pk} does not balance" in out and signed.number in out
