"""Widgets every app's forms share."""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"


class DateInput(forms.DateInput):
    """A browser date picker. Its value is always an ISO date: an ``<input type=date>``
    accepts nothing else, and Chinese's first DATE_INPUT_FORMAT ("%Y/%m/%d") left the
    picker blank, so the saved date was lost on the next submit."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002 — Django's own name
        super().__init__(attrs=attrs, format=format or ISO_DATE)
