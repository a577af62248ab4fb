"""What each kind of audit entry means, in words. The log stores the code (stable,
greppable, what exports and the hash chain carry); pages show these words beside it.
A code missing here is shown as itself."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "access.denied": _("Access refused"),
    "auth.login": _("Signed in"),
    "auth.login_failed": _("Sign-in failed"),
    "auth.logout": _("Signed out"),
    "auth.session_expired": _("Session expired"),
    "mfa.added": _("Second factor added"),
    "mfa.removed": _("Second factor removed"),
    "mfa.reset": _("Second factor reset"),
    "membership.grant": _("Role granted"),
    "membership.remove": _("Role removed"),
    "user.deactivate": _("Account deactivated"),
    "identity.reveal": _("Identity detail revealed"),
    "document.upload": _("Document uploaded"),
    "document.download": _("Document downloaded"),
    "document.preview": _("Document previewed"),
    "document.scan": _("Document checked for active content"),
    "document.delete": _("Document removed"),
    "organisation.register": _("Organisation registered"),
    "organisation.update": _("Organisation profile changed"),
    "vetting.checklist": _("Vetting checklist recorded"),
    "vetting.submit": _("Application submitted for vetting"),
    "vetting.start_review": _("Vetting review started"),
    "vetting.approve": _("Organisation approved"),
    "vetting.reject": _("Application rejected"),
    "vetting.suspend": _("Organisation suspended"),
    "vetting.reinstate": _("Organisation reinstated"),
    "vetting.revoke": _("Approval revoked"),
    "need.create": _("Need recorded"),
    "need.update": _("Need changed"),
    "need.scheme_check": _("Statutory-aid check recorded"),
    "need.submit": _("Need submitted for approval"),
    "need.approve": _("Need approved"),
    "need.return": _("Need returned for changes"),
    "need.publish": _("Need published"),
    "need.open_proposals": _("Need published for proposals"),
    "need.claim": _("Need taken on"),
    "need.withdraw": _("Need withdrawn"),
    "need.duplicates_acknowledged": _("Went ahead despite the same person's other needs"),
    "consent.record": _("Consent recorded"),
    "consent.withdraw": _("Consent withdrawn"),
    "proposal.submit": _("Proposal submitted"),
    "proposal.award": _("Proposal awarded"),
    "contract.draft": _("Contract drafted"),
    "contract.send": _("Contract sent for signature"),
    "contract.in_force": _("Contract in force"),
    "contract.accept": _("Milestone accepted"),
    "contract.payment_record": _("Payment recorded"),
    "contract.payment_authorise": _("Payment authorised"),
    "contract.terminate": _("Contract terminated"),
    "contract.evidence_open": _("Evidence opened"),
    "contract.beneficiary_confirmed": _("Service confirmed by the beneficiary"),
    "contract.beneficiary_disputed": _("Service disputed by the beneficiary"),
    "report.file": _("Report filed"),
    "report.view": _("Report opened"),
    "report.file_download": _("Report attachment downloaded"),
}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, code))
