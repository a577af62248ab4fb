"""Spreadsheet safety, both ways: cells we write are never run as formulas, and cells
we read that would run as formulas are recognised.

A spreadsheet treats a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a formula,
and some also after a leading tab or carriage return. A formula can open links
(``=HYPERLINK(...)``), fetch data or, through DDE, start programs (``=cmd|' /C calc'!A0``):
"CSV injection" (OWASP). Every export passes each value through ``safe_cell``; every
import refuses a cell for which ``is_formula`` is true.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A plain signed number ("-5", "+86 139 1234 5678", "-1.5") is data, not a formula: an
# import reports it for what it is (a negative budget, a phone number with its country
# code) instead of as an attack. "-1+2" or "+1)" is not plain and stays a formula.
_PLAIN_NUMBER = re.compile(r"[+-]?\d[\d .]*")


def safe_cell(value: Any) -> Any:
    """``value`` made inert for a spreadsheet: a text beginning with a formula character
    gets a leading single quote, so the cell shows the text instead of running it.
    Anything else (numbers, dates, None, ordinary text) is returned unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def is_formula(value: object) -> bool:
    """Whether an imported cell would be taken for a formula by a spreadsheet program.

    Leading spaces are ignored (a program trims them too); a tab or carriage return
    followed by a formula character counts; a plain signed number does not.
    """
    if not isinstance(value, str):
        return False
    text = value.lstrip(" ")
    if text.startswith(("\t", "\r")):
        return text.lstrip("\t\r ").startswith(FORMULA_PREFIXES[:4])
    if not text.startswith(FORMULA_PREFIXES[:4]):
        return False
    return not _PLAIN_NUMBER.fullmatch(text.rstrip())
