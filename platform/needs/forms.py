from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from categories.models import Category
from core.widgets import DateInput
from needs.models import ConsentMethod, Criterion, GapReason, Need, NeedState, Proposal, Scheme, SchemeAnswer, Urgency
from needs.proposals import weight_problems
from needs.services import NEED_FIELDS, NeedCard
from needs.workflow import DEFAULT_WEIGHTS
from organisations.selectors import organisations_may_act
from regions.forms import RegionField
from vetting.uploads import DocumentFileField

if TYPE_CHECKING:
    from organisations.models import Organisation


def resident_id_check_digit(body: str) -> str:
    """The check character for a 17-digit body (stdnum wants a placeholder 18th)."""
    from stdnum.cn import ric

    return ric.calc_check_digit(body + "0")


def validate_resident_id(value: str) -> str:
    """居民身份证号码 (GB 11643): 18 characters, a real birth date, the check character.

    The birthplace code is not checked against the year of birth: an ID issued under a
    county's old code stays valid for life (大邑县 became 510129 only in 1983).
    """
    import datetime

    from stdnum.cn import ric
    from stdnum.exceptions import ValidationError as StdnumError

    number = ric.compact(value)
    if len(number) != 18:
        raise ValidationError(_("A resident ID number has 18 characters."), code="length")
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("A resident ID number is 17 digits followed by a digit or X."), code="format")
    try:
        born = ric.get_birth_date(number)
    except StdnumError as exc:
        raise ValidationError(_("The birth date in this ID number is not a real date."), code="birth_date") from exc
    if born > datetime.date.today():
        raise ValidationError(_("The birth date in this ID number is not a real date."), code="birth_date")
    if resident_id_check_digit(number[:17]) != number[17]:
        raise ValidationError(
            _("The check digit (the last character) does not match: please check for a typing mistake."),
            code="checksum",
        )
    return number


class NeedForm(forms.ModelForm):
    region = RegionField(label=_("Region (county or township)"), levels=("county", "township"))
    category = forms.ModelChoiceField(label=_("Category"), queryset=Category.objects.filter(is_active=True))

    class Meta:
        model = Need
        fields = list(NEED_FIELDS)
        widgets = {"summary": forms.Textarea(attrs={"rows": 5})}
        help_texts = {
            "summary": _("What is needed and why, without names, ID numbers, phone numbers or exact addresses."),
        }

    def card_data(self) -> NeedCard:
        return cast(NeedCard, {f: self.cleaned_data[f] for f in NEED_FIELDS})


class BeneficiaryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=20)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    is_minor = forms.BooleanField(label=_("Minor"), required=False)
    has_disability = forms.BooleanField(label=_("Disability"), required=False)
    elderly_alone = forms.BooleanField(label=_("Elderly, living alone"), required=False)
    severe_illness = forms.BooleanField(label=_("Severe illness"), required=False)

    def clean_id_number(self) -> str:
        return validate_resident_id(self.cleaned_data["id_number"].strip().upper())

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].replace(" ", "").replace("-", "")
        if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
            raise ValidationError(_("Enter a phone number of 7 to 12 digits."))
        return phone


class HouseholdMemberForm(forms.Form):
    relation = forms.CharField(label=_("Relation"), max_length=30, required=False)
    age = forms.IntegerField(label=_("Age"), min_value=0, max_value=130, required=False)
    name = forms.CharField(
        label=_("Name (optional)"),
        max_length=50,
        required=False,
        help_text=_("Kept encrypted; never shown to organisations. Texts that name this person are refused."),
    )

    def clean(self):
        data = super().clean()
        if bool(data.get("relation")) != (data.get("age") is not None):
            raise ValidationError(_("Give both the relation and the age, or leave both empty."))
        return data


HouseholdFormSet = forms.formset_factory(HouseholdMemberForm, extra=3, max_num=12)


class SchemeCheckForm(forms.Form):
    gap_reason = forms.ChoiceField(label=_("Gap reason"), choices=[("", "—"), *GapReason.choices])
    gap_note = forms.CharField(label=_("Gap note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, need: Need | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        existing = {c.scheme: c for c in need.scheme_checks.all()} if need else {}
        if need is not None and not self.is_bound:
            self.initial.update({"gap_reason": need.gap_reason, "gap_note": need.gap_note})
        for scheme in Scheme:
            current = existing.get(scheme.value)
            self.fields[f"{scheme.value}__answer"] = forms.ChoiceField(
                label=scheme.label,
                choices=SchemeAnswer.choices,
                widget=forms.RadioSelect,
                initial=current.answer if current else None,
            )
            self.fields[f"{scheme.value}__note"] = forms.CharField(
                label=_("Note"), required=False, max_length=300, initial=current.note if current else ""
            )

    def rows(self):
        for scheme in Scheme:
            yield scheme, self[f"{scheme.value}__answer"], self[f"{scheme.value}__note"]

    def answers(self) -> dict[str, tuple[str, str]]:
        return {
            s.value: (self.cleaned_data[f"{s.value}__answer"], self.cleaned_data[f"{s.value}__note"]) for s in Scheme
        }


class ActionForm(forms.Form):
    action = forms.CharField(max_length=20)
    reason = forms.CharField(required=False, max_length=2000)


class RevealForm(forms.Form):
    field = forms.ChoiceField(
        label=_("What to show"),
        choices=[("id_number", _("Resident ID number")), ("phone", _("Phone")), ("address", _("Address"))],
    )
    reason = forms.CharField(label=_("Why do you need to see it?"), max_length=300)


class ConsentForm(forms.Form):
    given_by = forms.CharField(label=_("Consent given by"), max_length=60)
    by_guardian = forms.BooleanField(label=_("Given by a guardian"), required=False)
    method = forms.ChoiceField(label=_("How"), choices=ConsentMethod.choices)
    valid_until = forms.DateField(label=_("Valid until"), widget=DateInput())
    form_file = DocumentFileField(label=_("Signed form (PDF, JPEG or PNG)"), required=False)


class RelativeForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=50)
    id_number = forms.CharField(label=_("Resident ID number"), max_length=20)
    relation = forms.CharField(label=_("Relation"), max_length=30)

    def clean_id_number(self) -> str:
        return validate_resident_id(self.cleaned_data["id_number"].strip().upper())


# --- Proposals ------------------------------------------------------------------------


class CriteriaForm(forms.Form):
    """The weights proposals will be scored on, set when the need opens for proposals."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for criterion in Criterion:
            self.fields[criterion.value] = forms.IntegerField(
                label=criterion.label, min_value=0, max_value=100, initial=DEFAULT_WEIGHTS[criterion.value]
            )
        self.fields[Criterion.PRICE].help_text = _("Between 10 and 30: never on price alone.")

    def clean(self):
        data = super().clean()
        if not self.errors:
            for problem in weight_problems({c.value: data[c.value] for c in Criterion}):
                self.add_error(None, problem)
        return data

    def weights(self) -> dict[str, int]:
        return {c.value: self.cleaned_data[c.value] for c in Criterion}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleDocumentField(DocumentFileField):
    """Several documents in one input, each checked like a vetting document."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleDocumentField, self).clean(f, initial) for f in files]


class ProposalForm(forms.ModelForm):
    attachments = MultipleDocumentField(label=_("Attachments (PDF, JPEG or PNG; up to 5)"))

    class Meta:
        model = Proposal
        fields = ["plan", "price", "duration_days", "timeline", "team"]
        widgets = {
            "plan": forms.Textarea(attrs={"rows": 6}),
            "timeline": forms.Textarea(attrs={"rows": 3}),
            "team": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "plan": _("What you will do, for whom, how often, and how you will know it worked."),
            "team": _("Who will do the work and their qualifications (e.g. licensed social workers)."),
        }

    def __init__(self, *args, need: Need, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.need = need
        self.fields["price"].help_text = _("At most the budget, %(budget)s CNY.") % {"budget": need.budget}
        # The stubs type min_value as an int; a DecimalField takes a Decimal.
        cast(forms.DecimalField, self.fields["price"]).min_value = Decimal("0.01")  # type: ignore[assignment]

    def clean_price(self):
        price = self.cleaned_data["price"]
        if price is not None and price <= 0:
            raise ValidationError(_("The price must be more than zero."))
        if price is not None and price > self.need.budget:
            raise ValidationError(
                _("The price is above the budget of this need (%(budget)s CNY).") % {"budget": self.need.budget}
            )
        return price

    def proposal_data(self) -> dict:
        return {f: self.cleaned_data[f] for f in self.Meta.fields}


class ScoreForm(forms.Form):
    """One evaluator's scores of one proposal on every non-price criterion."""

    def __init__(self, *args, criteria, existing: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        existing = existing or {}
        self.keys = [c.key for c in criteria if c.key != Criterion.PRICE]
        for criterion in criteria:
            if criterion.key == Criterion.PRICE:
                continue
            score, note = existing.get(criterion.key, (None, ""))
            self.fields[f"{criterion.key}__score"] = forms.TypedChoiceField(
                label=f"{criterion.get_key_display()} ({criterion.weight}%)",
                choices=[(n, str(n)) for n in range(1, 6)],
                coerce=int,
                initial=score,
                widget=forms.RadioSelect,
            )
            self.fields[f"{criterion.key}__note"] = forms.CharField(
                label=_("Note"), required=False, max_length=500, initial=note
            )

    def scores(self) -> dict[str, tuple[int, str]]:
        return {k: (self.cleaned_data[f"{k}__score"], self.cleaned_data[f"{k}__note"]) for k in self.keys}


class AwardForm(forms.Form):
    proposal = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reasons for the award"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    few_proposals_reason = forms.CharField(
        label=_("Why fewer than three proposals are enough (above the competitive threshold)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(forms.Form):
    """Pick a vetted organisation serving the need's category to invite."""

    organisation: forms.ModelChoiceField[Organisation] = forms.ModelChoiceField(label=_("Organisation"), queryset=None)

    def __init__(self, *args, need: Need, **kwargs) -> None:

        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Organisation]", self.fields["organisation"]).queryset = (
            organisations_may_act()
            .filter(service_categories=need.category_id)
            .exclude(need_invitations__need=need)
            .order_by("legal_name")
        )


class NeedFilterForm(forms.Form):
    """The agency's needs list: what a caseworker looks a need up by. Every field optional;
    an invalid one is ignored rather than emptying the list."""

    q = forms.CharField(
        label=_("Need number or text"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. N000012 or 助餐")}),
    )
    state = forms.ChoiceField(label=_("State"), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.filter(is_active=True), empty_label=_("Any")
    )
    urgency = forms.ChoiceField(label=_("Urgency"), required=False)
    area = RegionField(label=_("Area"), required=False)
    created_from = forms.DateField(label=_("Recorded from"), required=False, widget=DateInput())
    created_to = forms.DateField(label=_("Recorded until"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["state"]).choices = [("", _("Any")), *NeedState.choices]
        cast(forms.ChoiceField, self.fields["urgency"]).choices = [("", _("Any")), *Urgency.choices]

    def filters(self) -> dict:
        """The valid, non-empty filters (an invalid field is dropped, not fatal)."""
        self.is_valid()
        return {k: v for k, v in getattr(self, "cleaned_data", {}).items() if v not in (None, "")}
