from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
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
