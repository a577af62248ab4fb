from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from donations import services
from donations.exceptions import InvalidAmount


class AmountField(forms.CharField):
    """An amount in yuan, turned into minor units with the donation limits checked."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return services.parse_major(value)
        except InvalidAmount as exc:
            raise forms.ValidationError(exc.message) from None


class DonationForm(forms.Form):
    amount = AmountField(
        label=_("Amount (yuan)"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    donor_name = forms.CharField(
        label=_("Your name, shown publicly"),
        max_length=60,
        required=False,
        help_text=_("Leave empty to give anonymously."),
    )
    email = forms.EmailField(label=_("Email for the receipt"), max_length=254)


class CampaignForm(forms.Form):
    target = forms.DecimalField(label=_("Target (yuan)"), min_value=1, max_digits=12, decimal_places=2)
    purpose = forms.CharField(
        label=_("What the money is for"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown publicly. Nothing that could identify the person helped."),
    )
