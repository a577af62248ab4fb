"""Sign-ins, failures, MFA changes and denials land in the audit log."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.urls import reverse

from audit.models import AuditEntry
from tests.factories import PASSWORD


def test_successful_and_failed_logins_are_recorded(client, outsider):
    client.post(reverse("account_login"), {"login": outsider.email, "password": "wrong-password-123"})
    failed = AuditEntry.objects.filter(action="auth.login_failed").first()
    assert failed is not None and failed.outcome == "failure"
    assert failed.actor_label == outsider.email
    assert failed.ip == "127.0.0.1"
    assert "wrong-password" not in str(failed.summary)

    client.post(reverse("account_login"), {"login": outsider.email, "password": PASSWORD})
    login = AuditEntry.objects.filter(action="auth.login").first()
    assert login is not None and login.actor_id == outsider.pk


def test_a_permission_denial_is_recorded(client_for, charity_member):
    response = client_for(charity_member).get(reverse("audit:list"))
    assert response.status_code == 403
    denial = AuditEntry.objects.filter(action="access.denied").first()
    assert denial.actor_id == charity_member.pk
    assert denial.summary["path"] == "/audit/"
    assert denial.outcome == "denied"


def test_removing_an_authenticator_is_recorded(client_for, outsider):
    from allauth.mfa.signals import authenticator_removed

    authenticator = Authenticator.objects.create(user=outsider, type=Authenticator.Type.TOTP, data={"secret": "x"})
    authenticator_removed.send(sender=Authenticator, request=None, user=outsider, authenticator=authenticator)
    entry = AuditEntry.objects.filter(action="mfa.removed").first()
    assert entry.actor_id == outsider.pk
    assert entry.summary["type"] == "totp"
