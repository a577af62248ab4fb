"""Audited identity reveals, declared relatives (conflict of interest) and the beneficiary's consent."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, cast

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from audit.services import record
from core.crypto import keyed_hash
from needs.exceptions import ConsentInvalid, InvalidTransition, NotAllowed, ReasonRequired
from needs.models import Beneficiary, Consent, ConsentMethod, RelativeDeclaration

if TYPE_CHECKING:
    from vetting.uploads import CheckedFile


def identity_reveal(*, beneficiary: Beneficiary, by: User, field: str, reason: str) -> str:
    """The full value of one identity field, for someone allowed, with a typed reason; audited."""
    if field not in {"id_number", "phone", "address"}:
        raise InvalidTransition(_("Unknown field."))
    if not policy.can_reveal_identity(by, beneficiary.agency):
        record(action="identity.reveal", actor=by, obj=beneficiary, summary={"field": field}, outcome="denied")
        raise NotAllowed(_("You may not see this person's identity."))
    if len(reason.strip()) < 4:
        raise ReasonRequired(_("Say why you need to see it (at least a few words)."))
    record(action="identity.reveal", actor=by, obj=beneficiary, summary={"field": field, "reason": reason.strip()})
    return cast(str, getattr(beneficiary, field))


# --- Conflict of interest and consent -------------------------------------------------


def relative_declare(*, user: User, name: str, id_number: str, relation: str) -> RelativeDeclaration:
    """Declare a relative (name and validated ID number); only the keyed hash is compared."""
    id_hash = keyed_hash(id_number, purpose="resident-id")
    declaration, _created = RelativeDeclaration.objects.update_or_create(
        user=user, id_hash=id_hash, defaults={"name": name.strip(), "relation": relation.strip()}
    )
    record(action="relative.declare", actor=user, obj=user, summary={"relation": relation.strip()})
    return declaration


def _age_on(id_number: str, day: date) -> int:
    from stdnum.cn import ric

    born: date = ric.get_birth_date(id_number)
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# A child under 14 cannot consent alone: a guardian does (the platform's rule, after
# the Personal Information Protection Law, Art. 31, and the Civil Code on guardianship).
GUARDIAN_AGE = 14


def consent_record(
    *,
    beneficiary: Beneficiary,
    by: User,
    given_by: str,
    by_guardian: bool,
    method: str,
    valid_until: date,
    form_file: CheckedFile | None = None,
) -> Consent:
    """Record consent to share the identity with the awarded organisation's assigned workers."""
    if not policy.can_record_need(by, beneficiary.agency):
        raise NotAllowed(_("Only caseworkers and approvers of this agency record consent."))
    today = timezone.localdate()
    if valid_until <= today:
        raise ConsentInvalid(_("Consent must be valid until a date in the future."))
    if not given_by.strip():
        raise ConsentInvalid(_("Say who gave the consent."))
    if _age_on(beneficiary.id_number, today) < GUARDIAN_AGE and not by_guardian:
        raise ConsentInvalid(_("The person is under 14: a guardian must give the consent."))
    if method == ConsentMethod.SIGNED_FORM and form_file is None:
        raise ConsentInvalid(_("Upload the signed consent form, or record the consent as given in person."))
    if method not in ConsentMethod.values:
        raise ConsentInvalid(_("Unknown way of giving consent."))
    with transaction.atomic():
        consent = Consent(
            beneficiary=beneficiary,
            given_by=given_by.strip(),
            by_guardian=by_guardian,
            method=method,
            valid_until=valid_until,
            recorded_by=by,
        )
        if form_file is not None:
            form_file.seek(0)
            consent.form_file.save("consent" + form_file.checked.extension, form_file, save=False)
        consent.save()
        record(
            action="consent.record",
            actor=by,
            obj=beneficiary,
            summary={"method": method, "by_guardian": by_guardian, "valid_until": valid_until.isoformat()},
        )
    return consent


def consent_withdraw(*, consent: Consent, by: User) -> None:
    if not policy.can_record_need(by, consent.beneficiary.agency):
        raise NotAllowed(_("Only caseworkers and approvers of this agency record consent."))
    with transaction.atomic():
        Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(withdrawn_at=timezone.now())
        record(action="consent.withdraw", actor=by, obj=consent.beneficiary, summary={"consent": consent.pk})
