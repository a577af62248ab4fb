"""Invitations: single use, expiring, to the invited address only, by administrators only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts import services
from accounts.exceptions import InvitationExpired, InvitationUsed, InvitationWrongAccount, NotAllowed
from accounts.models import Invitation, Membership, Role
from audit.models import AuditEntry
from notifications.models import Notification
from tests.factories import UserFactory


@pytest.fixture
def invite(agency_admin, county_agency, django_capture_on_commit_callbacks):
    def _invite(email="new.caseworker@example.test", role=Role.AGENCY_CASEWORKER):
        with django_capture_on_commit_callbacks(execute=True):
            return services.invitation_create(
                by=agency_admin, email=email, role=role, agency=county_agency, site_url="http://testserver"
            )

    return _invite


def test_an_agency_admin_invites_by_email_and_the_link_grants_the_role(invite, county_agency, agency_admin):
    invitation, token = invite()
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(\S+)", mail.outbox[0].body).group(1)
    assert token in link
    # Only the token's hash is stored.
    assert token not in invitation.token_hash

    invitee = UserFactory(email="new.caseworker@example.test")
    membership = services.invitation_accept(token=token, user=invitee)
    assert membership.role == Role.AGENCY_CASEWORKER and membership.agency == county_agency
    assert Notification.objects.filter(user=agency_admin, event="invitation_accepted").exists()
    assert AuditEntry.objects.filter(action="membership.grant", actor_id=invitee.pk).exists()


def test_an_invitation_is_single_use(invite):
    _invitation, token = invite()
    invitee = UserFactory(email="new.caseworker@example.test")
    services.invitation_accept(token=token, user=invitee)
    with pytest.raises(InvitationUsed):
        services.invitation_accept(token=token, user=invitee)
    assert Membership.objects.filter(user=invitee).count() == 1


def test_an_expired_invitation_cannot_be_accepted(invite):
    invitation, token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    invitee = UserFactory(email="new.caseworker@example.test")
    with pytest.raises(InvitationExpired):
        services.invitation_accept(token=token, user=invitee)
    assert not Membership.objects.filter(user=invitee).exists()


def test_invitations_expire_after_seven_days(invite):
    invitation, _token = invite()
    assert timedelta(days=6, hours=23) < invitation.expires_at - timezone.now() <= timedelta(days=7)


def test_another_account_cannot_use_the_link(invite):
    _invitation, token = invite()
    stranger = UserFactory(email="stranger@example.test")
    with pytest.raises(InvitationWrongAccount):
        services.invitation_accept(token=token, user=stranger)
    assert not Membership.objects.filter(user=stranger).exists()


def test_a_caseworker_cannot_invite(caseworker, county_agency):
    with pytest.raises(NotAllowed):
        services.invitation_create(
            by=caseworker, email="x@example.test", role=Role.AGENCY_APPROVER, agency=county_agency, site_url=""
        )
    assert not Invitation.objects.exists()


def test_an_agency_admin_cannot_invite_into_another_agency(agency_admin, other_agency):
    with pytest.raises(NotAllowed):
        services.invitation_create(
            by=agency_admin, email="x@example.test", role=Role.AGENCY_APPROVER, agency=other_agency, site_url=""
        )


def test_an_agency_admin_may_invite_into_an_agency_below(agency_admin, township_agency):
    invitation, _ = services.invitation_create(
        by=agency_admin, email="x@example.test", role=Role.AGENCY_CASEWORKER, agency=township_agency, site_url=""
    )
    assert invitation.agency == township_agency


def test_only_a_superuser_grants_platform_roles(agency_admin, superuser):
    with pytest.raises(NotAllowed):
        services.invitation_create(by=agency_admin, email="a@example.test", role=Role.AUDITOR, site_url="")
    invitation, _ = services.invitation_create(by=superuser, email="a@example.test", role=Role.AUDITOR, site_url="")
    assert invitation.agency is None and invitation.organisation is None


# --- Through the pages ---------------------------------------------------------


def test_the_invitation_page_explains_a_bad_link(client, db):
    response = client.get("/en/invitations/not-a-token/")
    assert response.status_code == 410
    assert b"This invitation link is not valid" in response.content


def test_the_invitation_page_explains_an_expired_link(client, invite):
    invitation, token = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    response = client.get(f"/en/invitations/{token}/")
    assert response.status_code == 410
    assert b"This invitation has expired" in response.content


def test_accepting_through_the_page(client_for, invite, county_agency):
    _invitation, token = invite()
    invitee = UserFactory(email="new.caseworker@example.test", mfa=True)
    client = client_for(invitee)
    assert client.get(f"/invitations/{token}/").status_code == 200
    response = client.post(f"/invitations/{token}/")
    assert response.status_code == 302
    assert Membership.objects.filter(user=invitee, agency=county_agency, role=Role.AGENCY_CASEWORKER).exists()


def test_anonymous_accept_is_sent_to_sign_in(client, invite):
    _invitation, token = invite()
    response = client.post(f"/invitations/{token}/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert not Membership.objects.filter(user__email="new.caseworker@example.test").exists()


def test_the_invite_form_rejects_a_bad_email_and_saves_nothing(client_for, agency_admin, county_agency):
    response = client_for(agency_admin).post(
        f"/en/invite/agency/{county_agency.pk}/", {"email": "not-an-email", "role": Role.AGENCY_CASEWORKER}, follow=True
    )
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert not Invitation.objects.exists()


def test_the_invite_form_rejects_a_role_of_the_wrong_scope(client_for, agency_admin, county_agency):
    response = client_for(agency_admin).post(
        f"/en/invite/agency/{county_agency.pk}/", {"email": "a@example.test", "role": Role.AUDITOR}, follow=True
    )
    assert b"Select a valid choice" in response.content
    assert not Invitation.objects.exists()


def test_a_caseworker_posting_the_invite_form_gets_404(client_for, caseworker, county_agency):
    response = client_for(caseworker).post(
        f"/invite/agency/{county_agency.pk}/", {"email": "a@example.test", "role": Role.AGENCY_CASEWORKER}
    )
    assert response.status_code == 404
    assert not Invitation.objects.exists()


def test_removing_a_member_ends_access_at_once(client_for, charity_admin, charity_member, vetted_org):
    from django.test import Client

    member_client = Client()
    member_client.force_login(charity_member, backend="django.contrib.auth.backends.ModelBackend")
    assert member_client.get(reverse("organisations:detail", args=[vetted_org.pk])).status_code == 200

    membership = Membership.objects.get(user=charity_member, organisation=vetted_org)
    response = client_for(charity_admin).post(reverse("accounts:membership_remove", args=[membership.pk]))
    assert response.status_code == 302
    assert member_client.get(reverse("organisations:detail", args=[vetted_org.pk])).status_code == 404
    assert Notification.objects.filter(user=charity_member, event="membership_removed").exists()


def test_a_member_cannot_remove_another_member(client_for, charity_member, charity_admin, vetted_org):
    admin_membership = Membership.objects.get(user=charity_admin, organisation=vetted_org)
    response = client_for(charity_member).post(reverse("accounts:membership_remove", args=[admin_membership.pk]))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=admin_membership.pk).exists()


def test_revoking_a_pending_invitation(client_for, invite, agency_admin):
    invitation, token = invite()
    client_for(agency_admin).post(reverse("accounts:invitation_revoke", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    with pytest.raises(services.InvitationInvalid):
        services.invitation_lookup(token=token)


def test_inviting_asks_for_the_password_again_and_then_completes(client_for, agency_admin, county_agency):
    client = client_for(agency_admin, reauthenticated=False)
    path = f"/invite/agency/{county_agency.pk}/"
    response = client.post(path, {"email": "later@example.test", "role": Role.AGENCY_CASEWORKER})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate"))
    assert not Invitation.objects.exists()
    # The suspended request resumes once the password is confirmed.
    client.post(response["Location"], {"password": "Correct-horse-battery-9"})
    assert Invitation.objects.filter(email="later@example.test").exists()
