"""Sign-in events and MFA changes go into the audit log."""

from __future__ import annotations

from allauth.mfa.signals import authenticator_added, authenticator_removed, authenticator_reset
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import Outcome
from audit.services import record


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs) -> None:
    record(action="auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs) -> None:
    if user is not None:
        record(action="auth.logout", actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Only the address tried is kept, never the password.
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    record(action="auth.login_failed", actor_label=email, summary={"email": email}, outcome=Outcome.FAILURE)


def _authenticator_summary(authenticator) -> dict:
    return {"type": authenticator.type, "authenticator_id": authenticator.pk}


@receiver(authenticator_added)
def _mfa_added(sender, request, user, authenticator, **kwargs) -> None:
    record(action="mfa.added", actor=user, obj=user, summary=_authenticator_summary(authenticator))


@receiver(authenticator_removed)
def _mfa_removed(sender, request, user, authenticator, **kwargs) -> None:
    record(action="mfa.removed", actor=user, obj=user, summary=_authenticator_summary(authenticator))


@receiver(authenticator_reset)
def _mfa_reset(sender, request, user, authenticator, **kwargs) -> None:
    record(action="mfa.reset", actor=user, obj=user, summary=_authenticator_summary(authenticator))
