from __future__ import annotations

from typing import cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.models import AGENCY_ROLES, ORGANISATION_ROLES, Role


class PreferencesForm(forms.Form):
    display_name = forms.CharField(label=_("Display name"), max_length=100, required=False)
    preferred_language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, scope: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        roles = AGENCY_ROLES if scope == "agency" else ORGANISATION_ROLES
        cast(forms.ChoiceField, self.fields["role"]).choices = [(r.value, r.label) for r in Role if r in roles]
