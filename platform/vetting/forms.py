from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from categories.models import Category
from core.widgets import DateInput
from organisations.models import PROFILE_FIELDS, Organisation, OrganisationProfile
from regions.forms import MAX_REGION_TEXT, RegionField, resolve_region
from regions.models import Region
from vetting.models import ChecklistOutcome, DocumentType
from vetting.selectors import PROFILE_REQUIRED
from vetting.uploads import DocumentFileField
from vetting.workflow import CHECKLIST, OFFICER_ACTIONS, TRANSITIONS


class RegionListField(forms.CharField):
    """Several regions, one per line or separated by commas: codes or names."""

    widget = forms.Textarea(attrs={"rows": 3})

    def __init__(self, **kwargs) -> None:
        # Each line is looked up on its own: a bound on the whole keeps the lookups few.
        kwargs.setdefault("max_length", 3000)
        super().__init__(**kwargs)

    def to_python(self, value):
        text = super().to_python(value) or ""
        parts = [p.strip() for p in text.replace("，", ",").replace("\n", ",").split(",") if p.strip()]
        regions, errors = [], []
        for part in parts:
            if len(part) > MAX_REGION_TEXT:
                errors.append(
                    _("Type each region as a code or a name of at most %(max)d characters.") % {"max": MAX_REGION_TEXT}
                )
                continue
            found = resolve_region(part)
            if isinstance(found, Region):
                regions.append(found)
            elif found:
                errors.append(
                    _("“%(text)s” matches several regions: %(choices)s.")
                    % {"text": part, "choices": "、".join(f"{r.local_full_name} ({r.code})" for r in found[:4])}
                )
            else:
                errors.append(_("No region matches “%(text)s”.") % {"text": part})
        if errors:
            raise forms.ValidationError(errors)
        return regions

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(f"{r.local_full_name} ({r.code})" if isinstance(r, Region) else str(r) for r in value)
        return value


class OrganisationForm(forms.ModelForm):
    # Longer than the 18 characters stored: a code copied as printed, in groups with
    # spaces or hyphens, is compacted in clean_uscc before it is validated.
    uscc = forms.CharField(label=_("Unified social credit code"), max_length=40)
    region = RegionField(label=_("Registered in"), levels=("province", "city", "county"))
    service_regions_text = RegionListField(
        label=_("Service regions"),
        help_text=_("One per line: a county, township or street, by name or code (e.g. 大邑县, 510129001)."),
    )
    service_categories = forms.ModelMultipleChoiceField(
        label=_("Service categories"),
        queryset=Category.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Organisation
        fields = list(PROFILE_FIELDS)
        widgets = {
            "registration_date": DateInput(),
            "charity_recognised_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["service_regions_text"] = list(self.instance.service_regions.all())
            self.initial["service_categories"] = list(self.instance.service_categories.all())
        for name in ("registration_authority", "registration_date", "contact_name", "phone"):
            self.fields[name].required = True
        # The rest of what submission needs may wait (a new organisation may not have its
        # account yet), but the admin is told now rather than refused at submission.
        for name, _label in PROFILE_REQUIRED:
            if not self.fields[name].required:
                self.fields[name].help_text = _("Optional now; needed before you submit the application for vetting.")

    # The form's sections, in order, as the page shows them.
    FIELDSETS = [
        (
            _("Identity"),
            [
                "legal_name",
                "uscc",
                "kind",
                "region",
                "registration_authority",
                "registration_date",
                "charity_recognised",
                "charity_recognised_on",
                "public_fundraising",
                "rating",
            ],
        ),
        (
            _("Services"),
            ["service_regions_text", "service_categories", "capacity", "staff_count", "social_workers", "description"],
        ),
        (
            _("Contact and bank account"),
            ["contact_name", "email", "phone", "bank_name", "bank_account_name", "bank_account"],
        ),
    ]

    def fieldsets(self):
        for legend, names in self.FIELDSETS:
            yield legend, [self[name] for name in names]

    def clean_uscc(self) -> str:
        from stdnum.cn import uscc

        return uscc.compact(self.cleaned_data["uscc"]).upper()

    def clean_social_workers(self) -> int:
        value = self.cleaned_data["social_workers"]
        if value > self.cleaned_data.get("staff_count", value):
            raise forms.ValidationError(_("Licensed social workers cannot outnumber the staff."))
        return value

    def clean(self):
        data = super().clean()
        if data.get("charity_recognised") and not data.get("charity_recognised_on"):
            self.add_error("charity_recognised_on", _("Give the date of charity recognition."))
        return data

    def profile_data(self) -> OrganisationProfile:
        return cast(
            OrganisationProfile,
            {name: self.cleaned_data[name] for name in self.Meta.fields if name in self.cleaned_data},
        )


class DocumentForm(forms.Form):
    doc_type = forms.ChoiceField(label=_("Document type"), choices=DocumentType.choices)
    file = DocumentFileField(label=_("File (PDF, JPEG or PNG, at most 20 MB)"))
    issued_on = forms.DateField(label=_("Issued on"), required=False, widget=DateInput())
    expires_on = forms.DateField(label=_("Expires on"), required=False, widget=DateInput())

    def clean(self):
        data = super().clean()
        if data.get("issued_on") and data.get("expires_on") and data["expires_on"] <= data["issued_on"]:
            self.add_error("expires_on", _("The expiry date must be after the issue date."))
        return data


class ChecklistForm(forms.Form):
    """One outcome and note per checklist item."""

    def __init__(self, *args, review=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        existing = {}
        if review is not None:
            existing = {i.item: i for i in review.items.all()}
        for entry in CHECKLIST:
            current = existing.get(entry.code)
            self.fields[f"{entry.code}__outcome"] = forms.ChoiceField(
                label=entry.label,
                choices=ChecklistOutcome.choices,
                widget=forms.RadioSelect,
                required=False,
                initial=current.outcome if current else None,
            )
            self.fields[f"{entry.code}__note"] = forms.CharField(
                label=_("Note"), required=False, initial=current.note if current else "", max_length=2000
            )

    def rows(self):
        for entry in CHECKLIST:
            yield entry, self[f"{entry.code}__outcome"], self[f"{entry.code}__note"]

    def items(self) -> dict[str, tuple[str, str]]:
        return {
            entry.code: (self.cleaned_data[f"{entry.code}__outcome"], self.cleaned_data[f"{entry.code}__note"])
            for entry in CHECKLIST
            if self.cleaned_data.get(f"{entry.code}__outcome")
        }


class DecisionForm(forms.Form):
    action = forms.ChoiceField(label=_("Decision"), choices=[(a, TRANSITIONS[a].label) for a in OFFICER_ACTIONS])
    reason = forms.CharField(
        label=_("Reason (shown to the organisation)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    approved_until = forms.DateField(label=_("Approved until (default: one year)"), required=False, widget=DateInput())


class ChangeDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(choices=[("1", _("Approve")), ("0", _("Reject"))], coerce=lambda v: v == "1")
    reason = forms.CharField(label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
