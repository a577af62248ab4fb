"""Purchase-of-service contracts: the terms (versioned, signed by both parties), the
milestones and their evidence, the beneficiary's confirmation, acceptance, recorded
payments, the journal and the evaluation.

The terms a contract must state (Ministry of Finance Order No. 102, Art. 23) live on
``ContractVersion``: version 1 is the contract as first signed, each amendment a new
version with a reason and both signatures again. Milestones keep their identity across
versions (``Milestone``: the work, acceptance and payments); what a version says of
each milestone is its ``MilestoneTerms``.

One module per part (``contract``, ``terms``, ``work``, ``money``, ``closing``,
``events``); every name is imported from here, as ``contracts.models.X``, which is also
where the migrations find the upload paths.
"""

from contracts.models.closing import Evaluation, FinalReport, IndicatorScore
from contracts.models.contract import (
    DEFAULT_PAYMENT_DAYS,
    MAX_PAYMENT_DAYS,
    Contract,
    ContractSequence,
    ContractSource,
    ContractState,
)
from contracts.models.events import EVENT_LABELS, ContractEvent
from contracts.models.money import (
    Account,
    EntryKind,
    JournalEntry,
    JournalLine,
    Payment,
    PaymentState,
    payment_proof_path,
)
from contracts.models.terms import TERM_FIELDS, ContractVersion, MilestoneTerms, PerformanceIndicator, VersionState
from contracts.models.work import (
    WORK_STATES,
    Confirmation,
    ConfirmationOutcome,
    DisputeResolution,
    EvidenceFile,
    Milestone,
    MilestoneState,
    ServiceRecord,
    UploadedFile,
    evidence_path,
)

__all__ = [
    "DEFAULT_PAYMENT_DAYS",
    "EVENT_LABELS",
    "MAX_PAYMENT_DAYS",
    "TERM_FIELDS",
    "WORK_STATES",
    "Account",
    "Confirmation",
    "ConfirmationOutcome",
    "Contract",
    "ContractEvent",
    "ContractSequence",
    "ContractSource",
    "ContractState",
    "ContractVersion",
    "DisputeResolution",
    "EntryKind",
    "Evaluation",
    "EvidenceFile",
    "FinalReport",
    "IndicatorScore",
    "JournalEntry",
    "JournalLine",
    "Milestone",
    "MilestoneState",
    "MilestoneTerms",
    "Payment",
    "PaymentState",
    "PerformanceIndicator",
    "ServiceRecord",
    "UploadedFile",
    "VersionState",
    "evidence_path",
    "payment_proof_path",
]
