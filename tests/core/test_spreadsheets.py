"""Spreadsheet formulas: every export neutralises them, every import recognises them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from core.spreadsheets import is_formula, safe_cell

PAYLOADS = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_formula_is_written_as_text_behind_a_quote(payload):
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["独居老人助餐", "N000001", "a=b", "", None, 3600, Decimal("-1.50"), 0.5])
def test_anything_else_is_written_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize(
    "payload", ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "-1+2", "@SUM(A1)", "  =1", "\t=1", "\r@A1", "+1)"]
)
def test_an_imported_formula_is_recognised(payload):
    assert is_formula(payload)


@pytest.mark.parametrize("value", ["-5", "+86 139 1234 5678", "-1.5", "3600", "独居", "a=b", "", None, 12, "\tplain"])
def test_plain_numbers_and_text_are_not_formulas(value):
    assert not is_formula(value)
