"""The template pieces that tie messages to fields and mark Chinese data (issue 25)."""

from __future__ import annotations

import re

from django import forms
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import translation

from contracts.work_forms import ConfirmationNewForm
from core.templatetags.accessibility import lang_zh, page_errors


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def _described_by(html: str) -> list[str]:
    return [i for value in re.findall(r'aria-describedby="([^"]+)"', html) for i in value.split()]


def test_the_milestone_email_field_has_its_help_and_error_read_with_it():
    form = ConfirmationNewForm(data={"email": "not an address"})
    assert not form.is_valid()
    html = render_to_string("components/form_field.html", {"field": form["email"]})
    assert _described_by(html) == ["id_email_helptext", "id_email_error"]
    assert set(_described_by(html)) <= _ids(html)
    # The summary at the top of the page announces the errors; a field does not shout its own.
    assert 'role="alert"' not in html


class _Pair(forms.Form):
    name = forms.CharField(label="Name")
    kind = forms.ChoiceField(label="Kind", choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)

    def clean(self):
        raise forms.ValidationError("The whole form is wrong.")


def test_the_error_summary_lists_every_error_linked_to_its_field():
    form = _Pair(data={})
    rows = forms.formset_factory(_Pair, extra=0, min_num=1, validate_min=True)(data={"form-TOTAL_FORMS": "0"})
    unbound = _Pair()
    errors = page_errors([form, rows, unbound, form])
    assert [(e.label, e.target) for e in errors[:3]] == [("", ""), ("Name", "id_name"), ("Kind", "id_kind_0")]
    assert len(errors) == 4  # the formset's "at least 1 form"; the unbound form and the repeat add none
    html = Template("{% load accessibility %}{% error_summary %}").render(Context({"form": form}))
    assert "autofocus" in html and 'tabindex="-1"' in html
    assert '<a href="#id_name">Name: ' in html and '<a href="#id_kind_0">Kind: ' in html
    assert Template("{% load accessibility %}{% error_summary %}").render(Context({"form": unbound})).strip() == ""


def test_chinese_data_is_marked_on_english_pages_only():
    with translation.override("en"):
        assert lang_zh("大邑县民政局") == ' lang="zh-Hans"'
        assert lang_zh("Dayi civil affairs") == ""
    with translation.override("zh-hans"):
        assert lang_zh("大邑县民政局") == ""
