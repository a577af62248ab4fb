"""Inviting vetted organisations to a need, which puts them in its scope."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from accounts import policy
from accounts.models import User
from audit.services import record
from needs.exceptions import InvalidTransition, NotAllowed, NotEligible
from needs.models import Need, NeedInvitation, NeedState
from needs.services.notices import _tell_invited
from organisations.models import Organisation
from organisations.selectors import organisation_may_act

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
