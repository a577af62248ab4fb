from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Role
from accounts.types import AnyUser
from organisations.models import Organisation, OrganisationKind, OrganisationQuerySet, VettingState
from vetting.models import ChangeRequest, ChangeRequestState, Document, DocumentType


def required_document_types(organisation: Organisation) -> list[str]:
    """Which documents an application needs, given what the organisation claims."""
    required: list[str] = [DocumentType.REGISTRATION, DocumentType.ANNUAL_REPORT, DocumentType.BANK]
    if organisation.kind == OrganisationKind.CHARITY or organisation.charity_recognised:
        required.append(DocumentType.CHARITY)
    if organisation.public_fundraising:
        required.append(DocumentType.FUNDRAISING)
    return required


PROFILE_REQUIRED = [
    ("registration_authority", "Registration authority"),
    ("registration_date", "Registration date"),
    ("contact_name", "Contact person"),
    ("phone", "Contact phone"),
    ("bank_name", "Bank"),
    ("bank_account_name", "Account name"),
    ("bank_account", "Account number"),
]


def organisation_missing_items(organisation: Organisation) -> list[str]:
    """What stops this organisation from submitting, in words its admin understands."""
    missing: list[str] = []
    for field, _label in PROFILE_REQUIRED:
        if not getattr(organisation, field):
            label = organisation._meta.get_field(field).verbose_name  # type: ignore[union-attr]  # a column, not a relation
            missing.append(_("Profile: %(field)s") % {"field": label})
    if not organisation.service_regions.exists():
        missing.append(_("Profile: at least one service region"))
    if not organisation.service_categories.exists():
        missing.append(_("Profile: at least one service category"))
    present = set(organisation.documents.values_list("doc_type", flat=True))
    for doc_type in required_document_types(organisation):
        if doc_type not in present:
            missing.append(_("Document: %(type)s") % {"type": DocumentType(doc_type).label})
    return missing


def vetting_queue_for(user: AnyUser) -> OrganisationQuerySet[Organisation]:
    """Applications for vetting officers (and, read-only, auditors); none for others."""
    if not (policy.is_superuser(user) or policy.has_role(user, Role.VETTING_OFFICER, Role.AUDITOR)):
        return Organisation.objects.none()
    return Organisation.objects.select_related("region").exclude(vetting_state=VettingState.DRAFT)


def documents_visible_to(user: AnyUser, organisation: Organisation) -> QuerySet[Document]:
    if not policy.can_read_vetting_file(user, organisation):
        return Document.objects.none()
    return organisation.documents.all()


def pending_change_request(organisation: Organisation) -> ChangeRequest | None:
    return organisation.change_requests.filter(state=ChangeRequestState.PENDING).first()
