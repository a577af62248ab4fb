"""The contract workflows as data (contracts.workflow): one door writes every state, the
tables say who may take each step, and the pages' buttons and the services' refusals
read the same rows."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from contracts import services
from contracts.actions import contract_actions, may_take, milestone_actions
from contracts.exceptions import InvalidTransition, NotAllowed
from contracts.models import ContractState, MilestoneState
from contracts.workflow import (
    CONTRACT_TRANSITIONS,
    JOURNAL_TRANSITIONS,
    MILESTONE_TRANSITIONS,
    NOT_A_PERSON,
    PAYMENT_TRANSITIONS,
    VERSION_TRANSITIONS,
)
from tests.contracts.test_lifecycle import deliver, milestones

pytestmark = pytest.mark.django_db

CONTRACTS = Path(__file__).resolve().parents[2] / "platform" / "contracts"
TABLES = [CONTRACT_TRANSITIONS, VERSION_TRANSITIONS, MILESTONE_TRANSITIONS, PAYMENT_TRANSITIONS, JOURNAL_TRANSITIONS]


def test_only_the_doors_write_a_state():
    """``.state =`` and ``update(state=…)`` appear in the transition services alone."""
    doors = CONTRACTS / "services" / "transitions.py"
    writes = re.compile(r"\.state\s*=[^=]|\.update\([^)]*\bstate=")
    offenders = [
        f"{path.relative_to(CONTRACTS)}:{n}"
        for path in CONTRACTS.rglob("*.py")
        if path != doors and "migrations" not in path.parts
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if writes.search(line)
    ]
    assert offenders == []


def test_every_step_a_person_takes_says_why_the_state_refuses_it():
    for table in TABLES:
        for step in table.values():
            if step.actor not in NOT_A_PERSON and step.sources != frozenset(MilestoneState.values):
                assert step.refusal, step.action


def test_an_unknown_step_is_refused(signed, approver):
    with pytest.raises(InvalidTransition), services.contract_transition(contract=signed, action="fly", by=approver):
        pass


def test_a_step_of_the_service_itself_is_nobodys_to_take(signed, approver):
    assert not may_take(approver, CONTRACT_TRANSITIONS["complete"], contract=signed)
    assert not may_take(approver, MILESTONE_TRANSITIONS["cancel"], contract=signed)


def test_the_buttons_of_a_contract_in_force(signed, caseworker, approver, second_approver, charity_admin, finance):
    assert set(contract_actions(caseworker, signed)) == {"amend"}
    assert set(contract_actions(approver, signed)) == {"amend", "terminate"}
    assert set(contract_actions(charity_admin, signed)) == set()
    assert set(contract_actions(finance, signed)) == set()
    services.contract_amend(contract=signed, by=caseworker, reason="服务频次增加")
    assert set(contract_actions(caseworker, signed)) == {"edit", "send", "discard_amendment"}
    assert "amend" not in contract_actions(approver, signed)


def test_the_buttons_of_a_milestone_follow_the_work(signed, charity_member, caseworker, second_approver, finance):
    first = milestones(signed)[0]
    assert set(milestone_actions(charity_member, first)) == {
        "evidence_record",
        "evidence_file",
        "submit",
        "confirmation_link",
    }
    assert set(milestone_actions(second_approver, first)) == {"dispute_resolve"}
    deliver(first, charity_member)
    first.refresh_from_db()
    assert "accept" in milestone_actions(second_approver, first)
    assert "accept" not in milestone_actions(caseworker, first)  # prepared it
    services.milestone_accept(milestone=first, by=second_approver)
    first.refresh_from_db()
    assert set(milestone_actions(finance, first)) == {"payment_record"}


def test_the_page_and_the_service_agree_on_who(signed, caseworker, approver, charity_member, finance):
    terminate = CONTRACT_TRANSITIONS["terminate"]
    for person in (caseworker, charity_member, finance):
        assert not may_take(person, terminate, contract=signed)
        with pytest.raises(NotAllowed):
            services.contract_terminate(contract=signed, by=person, reason="服务对象已迁出本县")
    assert may_take(approver, terminate, contract=signed)
    services.contract_terminate(contract=signed, by=approver, reason="服务对象已迁出本县")
    signed.refresh_from_db()
    assert signed.state == ContractState.TERMINATED
    assert contract_actions(approver, signed) == {}
