from datetime import timedelta

from core.sweeps import sweep


@sweep("contracts_clock", every=timedelta(hours=1))
def contracts_clock() -> int:
    """Payment reminders before the due date; overdue acceptance and overdue payment
    escalated to the agency's approvers and administrators."""
    from contracts.services import contracts_clock_run

    return sum(contracts_clock_run().values())
