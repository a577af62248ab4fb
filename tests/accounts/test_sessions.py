"""Sessions end after 30 idle minutes, 12 hours after sign-in, or when the user is deactivated."""

from __future__ import annotations

import time

from django.contrib.sessions.models import Session
from django.urls import reverse

from accounts.services import user_deactivate
from audit.models import AuditEntry
from tests.factories import PASSWORD, UserFactory


def _age_session(client, **shift_seconds):
    session = client.session
    for key, seconds in shift_seconds.items():
        session[key] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_ends_after_30_minutes(client_for, charity_member):
    client = client_for(charity_member)
    assert client.get(reverse("core:dashboard")).status_code == 200
    _age_session(client, safetynet_last_seen=31 * 60)
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("core:dashboard")).status_code == 302
    assert AuditEntry.objects.filter(action="auth.session_expired", actor_id=charity_member.pk).exists()


def test_an_active_session_still_ends_12_hours_after_sign_in(client_for, charity_member):
    client = client_for(charity_member)
    client.get(reverse("core:dashboard"))
    _age_session(client, safetynet_auth_started=12 * 3600 + 60, safetynet_last_seen=10)
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_a_session_inside_both_limits_stays(client_for, charity_member):
    client = client_for(charity_member)
    client.get(reverse("core:dashboard"))
    _age_session(client, safetynet_auth_started=11 * 3600, safetynet_last_seen=29 * 60)
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_the_session_cookie_expires_with_the_idle_timeout(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_deactivating_a_user_ends_all_their_sessions(client, charity_member, outsider):
    from django.test import Client

    phone, laptop = Client(), Client()
    for c in (phone, laptop):
        c.post(reverse("account_login"), {"login": charity_member.email, "password": PASSWORD})
        assert c.get(reverse("core:dashboard")).status_code == 200
    sessions_before = Session.objects.count()

    user_deactivate(user=charity_member, by=None)

    assert Session.objects.count() <= sessions_before - 2
    for c in (phone, laptop):
        assert c.get(reverse("core:dashboard")).status_code == 302
    assert AuditEntry.objects.filter(action="user.deactivate", object_id=str(charity_member.pk)).exists()


def test_deactivating_through_the_model_also_ends_sessions(charity_member):
    from django.test import Client

    c = Client()
    c.post(reverse("account_login"), {"login": charity_member.email, "password": PASSWORD})
    assert c.get(reverse("core:dashboard")).status_code == 200
    charity_member.is_active = False
    charity_member.save()
    assert c.get(reverse("core:dashboard")).status_code == 302


def test_password_policy_refuses_short_and_common_passwords(client, db):
    for bad in ("short-1", "password1234", "123456789012"):
        response = client.post(
            "/en/accounts/signup/", {"email": "new.person@example.test", "password1": bad, "password2": bad}
        )
        assert response.status_code == 200
        assert response.context["form"].errors
    from accounts.models import User

    assert not User.objects.filter(email="new.person@example.test").exists()


def test_signup_with_a_good_password_needs_email_verification(client, db, mailoutbox):
    response = client.post(
        "/accounts/signup/",
        {"email": "new.person@example.test", "password1": "Rain-on-the-river-42", "password2": "Rain-on-the-river-42"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert len(mailoutbox) == 1
    # Not signed in before verifying.
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_an_invalid_verification_link_gets_a_clear_page(client, db):
    response = client.get("/en/accounts/confirm-email/not-a-real-key/")
    assert response.status_code == 200
    assert b"expired or is invalid" in response.content


def test_login_is_rate_limited_after_repeated_failures(client, db):
    user = UserFactory()
    for i in range(5):
        client.post("/en/accounts/login/", {"login": user.email, "password": f"wrong-{i}-password"})
    # Even the right password is refused while the limit holds.
    response = client.post("/en/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert b"Too many failed login attempts" in response.content
    assert client.get(reverse("core:dashboard")).status_code == 302


def test_verifying_the_email_address_welcomes_the_new_user(client, db, mailoutbox):
    import re

    from accounts.models import User

    client.post(
        "/accounts/signup/",
        {"email": "new.person@example.test", "password1": "Rain-on-the-river-42", "password2": "Rain-on-the-river-42"},
    )
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mailoutbox[0].body).group(1)
    assert client.get(link).status_code == 200
    client.post(link)
    user = User.objects.get(email="new.person@example.test")
    assert user.emailaddress_set.get().verified
    assert user.notifications.filter(event="welcome").count() == 1
    assert AuditEntry.objects.filter(action="account.email_verified", actor_id=user.pk).exists()
