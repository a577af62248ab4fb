from __future__ import annotations

import time

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from accounts import policy
from audit.services import record

_SESSION_STARTED = "safetynet_auth_started"
_SESSION_SEEN = "safetynet_last_seen"


def _strip_language(path: str) -> str:
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            return "/" + path[len(prefix) :]
    return path


class SessionLifetimeMiddleware:
    """End a session after 30 idle minutes or 12 hours after sign-in, whichever is first.

    The cookie's age covers the idle case in the browser; this enforces both on the
    server, where a copied cookie cannot extend them.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            started = request.session.get(_SESSION_STARTED)
            seen = request.session.get(_SESSION_SEEN, now)
            if started is None:
                request.session[_SESSION_STARTED] = started = now
            if now - started > settings.SESSION_ABSOLUTE_TIMEOUT or now - seen > settings.SESSION_IDLE_TIMEOUT:
                record(action="auth.session_expired", actor=user, obj=user)
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return redirect(settings.LOGIN_URL)
            request.session[_SESSION_SEEN] = now
        return self.get_response(request)


# Paths a user who must set up MFA can still reach: the MFA pages themselves,
# sign-out, email verification, the language switch and static files.
_MFA_EXEMPT_PREFIXES = ("/accounts/", "/i18n/", "/static/", "/healthz", "/favicon.ico", "/jsi18n/")


class RequireMFAMiddleware:
    """Send government, platform-staff, editor and organisation-admin accounts that
    have no second factor to set one up before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not _strip_language(request.path).startswith(_MFA_EXEMPT_PREFIXES)
            and policy.requires_mfa(user)
            and not is_mfa_enabled(user)
        ):
            if not request.session.get("safetynet_mfa_told"):
                messages.warning(
                    request,
                    _("Your role requires two-factor authentication. Set up an authenticator app to continue."),
                )
                request.session["safetynet_mfa_told"] = True
            return redirect("mfa_activate_totp")
        return self.get_response(request)
