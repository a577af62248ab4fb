"""Writes for needs: recording with the protected identity, the gap gate, the one
transition service and audited identity reveals.

One module per stage: ``recording`` (the card, the vault, the statutory-aid check and
the gap gate), ``transitions`` (the one door for the need's and its proposals' states),
``notices`` (who is told of each step), ``invitations``, ``escalation`` (the deadline
sweep) and ``consent`` (identity reveals, declared relatives, consent). The names
callers use are re-exported here.
"""

from needs.services.consent import GUARDIAN_AGE, consent_record, consent_withdraw, identity_reveal, relative_declare
from needs.services.escalation import needs_escalate
from needs.services.invitations import INVITABLE_STATES, need_invite
from needs.services.notices import notify_organisation
from needs.services.recording import (
    NEED_FIELDS,
    BeneficiaryData,
    HouseholdMemberData,
    NeedCard,
    gap_gate_problems,
    need_create,
    need_update,
    scheme_checks_record,
)
from needs.services.transitions import COI_CHECKED, need_transition, proposal_transition

__all__ = [
    "COI_CHECKED",
    "GUARDIAN_AGE",
    "INVITABLE_STATES",
    "NEED_FIELDS",
    "BeneficiaryData",
    "HouseholdMemberData",
    "NeedCard",
    "consent_record",
    "consent_withdraw",
    "gap_gate_problems",
    "identity_reveal",
    "need_create",
    "need_invite",
    "need_transition",
    "need_update",
    "needs_escalate",
    "notify_organisation",
    "proposal_transition",
    "relative_declare",
    "scheme_checks_record",
]
