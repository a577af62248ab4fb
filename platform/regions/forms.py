"""A region field that works without JavaScript: type a code or a name.

With HTMX the input fetches suggestions into a datalist as you type; without it,
the server resolves what was typed (a code, a unique name or a full name) and
says which regions were meant when the text is ambiguous.
"""

from __future__ import annotations

from django import forms
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from regions.models import Region


class RegionInput(forms.TextInput):
    template_name = "regions/widgets/region_input.html"

    def __init__(self, attrs=None, levels: tuple[str, ...] = ()) -> None:
        super().__init__(attrs)
        self.levels = levels

    def format_value(self, value):
        if isinstance(value, Region):
            return f"{value.local_full_name} ({value.code})"
        if isinstance(value, int | str) and str(value).isdigit():
            region = Region.objects.filter(pk=value).first()
            if region is not None:
                return f"{region.local_full_name} ({region.code})"
        return super().format_value(value)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["search_url"] = reverse_lazy("regions:suggest")
        context["widget"]["levels"] = ",".join(self.levels)
        return context


# Longer than any full name as the widget shows it, code included; the bound keeps a
# pasted essay out of the name search (SQLite refuses a LIKE pattern past 50,000 bytes).
MAX_REGION_TEXT = 300


class RegionField(forms.Field):
    widget = RegionInput
    default_error_messages = {
        "too_long": _("Type a region code or name of at most %(max)d characters."),
        "not_found": _("No region matches “%(text)s”. Type a six-digit code or a name, e.g. 大邑县."),
        "ambiguous": _("“%(text)s” matches several regions: %(choices)s. Type the code or the full name."),
        "level": _("Choose a region at one of these levels: %(levels)s."),
    }

    def __init__(self, *, levels: tuple[str, ...] = (), **kwargs) -> None:
        self.levels = levels
        kwargs.setdefault("widget", RegionInput(attrs={"maxlength": MAX_REGION_TEXT}, levels=levels))
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Region):
            return value
        text = str(value).strip()
        if len(text) > MAX_REGION_TEXT:
            raise forms.ValidationError(
                self.error_messages["too_long"], code="too_long", params={"max": MAX_REGION_TEXT}
            )
        region = resolve_region(text, levels=self.levels)
        if isinstance(region, Region):
            return region
        if not region:
            raise forms.ValidationError(self.error_messages["not_found"], code="not_found", params={"text": text})
        choices = "、".join(f"{r.local_full_name} ({r.code})" for r in region[:5])
        raise forms.ValidationError(
            self.error_messages["ambiguous"], code="ambiguous", params={"text": text, "choices": choices}
        )


def resolve_region(text: str, *, levels: tuple[str, ...] = ()) -> Region | list[Region]:
    """A single region for ``text``, or the (possibly empty) list of candidates."""
    qs = Region.objects.all()
    if levels:
        qs = qs.filter(level__in=levels)
    text = text.strip()
    # "四川省 成都市 大邑县 (510129)" as the widget shows it: the code decides.
    if text.endswith(")") and "(" in text:
        text = text[text.rindex("(") + 1 : -1].strip()
    if text.isdigit():
        region = qs.filter(code=text).first()
        return region if region else []
    exact = list(qs.filter(Q(full_name=text) | Q(full_name_en__iexact=text))[:2]) or list(
        qs.filter(Q(name=text) | Q(name_en__iexact=text))[:6]
    )
    if len(exact) == 1:
        return exact[0]
    if exact:
        return exact
    return list(qs.search(text)[:6])


class RegionFilterForm(forms.Form):
    """A list filter: "in this region or below it"."""

    region = RegionField(label=_("In region"), required=False)
