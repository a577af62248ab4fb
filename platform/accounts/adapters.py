from __future__ import annotations

import ipaddress

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation

from core.middleware import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        """The address allauth's login limits count and its session list shows: the one
        the audit log and core.ratelimit use (TRUST_PROXY_HEADERS decides whether the
        proxy's X-Forwarded-For is believed), so there is one source of truth."""
        address = client_ip(request)
        try:
            return str(ipaddress.ip_address(address or ""))
        except ValueError:
            # Only a misconfigured proxy gets here; allauth refuses the same way.
            raise PermissionDenied("Unable to determine client IP address") from None

    def get_login_redirect_url(self, request) -> str:
        url = super().get_login_redirect_url(request)
        if url and url != reverse(settings.LOGIN_REDIRECT_URL):
            return url
        # Land on the dashboard in the language the person chose.
        language = getattr(request.user, "preferred_language", None) or settings.LANGUAGE_CODE
        with translation.override(language):
            return reverse(settings.LOGIN_REDIRECT_URL)

    def send_mail(self, template_prefix, email, context) -> None:
        user = context.get("user")
        language = getattr(user, "preferred_language", None) or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            super().send_mail(template_prefix, email, context)


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user) -> str:
        return user.email
