"""Recording a need: its card, the beneficiary in the vault, the statutory-aid check and the gap gate."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any, NotRequired, TypedDict

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from agencies.models import Agency
from audit.services import record
from categories.models import Category
from core.crypto import keyed_hash
from core.identity_guard import Known, identity_in
from needs.exceptions import ConflictOfInterest, IdentityLeak, InvalidTransition, NeverPurchased, NotAllowed
from needs.models import Beneficiary, HouseholdMember, Need, NeedEvent, NeedState, Scheme, SchemeAnswer, SchemeCheck
from needs.rules import CARD_TEXTS, find_never_purchased
from needs.selectors import identity_known_for_need
from needs.workflow import EDITABLE_STATES, response_window
from regions.models import Region

NEED_FIELDS = (
    "title",
    "summary",
    "category",
    "kind",
    "urgency",
    "region",
    "budget",
    "duration_days",
    "qualifications",
    "people_count",
    "scope",
)


class NeedCard(TypedDict):
    """The NEED_FIELDS, as NeedForm.card_data cleans them: what organisations read."""

    title: str
    summary: str
    category: Category
    kind: str
    urgency: str
    region: Region
    budget: Decimal
    duration_days: int
    qualifications: str
    people_count: int
    scope: str


class BeneficiaryData(TypedDict):
    """The person helped, as BeneficiaryForm cleans them; kept encrypted in the vault."""

    name: str
    id_number: str  # already validated
    phone: NotRequired[str]
    address: NotRequired[str]
    is_minor: NotRequired[bool]
    has_disability: NotRequired[bool]
    elderly_alone: NotRequired[bool]
    severe_illness: NotRequired[bool]


class HouseholdMemberData(TypedDict):
    relation: str
    age: int
    name: NotRequired[str]


def _check_text(texts: dict[str, str], *, known: Known) -> None:
    """Refuse a card that identifies the person (the identity guard) or asks for work that
    is never purchased."""
    leak = identity_in(texts, known=known)
    if leak:
        raise IdentityLeak(leak.message, field=leak.field)
    for text in texts.values():
        never = find_never_purchased(text or "")
        if never:
            raise NeverPurchased(
                _("Government never purchases %(what)s (“%(phrase)s”): it stays with the agency.")
                % {"what": never[0], "phrase": never[1]}
            )


def need_create(
    *, agency: Agency, by: User, data: NeedCard, beneficiary: BeneficiaryData, household: list[HouseholdMemberData]
) -> Need:
    """Record a need in draft with its beneficiary in the vault.

    ``beneficiary`` holds name, id_number (already validated), phone, address and the
    vulnerability flags. Raises NotAllowed unless ``by`` is a caseworker or approver of
    ``agency``; IdentityLeak or NeverPurchased for a summary that may not be published.
    """
    if not policy.can_record_need(by, agency):
        raise NotAllowed(_("Only caseworkers and approvers of this agency record its needs."))
    known = Known(
        names=(beneficiary["name"], *(m.get("name", "") for m in household)),
        addresses=(beneficiary.get("address", ""),),
    )
    card: Mapping[str, Any] = data  # read by field name
    _check_text({f: card.get(f, "") for f in CARD_TEXTS}, known=known)
    id_hash = keyed_hash(beneficiary["id_number"], purpose="resident-id")
    if by.relatives.filter(id_hash=id_hash).exists():
        raise ConflictOfInterest(_("This person is a relative you declared: another caseworker must record this need."))
    with transaction.atomic():
        person = Beneficiary.objects.create(
            agency=agency,
            id_hash=id_hash,
            created_by=by,
            **beneficiary,
        )
        HouseholdMember.objects.bulk_create(
            [
                HouseholdMember(beneficiary=person, relation=m["relation"], age=m["age"], name=m.get("name", ""))
                for m in household
            ]
        )
        need = Need.objects.create(
            agency=agency,
            beneficiary=person,
            prepared_by=by,
            response_deadline=timezone.now() + response_window(data["urgency"]),
            **{f: card[f] for f in NEED_FIELDS},
        )
        NeedEvent.objects.create(
            need=need, action="create", from_state=NeedState.DRAFT, to_state=NeedState.DRAFT, by=by
        )
        record(action="need.create", actor=by, obj=need, summary={"after": {"state": need.state, "agency": agency.pk}})
    return need


def need_update(*, need: Need, by: User, data: NeedCard) -> Need:
    """Edit a draft or returned need (the card fields only; identity is not edited here)."""
    if not policy.can_record_need(by, need.agency):
        raise NotAllowed(_("Only caseworkers and approvers of this agency edit its needs."))
    card: Mapping[str, Any] = data  # read by field name
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.state not in EDITABLE_STATES:
            raise InvalidTransition(_("Only a draft or a returned need can be edited."))
        _check_text({f: card.get(f, "") for f in CARD_TEXTS}, known=identity_known_for_need(need))
        before = {f: str(getattr(need, f)) for f in NEED_FIELDS}
        for field in NEED_FIELDS:
            setattr(need, field, card[field])
        need.response_deadline = timezone.now() + response_window(need.urgency)
        need.save()
        after = {f: str(getattr(need, f)) for f in NEED_FIELDS}
        record(
            action="need.update",
            actor=by,
            obj=need,
            summary={
                "before": {k: v for k, v in before.items() if after[k] != v},
                "after": {k: v for k, v in after.items() if before[k] != v},
            },
        )
    return need


def scheme_checks_record(
    *, need: Need, by: User, answers: Mapping[str, tuple[str, str]], gap_reason: str, gap_note: str
) -> None:
    """Record the statutory-aid check: one answer per scheme, and the coded gap reason."""
    if not policy.can_record_need(by, need.agency):
        raise NotAllowed(_("Only caseworkers and approvers of this agency record the statutory-aid check."))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.state not in EDITABLE_STATES:
            raise InvalidTransition(_("The statutory-aid check is recorded before submission."))
        for scheme, (answer, note) in answers.items():
            if scheme not in Scheme.values or answer not in SchemeAnswer.values:
                raise InvalidTransition(_("Unknown scheme or answer."))
            SchemeCheck.objects.update_or_create(need=need, scheme=scheme, defaults={"answer": answer, "note": note})
        need.gap_reason, need.gap_note = gap_reason, gap_note.strip()
        need.save(update_fields=["gap_reason", "gap_note"])
        record(
            action="need.scheme_check",
            actor=by,
            obj=need,
            summary={"answers": {k: v[0] for k, v in answers.items()}, "gap_reason": gap_reason},
        )


def gap_gate_problems(need: Need) -> list[str]:
    """Why this need cannot be submitted yet, in words for the caseworker."""
    answers = dict(need.scheme_checks.values_list("scheme", "answer"))
    problems = []
    for scheme in Scheme:
        answer = answers.get(scheme.value)
        if answer is None:
            problems.append(_("Answer the statutory-aid check for: %(scheme)s") % {"scheme": scheme.label})
        elif answer == SchemeAnswer.NOT_APPLIED:
            problems.append(
                _("The household is eligible for %(scheme)s but has not applied: apply to that scheme first.")
                % {"scheme": scheme.label}
            )
    if not need.gap_reason:
        problems.append(_("Choose the gap reason: why statutory aid does not cover this need."))
    return problems
