"""Forms of the contract itself: the terms, the milestone schedule, the indicators,
and the reasons the parties give. The services check the rules; the forms check shape."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from contracts.models import MAX_PAYMENT_DAYS, TERM_FIELDS, ContractVersion
from core.widgets import DateInput


class TermsForm(forms.ModelForm):
    class Meta:
        model = ContractVersion
        fields = ["reason", *TERM_FIELDS]
        widgets = {
            "term_start": DateInput(),
            "term_end": DateInput(),
            **{
                name: forms.Textarea(attrs={"rows": rows})
                for name, rows in (
                    ("reason", 2),
                    ("content_scope", 4),
                    ("quantity", 2),
                    ("quality_standards", 3),
                    ("settlement_method", 2),
                    ("rights_obligations", 4),
                    ("breach_liability", 3),
                    ("long_term_justification", 2),
                )
            },
        }
        help_texts = {
            "term_end": _("At most 12 months; up to 36 with a recorded justification."),
            "payment_days": _(
                "Payment is due this many days after acceptance: 30 unless agreed otherwise, at most 60."
            ),
            "long_term_justification": _("Only for a term over 12 months."),
            "settlement_method": _("How payment follows the milestones below."),
        }

    def __init__(self, *args, amendment: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if amendment:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]
        # The stubs type min_value as an int; a DecimalField takes a Decimal.
        cast(forms.DecimalField, self.fields["price"]).min_value = Decimal("0.01")  # type: ignore[assignment]
        self.fields["payment_days"].widget.attrs.update({"min": 1, "max": MAX_PAYMENT_DAYS})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end < start:
            self.add_error("term_end", _("The term ends after it starts."))
        return cleaned

    def terms(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "reason"}


class MilestoneForm(forms.Form):
    milestone = forms.IntegerField(required=False, widget=forms.HiddenInput)
    description = forms.CharField(label=_("Milestone"), max_length=300)
    due_date = forms.DateField(label=_("Due"), widget=DateInput())
    amount = forms.DecimalField(label=_("Amount (CNY)"), max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    deliverables = forms.CharField(label=_("Deliverables"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    evidence_required = forms.CharField(
        label=_("Evidence required"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    service = forms.BooleanField(
        label=_("A service to the beneficiary (the beneficiary is asked to confirm it)"), required=False
    )


class IndicatorForm(forms.Form):
    name = forms.CharField(label=_("Performance indicator"), max_length=200)
    target = forms.CharField(label=_("Target"), max_length=300)


class _Rows(forms.BaseFormSet):
    """Blank extra rows are ignored; at least one filled row is required."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.rows():
            raise forms.ValidationError(_("Fill in at least one row."))

    def rows(self) -> list[dict]:
        deleted = set(map(id, self.deleted_forms)) if self.can_delete else set()
        return [
            {k: v for k, v in f.cleaned_data.items() if k != "DELETE"}
            for f in self.forms
            if f.cleaned_data and id(f) not in deleted
        ]


# formset_factory builds a subclass of _Rows; the stubs only know it is some BaseFormSet.
MilestoneFormSet = cast(
    type[_Rows], forms.formset_factory(MilestoneForm, formset=_Rows, extra=2, can_delete=True, max_num=24)
)
IndicatorFormSet = cast(
    type[_Rows], forms.formset_factory(IndicatorForm, formset=_Rows, extra=2, can_delete=True, max_num=20)
)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class TerminateForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for terminating"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    settlement = forms.DecimalField(
        label=_("Settlement for delivered work not yet accepted (CNY)"),
        max_digits=12,
        decimal_places=2,
        min_value=Decimal("0"),
        initial=Decimal("0"),
        required=False,
    )
    settlement_description = forms.CharField(
        label=_("What the settlement pays for"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
