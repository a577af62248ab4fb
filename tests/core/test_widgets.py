"""Every date input carries an ISO date, in every language: ``<input type=date>`` shows
nothing else, and a blank picker lost the saved date on the next submit (issue 20, item 1)."""

from __future__ import annotations

import datetime
import importlib
import inspect

import pytest
from django import forms
from django.utils import translation

FORM_MODULES = [
    "accounts.forms",
    "contracts.forms",
    "contracts.work_forms",
    "donations.forms",
    "needs.forms",
    "regions.forms",
    "reports.forms",
    "vetting.forms",
]


def _date_fields():
    for name in FORM_MODULES:
        module = importlib.import_module(name)
        for _, form in inspect.getmembers(module, inspect.isclass):
            if issubclass(form, forms.BaseForm) and form.__module__ == name:
                for field_name, field in form.base_fields.items():
                    if isinstance(field, forms.DateField):
                        yield f"{name}.{form.__name__}.{field_name}", field


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_date_input_renders_an_iso_date(language):
    fields = dict(_date_fields())
    assert "vetting.forms.OrganisationForm.registration_date" in fields
    with translation.override(language):
        for where, field in fields.items():
            html = field.widget.render("d", datetime.date(2020, 5, 1))
            assert 'type="date"' in html, where
            assert 'value="2020-05-01"' in html, f"{where}: {html}"
