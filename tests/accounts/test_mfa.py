"""Government, platform-staff, editor and organisation-admin accounts must have MFA."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import Membership, Role
from tests.factories import UserFactory

MFA_SETUP = "/accounts/2fa/totp/activate/"


@pytest.mark.parametrize(
    ("role", "scope"),
    [
        (Role.AGENCY_CASEWORKER, "agency"),
        (Role.AGENCY_APPROVER, "agency"),
        (Role.AGENCY_FINANCE, "agency"),
        (Role.AGENCY_ADMIN, "agency"),
        (Role.ORG_ADMIN, "organisation"),
        (Role.VETTING_OFFICER, None),
        (Role.AUDITOR, None),
    ],
)
def test_roles_that_need_mfa_are_sent_to_set_it_up(client_for, county_agency, vetted_org, role, scope):
    user = UserFactory(mfa=False)
    target = {"agency": county_agency} if scope == "agency" else {"organisation": vetted_org} if scope else {}
    Membership.objects.create(user=user, role=role, **target)
    client = client_for(user, reauthenticated=False)
    for path in ("/dashboard/", "/notifications/", "/profile/", "/en/dashboard/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].endswith(MFA_SETUP)
    # The setup page itself is reachable (after confirming the password, as allauth asks).
    assert client.get(MFA_SETUP, follow=True).status_code == 200


def test_a_superuser_without_mfa_cannot_reach_the_admin(client_for, superuser):
    superuser.authenticator_set.all().delete()
    response = client_for(superuser).get("/admin/")
    assert response["Location"] == MFA_SETUP


def test_a_wagtail_editor_without_mfa_cannot_reach_the_cms(client_for, db):
    editor = UserFactory(mfa=False)
    editor.groups.add(Group.objects.get(name="Editors"))
    response = client_for(editor).get("/cms/")
    assert response["Location"] == MFA_SETUP


def test_an_organisation_member_without_mfa_is_not_held_up(client_for, charity_member):
    assert client_for(charity_member).get(reverse("core:dashboard")).status_code == 200


def test_with_mfa_the_dashboard_opens(client_for, caseworker):
    assert client_for(caseworker).get(reverse("core:dashboard")).status_code == 200


def test_password_login_of_an_mfa_user_asks_for_the_code(client, caseworker):
    from tests.factories import PASSWORD

    response = client.post(reverse("account_login"), {"login": caseworker.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    # Not signed in until the code is given.
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_the_admin_and_cms_login_forms_redirect_to_the_one_login(client):
    for path in ("/admin/login/?next=/admin/", "/cms/login/?next=/cms/"):
        response = client.get(path)
        assert response.status_code in (301, 302)
        assert response["Location"].startswith(reverse("account_login"))
