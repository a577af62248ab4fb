"""Writes for contracts, one module per stage: drafting, signing (and amendments), the
work and its evidence, the beneficiary's confirmation, acceptance, payments and the
journal, closing (termination, final report, evaluation), and the payment clock.

Every state change goes through the one door of its workflow
(``contracts.services.transitions``, on the tables of ``contracts.workflow``): it locks
the rows, checks the table (who, the state, what must hold), writes the state and
appends a ContractEvent with its audit entry, all in one transaction; a refusal is a
ContractError and changes nothing. The functions named ``<entity>_<action>`` are the
entry points pages and tasks call.

Reads live in ``contracts.selectors``; the ones callers have long taken from here are
re-exported below.
"""

from contracts.selectors import (
    close_problems,
    confirmation_for,
    current_version,
    open_version,
    price_ceiling,
    schedule,
    schedule_data,
    send_problems,
    terms_of,
    terms_problems,
)
from contracts.services.acceptance import contract_complete_if_done, milestone_accept, milestone_return
from contracts.services.clock import contracts_clock_run
from contracts.services.closing import contract_close, contract_evaluate, contract_terminate, final_report_upload
from contracts.services.confirmation import confirmation_answer, confirmation_create, dispute_resolve
from contracts.services.drafting import contract_draft, contract_update_draft
from contracts.services.payments import journal_reverse, payment_authorise, payment_record, payment_reject
from contracts.services.signing import (
    contract_amend,
    contract_discard_amendment,
    contract_recall,
    contract_send,
    contract_sign,
)
from contracts.services.transitions import (
    contract_transition,
    milestone_transition,
    payment_transition,
    version_transition,
)
from contracts.services.work import evidence_file_add, evidence_record_add, milestone_submit
from contracts.workflow import ACCEPTANCE_OVERDUE_DAYS, CONFIRMATION_DAYS, CONFIRMATION_MAX_FAILURES

__all__ = [
    "ACCEPTANCE_OVERDUE_DAYS",
    "CONFIRMATION_DAYS",
    "CONFIRMATION_MAX_FAILURES",
    "close_problems",
    "confirmation_answer",
    "confirmation_create",
    "confirmation_for",
    "contract_amend",
    "contract_close",
    "contract_complete_if_done",
    "contract_discard_amendment",
    "contract_draft",
    "contract_evaluate",
    "contract_recall",
    "contract_send",
    "contract_sign",
    "contract_terminate",
    "contract_transition",
    "contract_update_draft",
    "contracts_clock_run",
    "current_version",
    "dispute_resolve",
    "evidence_file_add",
    "evidence_record_add",
    "final_report_upload",
    "journal_reverse",
    "milestone_accept",
    "milestone_return",
    "milestone_submit",
    "milestone_transition",
    "open_version",
    "payment_authorise",
    "payment_record",
    "payment_reject",
    "payment_transition",
    "price_ceiling",
    "schedule",
    "schedule_data",
    "send_problems",
    "terms_of",
    "terms_problems",
    "version_transition",
]
