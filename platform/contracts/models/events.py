"""The contract's own history, as its page shows it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from contracts.models.contract import Contract
from contracts.models.work import Milestone

# What each ContractEvent.action means, as the contract's history shows it.
EVENT_LABELS = {
    "draft": _("Drafted"),
    "edit": _("Draft edited"),
    "send": _("Sent for signature"),
    "recall": _("Recalled to draft"),
    "decline": _("Declined by the organisation"),
    "sign_agency": _("Signed for the agency"),
    "sign_organisation": _("Signed for the organisation"),
    "in_force": _("In force"),
    "amend": _("Amendment started"),
    "discard_amendment": _("Amendment discarded"),
    "terminate": _("Terminated"),
    "evidence_record": _("Service record added"),
    "evidence_file": _("Evidence file added"),
    "submit": _("Submitted for acceptance"),
    "confirmation_link": _("Confirmation link made for the beneficiary"),
    "beneficiary_confirmed": _("Confirmed by the beneficiary"),
    "beneficiary_disputed": _("Disputed by the beneficiary"),
    "dispute_upheld": _("Dispute upheld"),
    "dispute_dismissed": _("Dispute dismissed"),
    "accept": _("Accepted"),
    "return": _("Returned for more evidence"),
    "complete": _("Every milestone accepted"),
    "payment_record": _("Payment recorded"),
    "payment_authorise": _("Payment authorised"),
    "payment_reject": _("Payment record rejected"),
    "reverse": _("Journal entry reversed"),
    "final_report": _("Final report uploaded"),
    "evaluate": _("Evaluated"),
    "close": _("Closed"),
    "payment_overdue": _("Payment overdue: escalated"),
    "acceptance_overdue": _("Acceptance overdue: escalated"),
}


class ContractEvent(models.Model):
    """The contract's own history, shown on its page (the audit log has it too)."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=40)
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.action} on contract #{self.contract_id}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.action, self.action))
