"""Registration and profile changes, with key facts held in a change request until an officer decides."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import Membership, Role, User
from audit.services import record
from categories.models import Category
from organisations.models import KEY_FACTS, PROFILE_FIELDS, Organisation, OrganisationProfile, VettingState
from regions.models import Region
from vetting.exceptions import ConflictOfInterest, InvalidTransition, Locked, NotAllowed, ReasonRequired
from vetting.models import ChangeRequest, ChangeRequestState
from vetting.selectors import pending_change_request
from vetting.services.notices import _notify_admins, _notify_vetting_officers
from vetting.workflow import EDITABLE_STATES, FROZEN_STATES


def _snapshot(organisation: Organisation, fields: Iterable[str]) -> dict[str, Any]:
    return {f: getattr(organisation, f + "_id" if f == "region" else f) for f in fields}


def organisation_register(
    *,
    by: User,
    data: OrganisationProfile,
    service_regions: Iterable[Region],
    service_categories: Iterable[Category],
) -> Organisation:
    """Create an organisation in draft with ``by`` as its admin.

    ``data`` holds PROFILE_FIELDS (validated by the form). Raises NotAllowed for
    government and platform staff. The admin must then set up MFA (middleware).
    """
    if not policy.can_register_organisation(by):
        raise NotAllowed(_("Government and platform staff cannot register an organisation."))
    profile: Mapping[str, object] = data  # read by field name
    with transaction.atomic():
        organisation = Organisation.objects.create(
            **{f: profile[f] for f in PROFILE_FIELDS if f in profile}, vetting_state=VettingState.DRAFT
        )
        organisation.service_regions.set(service_regions)
        organisation.service_categories.set(service_categories)
        Membership.objects.create(user=by, role=Role.ORG_ADMIN, organisation=organisation, granted_by=by)
        record(action="organisation.register", actor=by, obj=organisation, summary={"after": {"state": "draft"}})
    policy.forget_grants(by)
    return organisation


def organisation_update(
    *,
    organisation: Organisation,
    by: User,
    data: OrganisationProfile,
    service_regions: Iterable[Region],
    service_categories: Iterable[Category],
) -> ChangeRequest | None:
    """Save profile edits by an organisation admin.

    Draft, rejected or expired: everything is saved. Submitted, under review or
    revoked: refused (Locked). Approved or suspended: ordinary fields are saved at
    once; changed key facts become (or amend) the pending change request, which is
    returned, and the old facts stand until a vetting officer decides.
    """
    if not policy.can_manage_organisation_members(by, organisation):
        raise NotAllowed(_("Only the organisation's administrator can change its profile."))
    profile: Mapping[str, object] = data  # read by field name
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
        if organisation.vetting_state in FROZEN_STATES:
            raise Locked(_("The profile cannot be changed while the application is being decided or after revocation."))
        before = _snapshot(organisation, PROFILE_FIELDS)
        key_changes = {}
        if organisation.vetting_state not in EDITABLE_STATES:
            key_changes = {
                f: {"before": str(before[f]) if before[f] is not None else "", "after": profile[f]}
                for f in KEY_FACTS
                if f in profile and profile[f] != before[f]
            }
        for field in PROFILE_FIELDS:
            if field in profile and field not in key_changes:
                setattr(organisation, field, profile[field])
        organisation.save()
        organisation.service_regions.set(service_regions)
        organisation.service_categories.set(service_categories)
        after = _snapshot(organisation, PROFILE_FIELDS)
        record(
            action="organisation.update",
            actor=by,
            obj=organisation,
            summary={
                "before": {k: v for k, v in before.items() if after[k] != v},
                "after": {k: v for k, v in after.items() if before[k] != v},
            },
        )
        if not key_changes:
            return None
        request = pending_change_request(organisation)
        if request is None:
            request = ChangeRequest(organisation=organisation, requested_by=by, changes={})
        request.changes = {
            **request.changes,
            **{k: {**v, "after": _jsonable(v["after"])} for k, v in key_changes.items()},
        }
        request.requested_by = by
        request.save()
        record(action="change_request.submit", actor=by, obj=organisation, summary={"fields": sorted(request.changes)})
        _notify_vetting_officers(organisation, "change_request_submitted")
        return request


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def change_request_decide(*, change_request: ChangeRequest, by: User, approve: bool, reason: str = "") -> None:
    """Apply (or refuse) the key facts of a pending change request."""
    with transaction.atomic():
        request = ChangeRequest.objects.select_for_update().select_related("organisation").get(pk=change_request.pk)
        organisation = Organisation.objects.select_for_update().get(pk=request.organisation_id)
        if not policy.can_vet(by, organisation):
            raise ConflictOfInterest(_("You cannot decide on an organisation you belong to."))
        if request.state != ChangeRequestState.PENDING:
            raise InvalidTransition(_("This change request has already been decided."))
        if not approve and not reason.strip():
            raise ReasonRequired(_("Say why the change is refused."))
        if approve:
            for field, change in request.changes.items():
                value = change["after"]
                if field == "uscc" and Organisation.objects.exclude(pk=organisation.pk).filter(uscc=value).exists():
                    raise InvalidTransition(_("Another organisation already has this unified social credit code."))
                setattr(organisation, field, value)
            organisation.full_clean(exclude=["service_regions", "service_categories"])
            organisation.save()
        request.state = ChangeRequestState.APPROVED if approve else ChangeRequestState.REJECTED
        request.decided_by, request.decided_at, request.reason = by, timezone.now(), reason.strip()
        request.save()
        record(
            action="change_request.approve" if approve else "change_request.reject",
            actor=by,
            obj=organisation,
            summary={"changes": request.changes, "reason": request.reason},
        )
        _notify_admins(organisation, "change_request_decided", {"decision": request.state, "reason": request.reason})
