"""Writes for needs: recording with the protected identity, the gap gate, the one
transition service and audited identity reveals."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, cast

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from agencies.models import Agency
from audit.services import record
from categories.models import Category
from core.crypto import keyed_hash
from core.identity_guard import Known, identity_in
from needs.exceptions import (
    AlreadyTaken,
    ConflictOfInterest,
    ConsentInvalid,
    DuplicatesNeedReason,
    GapGateNotPassed,
    IdentityLeak,
    InvalidTransition,
    NeverPurchased,
    NotAllowed,
    NotEligible,
    ReasonRequired,
)
from needs.models import (
    Beneficiary,
    Consent,
    ConsentMethod,
    HouseholdMember,
    Need,
    NeedEvent,
    NeedInvitation,
    NeedState,
    Proposal,
    ProposalState,
    RelativeDeclaration,
    Scheme,
    SchemeAnswer,
    SchemeCheck,
    Scope,
)
from needs.rules import CARD_TEXTS, find_never_purchased
from needs.selectors import (
    ACTIVE_CASE_STATES,
    ancestor_paths,
    claim_obstacles,
    identity_known_for_need,
    is_declared_relative,
    open_duplicates,
)
from needs.workflow import (
    EDITABLE_STATES,
    PROPOSAL_TRANSITIONS,
    TRANSITIONS,
    WIDER_SCOPE,
    Actor,
    actor_refusal,
    response_window,
    route_refusal,
)
from notifications.services import notify, url_for
from organisations.models import Organisation
from organisations.selectors import organisation_may_act
from regions.models import Region

if TYPE_CHECKING:
    from contracts.models import Contract
    from vetting.uploads import CheckedFile

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


def need_transition(
    *,
    need: Need,
    action: str,
    by: User | None,
    reason: str = "",
    organisation: Organisation | None = None,
    contract: Contract | None = None,
) -> Need:
    """Move a need along the workflow (needs.workflow.TRANSITIONS).

    Locks the row, checks the table, the person (separation of duties: the preparer
    never approves) and the preconditions (the gap gate on submission), writes the
    state, appends a NeedEvent and an audit entry. Raises a NeedError and changes
    nothing otherwise.
    """
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise InvalidTransition(_("Unknown action."))
    reason = reason.strip()
    with transaction.atomic():
        need = Need.objects.select_for_update().select_related("agency").get(pk=need.pk)
        source = need.state
        if action == "claim" and source in ACTIVE_CASE_STATES:
            # The row lock makes this the answer every later accept gets, exactly one winner.
            raise AlreadyTaken(_("Another organisation has already taken this need on."))
        if source not in transition.sources:
            raise InvalidTransition(
                _("A need that is %(state)s cannot be given “%(action)s”.")
                % {"state": need.get_state_display(), "action": transition.label}
            )
        now = timezone.now()
        if transition.actor == Actor.ORGANISATION:
            _check_claimant(need, organisation, by)
        elif refusal := actor_refusal(transition, need, by, contract=contract, now=now):
            raise refusal
        if action in {"publish", "open_proposals"} and need.scope == Scope.INVITED and not need.invitations.exists():
            raise InvalidTransition(_("Invite at least one organisation first: this need is for invited ones only."))
        if refusal := route_refusal(transition, need):
            raise refusal
        if action in COI_CHECKED and by is not None and is_declared_relative(by, need.beneficiary):
            raise ConflictOfInterest(
                _("This person is a relative you declared: another colleague must take this step.")
            )
        if transition.needs_reason and not reason:
            raise ReasonRequired(_("Give a reason; it is kept with the need."))
        if action in {"submit", "approve"}:
            duplicates = open_duplicates(need)
            if duplicates and not reason:
                raise DuplicatesNeedReason(
                    _("The same person has other open needs; say why this one should still go ahead."), duplicates
                )
            if duplicates:
                record(
                    action="need.duplicates_acknowledged",
                    actor=by,
                    obj=need,
                    summary={"duplicates": [f"{agency}: {state}" for agency, state in duplicates], "reason": reason},
                )
        if action == "submit":
            problems = gap_gate_problems(need)
            if problems:
                raise GapGateNotPassed(_("The statutory-aid check does not allow submission yet."), problems)
            _check_text({f: getattr(need, f) for f in CARD_TEXTS}, known=identity_known_for_need(need))
            need.submitted_at = now
        elif action == "approve":
            need.approved_by, need.approved_at = by, now
        elif action in {"publish", "open_proposals"}:
            need.published_at = now
            need.response_deadline = now + response_window(need.urgency)
        elif action == "claim":
            need.claimed_by, need.claimed_by_user, need.claimed_at = organisation, by, now
        elif action == "award":
            need.claimed_by, need.claimed_at = organisation, now
        elif action == "close_proposals":
            need.proposals_closed_at = now
        if action in {"return", "withdraw"}:
            need.state_reason = reason
        elif action not in {"publish", "open_proposals", "close_proposals"}:
            need.state_reason = ""
        need.state = transition.target
        need.save()
        NeedEvent.objects.create(
            need=need, action=action, from_state=source, to_state=transition.target, by=by, reason=reason
        )
        record(
            action=f"need.{action}",
            actor=by,
            obj=need,
            summary={
                "before": {"state": source},
                "after": {"state": transition.target},
                "reason": reason,
                **({"organisation": organisation.pk} if organisation is not None else {}),
            },
        )
        if action in {"publish", "open_proposals"}:
            for invitation in need.invitations.select_related("organisation"):
                _tell_invited(need, invitation.organisation)
        if action == "withdraw" and source in {NeedState.PROPOSALS_OPEN, NeedState.PROPOSALS_CLOSED}:
            _void_proposals(need)
        _notify_step(need, action, organisation=organisation)
    return need


# Steps where a declared relative of the person taking them blocks that person.
COI_CHECKED = {"submit", "approve", "award"}


def proposal_transition(*, proposals: QuerySet[Proposal], action: str, **fields: object) -> int:
    """The one door for proposals' states (``needs.workflow.PROPOSAL_TRANSITIONS``): those
    of ``proposals`` in the step's source states move to its target, ``fields`` written
    beside it, in one conditional update. The caller holds the need's row lock and has
    checked who acts (the organisation for its own, the need's award or withdrawal for
    the rest). Returns how many moved."""
    step = PROPOSAL_TRANSITIONS[action]
    return proposals.filter(state__in=step.sources).update(state=step.target, **fields)


def _void_proposals(need: Need) -> None:
    """A withdrawn need's proposals are void; their organisations are told."""
    proposals = list(need.proposals.filter(state=ProposalState.SUBMITTED).select_related("organisation"))
    proposal_transition(proposals=need.proposals.all(), action="void")
    for proposal in proposals:
        notify_organisation(
            proposal.organisation,
            event="proposal_void",
            params={"need": need.reference, "title": need.title},
            url=url_for("needs:detail", need.pk),
        )


def notify_organisation(organisation: Organisation, *, event: str, params: Mapping[str, object], url: str) -> None:
    """Tell every active member of an organisation."""
    for member in User.objects.filter(is_active=True, memberships__organisation=organisation).distinct():
        notify(user=member, event=event, params=params, url=url)


def _approvers_of(need: Need) -> list[User]:
    """Active approvers of the need's agency or an agency above it."""
    paths = ancestor_paths(need.agency.path)
    return list(
        User.objects.filter(
            is_active=True, memberships__role="agency_approver", memberships__agency__path__in=paths
        ).distinct()
    )


def _notify_step(need: Need, action: str, *, organisation: Organisation | None = None) -> None:
    """Who hears of each step: approvers of a submission, the preparer of a decision,
    both of a claim, an escalation or an expiry."""
    params: dict[str, object] = {"need": need.reference, "title": need.title}
    url = url_for("needs:detail", need.pk)
    recipients: set[User] = set()
    if action == "submit":
        recipients = {u for u in _approvers_of(need) if u.pk != need.prepared_by_id}
    elif action in {"approve", "return", "publish", "open_proposals", "withdraw"}:
        recipients = {need.prepared_by}
    elif action == "close_proposals":
        recipients = set(_approvers_of(need))
        params["count"] = need.proposals.filter(state="submitted").count()
    elif action in {"claim", "award", "expire", "escalate"}:
        recipients = {need.prepared_by, *([need.approved_by] if need.approved_by else [])}
        if organisation is not None:
            params["organisation"] = organisation.legal_name
    for person in recipients:
        event = {"claim": "need_claimed", "award": "need_awarded"}.get(action, f"need_{action}")
        notify(user=person, event=event, params=params, url=url)


def _check_claimant(need: Need, organisation: Organisation | None, by: User | None) -> None:
    if organisation is None or organisation.pk not in policy.organisation_ids(by):
        raise NotAllowed(_("Only a member of the organisation can take a need on for it."))
    problems = claim_obstacles(organisation, need)
    if problems:
        raise NotEligible(" ".join(problems))


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


# --- Escalation ---------------------------------------------------------------------


def needs_escalate(*, now: datetime | None = None) -> dict[str, int]:
    """Needs past their response deadline. Proposals received: close them for evaluation.
    Nobody responded: the first time, widen the scope one step, give a new window and
    tell the approvers; the second time, expire. Idempotent: each need is handled once
    per deadline."""

    now = now or timezone.now()
    escalated = expired = closed = 0
    waiting = [NeedState.PUBLISHED, NeedState.PROPOSALS_OPEN]
    overdue = Need.objects.filter(state__in=waiting, response_deadline__lt=now).values_list("pk", flat=True)
    for pk in overdue:
        with transaction.atomic():
            need = Need.objects.select_for_update().select_related("agency").get(pk=pk)
            if need.state not in waiting or need.response_deadline >= now:
                continue  # taken on, or handled by a concurrent sweep
            if need.state == NeedState.PROPOSALS_OPEN and need.proposals.filter(state=ProposalState.SUBMITTED).exists():
                need_transition(need=need, action="close_proposals", by=None)
                closed += 1
            elif need.escalated_at is None:
                before = need.scope
                need.scope = WIDER_SCOPE[need.scope]
                need.escalated_at = now
                need.response_deadline = now + response_window(need.urgency)
                need.save(update_fields=["scope", "escalated_at", "response_deadline"])
                NeedEvent.objects.create(
                    need=need, action="escalate", from_state=need.state, to_state=need.state, by=None
                )
                record(
                    action="need.escalate",
                    actor_label="system",
                    obj=need,
                    summary={"before": {"scope": before}, "after": {"scope": need.scope}},
                )
                for approver in _approvers_of(need):
                    notify(
                        user=approver,
                        event="need_escalate",
                        params={"need": need.reference, "title": need.title},
                        url=url_for("needs:detail", need.pk),
                    )
                escalated += 1
            else:
                need_transition(need=need, action="expire", by=None)
                expired += 1
    return {"escalated": escalated, "expired": expired, "closed": closed}


# --- Invitations --------------------------------------------------------------------


INVITABLE_STATES = {NeedState.APPROVED, NeedState.PUBLISHED, NeedState.PROPOSALS_OPEN}


def need_invite(*, need: Need, organisation: Organisation, by: User) -> NeedInvitation:
    """Invite an organisation that may act today: it is then in scope of the need and told."""

    if not policy.can_record_need(by, need.agency):
        raise NotAllowed(_("Only caseworkers and approvers of this agency invite organisations."))
    if not organisation_may_act(organisation=organisation):
        raise NotEligible(_("Only vetted organisations can be invited."))
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.state not in INVITABLE_STATES:
            raise InvalidTransition(_("Organisations are invited between approval and the close of responses."))
        invitation, created = NeedInvitation.objects.get_or_create(
            need=need, organisation=organisation, defaults={"invited_by": by}
        )
        if not created:
            raise InvalidTransition(_("%(organisation)s is already invited.") % {"organisation": organisation})
        record(action="need.invite", actor=by, obj=need, summary={"organisation": organisation.pk})
        if need.state != NeedState.APPROVED:
            _tell_invited(need, organisation)
    return invitation


def _tell_invited(need: Need, organisation: Organisation) -> None:
    notify_organisation(
        organisation,
        event="need_invited",
        params={"need": need.reference, "title": need.title, "agency": need.agency.name},
        url=url_for("needs:detail", need.pk),
    )
