from datetime import timedelta

from contracts.services import contracts_clock_run
from core.sweeps import sweep


@sweep("contracts_clock", every=timedelta(hours=1))
def contracts_clock() -> int:
    """Payment reminders before the due date; overdue acceptance and overdue payment
    escalated to the agency's approvers and administrators."""
    return sum(contracts_clock_run().values())
