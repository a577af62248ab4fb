"""Writes for accounts: invitations, memberships, deactivation."""

from __future__ import annotations

import hashlib
import secrets
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import policy
from accounts.exceptions import (
    AlreadyMember,
    InvitationExpired,
    InvitationInvalid,
    InvitationUsed,
    InvitationWrongAccount,
    NotAllowed,
)
from accounts.models import ORGANISATION_ROLES, Invitation, Membership, User
from audit.services import record
from notifications.services import notify, send_templated_email

if TYPE_CHECKING:
    from agencies.models import Agency
    from organisations.models import Organisation


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_create(
    *,
    by: User,
    email: str,
    role: str,
    agency: Agency | None = None,
    organisation: Organisation | None = None,
    site_url: str,
) -> tuple[Invitation, str]:
    """Invite ``email`` to ``role`` in an agency, an organisation or the platform.

    Returns the invitation and the raw token (only ever shown in the email).
    Raises NotAllowed when ``by`` may not grant that role there, AlreadyMember when
    the person already holds it. Sends the invitation email after commit.
    """
    email = email.strip().lower()
    if not policy.can_invite(by, role=role, agency=agency, organisation=organisation):
        record(action="invitation.create", actor=by, summary={"role": role}, outcome="denied")
        raise NotAllowed(_("You may not invite people to this role."))
    existing = Membership.objects.filter(user__email__iexact=email, role=role, agency=agency, organisation=organisation)
    if role in ORGANISATION_ROLES:
        existing = Membership.objects.filter(user__email__iexact=email, organisation=organisation)
    if existing.exists():
        raise AlreadyMember(_("%(email)s already holds this role here.") % {"email": email})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            email=email,
            role=role,
            agency=agency,
            organisation=organisation,
            token_hash=_token_hash(token),
            invited_by=by,
        )
        record(
            action="invitation.create",
            actor=by,
            obj=invitation,
            summary={"after": {"email": email, "role": role, "scope": str(invitation.scope)}},
        )
        accept_url = site_url.rstrip("/") + reverse("accounts:invitation_accept", args=[token])
        send_templated_email(
            to=email,
            template="invitation",
            context={
                "inviter": str(by),
                "role": invitation.get_role_display(),
                "scope": str(invitation.scope),
                "accept_url": accept_url,
                "expires_at": timezone.localdate(invitation.expires_at).isoformat(),
            },
            language=by.preferred_language,
        )
    return invitation, token


def invitation_lookup(*, token: str) -> Invitation:
    """The invitation a token names, if it can still be accepted."""
    invitation = (
        Invitation.objects.select_related("agency", "organisation").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None or invitation.revoked_at:
        raise InvitationInvalid(_("This invitation link is not valid. Ask for a new invitation."))
    if invitation.accepted_at:
        raise InvitationUsed(_("This invitation has already been used."))
    if invitation.expires_at <= timezone.now():
        raise InvitationExpired(_("This invitation has expired. Ask for a new invitation."))
    return invitation


def invitation_accept(*, token: str, user: User) -> Membership:
    """Accept an invitation as ``user``: single use, unexpired, same email address.

    Locks the invitation so that a link clicked twice at once grants one membership.
    """
    with transaction.atomic():
        invitation = invitation_lookup(token=token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at:
            raise InvitationUsed(_("This invitation has already been used."))
        if invitation.email.lower() != user.email.lower():
            raise InvitationWrongAccount(
                _("This invitation was sent to a different email address. Sign in with that address to accept it.")
            )
        if (
            invitation.organisation_id
            and Membership.objects.filter(user=user, organisation_id=invitation.organisation_id).exists()
        ):
            raise AlreadyMember(_("You are already a member of this organisation."))
        membership, _created = Membership.objects.get_or_create(
            user=user,
            role=invitation.role,
            agency=invitation.agency,
            organisation=invitation.organisation,
            defaults={"granted_by": invitation.invited_by},
        )
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record(
            action="membership.grant",
            actor=user,
            obj=membership,
            summary={"after": {"role": membership.role, "scope": str(membership.scope)}, "invitation": invitation.pk},
        )
        notify(
            user=invitation.invited_by,
            event="invitation_accepted",
            params={"email": user.email, "role": invitation.role, "scope": str(invitation.scope)},
        )
    policy.forget_grants(user)
    return membership


def invitation_revoke(*, invitation: Invitation, by: User) -> None:
    if not policy.can_invite(by, role=invitation.role, agency=invitation.agency, organisation=invitation.organisation):
        raise NotAllowed(_("You may not revoke this invitation."))
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at or invitation.revoked_at:
            raise InvitationInvalid(_("Only a pending invitation can be revoked."))
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(action="invitation.revoke", actor=by, obj=invitation)


def membership_remove(*, membership: Membership, by: User) -> None:
    """Remove a role. Access ends at once: grants are read afresh on every request."""
    allowed = (
        policy.can_manage_agency_members(by, membership.agency)
        if membership.agency_id
        else policy.can_manage_organisation_members(by, membership.organisation)
        if membership.organisation_id
        else policy.is_superuser(by)
    )
    if not allowed:
        raise NotAllowed(_("You may not remove this member."))
    if membership.user_id == by.pk and not policy.is_superuser(by):
        raise NotAllowed(_("You cannot remove your own role; ask another administrator."))
    with transaction.atomic():
        record(
            action="membership.remove",
            actor=by,
            obj=membership,
            summary={
                "before": {"user": membership.user.email, "role": membership.role, "scope": str(membership.scope)}
            },
        )
        user = membership.user
        membership.delete()
        notify(user=user, event="membership_removed", params={"role": membership.role, "scope": str(membership.scope)})


def user_deactivate(*, user: User, by: User | None) -> None:
    """Deactivate an account and end every one of its sessions at once."""
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        user.is_active = False
        user_sessions_end(user=user)
        record(action="user.deactivate", actor=by, obj=user, summary={"after": {"is_active": False}})


def user_sessions_end(*, user: User) -> int:
    """End all sessions of ``user`` (server side: the session rows are deleted)."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.filter(user=user):
        session.end()
        ended += 1
    return ended


def user_language_set(*, user: User, language: str) -> None:
    """Remember a language on the account and in the Wagtail admin's profile, so
    emails, the dashboard after sign-in and the CMS all speak it."""
    from wagtail.users.models import UserProfile

    if user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    profile = UserProfile.get_for_user(user)
    if profile.preferred_language != language:
        profile.preferred_language = language
        profile.save(update_fields=["preferred_language"])


def user_preferences_update(*, user: User, display_name: str, preferred_language: str) -> None:
    before = {"display_name": user.display_name, "preferred_language": user.preferred_language}
    user.display_name = display_name.strip()
    user.save(update_fields=["display_name"])
    user_language_set(user=user, language=preferred_language)
    record(
        action="user.preferences",
        actor=user,
        obj=user,
        summary={
            "before": before,
            "after": {"display_name": user.display_name, "preferred_language": preferred_language},
        },
    )
