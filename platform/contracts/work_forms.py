"""Forms of the work under a contract: evidence, confirmation links, acceptance,
payments, journal corrections, evaluation, and the beneficiary's answer."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from contracts.models import ConfirmationOutcome, DisputeResolution
from core.widgets import DateInput
from vetting.uploads import DocumentFileField

SCORES = [(str(n), str(n)) for n in range(1, 6)]


class ServiceRecordForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    hours = forms.DecimalField(
        label=_("Hours"), max_digits=5, decimal_places=2, min_value=Decimal("0.01"), max_value=Decimal("24")
    )
    worker = forms.CharField(label=_("Worker"), max_length=100)
    activity = forms.CharField(label=_("Activity"), max_length=300)
    notes = forms.CharField(label=_("Notes"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def record_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in ("date", "hours", "worker", "activity", "notes")}


class EvidenceFileForm(forms.Form):
    file = DocumentFileField(label=_("Evidence file (PDF, JPEG or PNG)"))


class ConfirmationNewForm(forms.Form):
    email = forms.EmailField(
        label=_("Send the link to this email address (optional)"),
        required=False,
        help_text=_("The address is used once to send the link and is not kept."),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), min_length=4, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DisputeResolveForm(forms.Form):
    resolution = forms.ChoiceField(label=_("Decision"), choices=DisputeResolution.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("What was found"), min_length=4, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PaymentRecordForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    paid_on = forms.DateField(label=_("Paid on"), widget=DateInput())
    reference = forms.CharField(label=_("Treasury or bank reference"), max_length=60)
    proof = DocumentFileField(label=_("Proof of payment (PDF, JPEG or PNG)"))


class ReportForm(forms.Form):
    file = DocumentFileField(label=_("Final report (PDF)"))


class EvaluationForm(forms.Form):
    """A 1–5 score and notes per performance indicator, and the overall assessment."""

    summary = forms.CharField(
        label=_("Overall assessment"), min_length=4, max_length=3000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, indicators, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = list(indicators)
        for indicator in self.indicators:
            self.fields[f"score_{indicator.pk}"] = forms.TypedChoiceField(
                label=_("Score: %(indicator)s (target %(target)s)")
                % {"indicator": indicator.name, "target": indicator.target},
                choices=SCORES,
                coerce=int,
                widget=forms.RadioSelect,
            )
            self.fields[f"notes_{indicator.pk}"] = forms.CharField(
                label=_("Notes: %(indicator)s") % {"indicator": indicator.name},
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.order_fields([*(f for i in self.indicators for f in (f"score_{i.pk}", f"notes_{i.pk}")), "summary"])

    def scores(self) -> dict[int, tuple[int, str]]:
        return {i.pk: (self.cleaned_data[f"score_{i.pk}"], self.cleaned_data[f"notes_{i.pk}"]) for i in self.indicators}


class ConfirmAnswerForm(forms.Form):
    """The beneficiary's answer: the code from the card, what happened, a rating, a note."""

    code = forms.CharField(
        label=_("The six-digit code on your card"),
        validators=[RegexValidator(r"^\d{6}$", _("The code is six digits."))],
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]{6}", "maxlength": "6"}
        ),
    )
    outcome = forms.ChoiceField(
        label=_("Did the service happen?"),
        choices=[
            (ConfirmationOutcome.CONFIRMED, _("The service happened")),
            (ConfirmationOutcome.DISPUTED, _("It did not happen, or something was wrong")),
        ],
        widget=forms.RadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("How good was the service? (1 poor – 5 very good)"),
        choices=[("", _("No rating")), *SCORES],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Tell us more (required if something was wrong)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        data = super().clean()
        if data.get("outcome") == ConfirmationOutcome.DISPUTED and len((data.get("note") or "").strip()) < 2:
            self.add_error("note", _("Tell us briefly what went wrong."))
        return data

    def clean_code(self):
        return self.cleaned_data["code"].strip()
