"""Reading one cell of an import: as text, as money, as a whole number, as a household;
what a message may repeat of it."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.crypto import mask
from needs.models import Need

MAX_HOUSEHOLD = 12  # as the need form's household formset
_SEPARATORS = re.compile(r"[;,、]")


def as_text(value) -> str:
    """A cell as text: numbers without a trailing ".0", nothing for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


_LONG_NUMBER = re.compile(r"\d{7,}[\dXx]?")


def shown(value: str) -> str:
    """A cell repeated in a message: bounded, and any long number (an ID or phone number
    typed in the wrong column) masked."""
    return _LONG_NUMBER.sub(lambda m: mask(m.group()), value[:40])


def check_length(key: str, value: str, limit: int, problem) -> None:
    if limit and len(value) > limit:
        problem(key, "too_long", _("At most %(n)d characters (this has %(m)d).") % {"n": limit, "m": len(value)})


def column_at(position: int, index: dict[str, int], headers: list[str]) -> str:
    for key, at in index.items():
        if at == position:
            return key
    return (str(headers[position]) if position < len(headers) else "").strip() or f"#{position + 1}"


def parse_budget(value: str, problem) -> Decimal | None:
    if not value:
        return None
    cleaned = value.replace(",", "").replace("，", "").removeprefix("¥").removeprefix("￥").removesuffix("元").strip()
    field = Need._meta.get_field("budget")
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        problem("budget", "not_a_number", _("The budget is not a number."))
        return None
    if not amount.is_finite():
        problem("budget", "not_a_number", _("The budget is not a number."))
        return None
    if amount < 0:
        problem("budget", "negative", _("The budget cannot be negative."))
        return None
    if amount != amount.quantize(Decimal("0.01")):
        problem("budget", "decimals", _("At most two decimals (fen)."))
        return None
    if amount >= Decimal(10) ** (field.max_digits - field.decimal_places):
        problem("budget", "too_large", _("The budget is too large."))
        return None
    return amount.quantize(Decimal("0.01"))


def parse_whole(value: str, key: str, low: int, high: int, problem) -> int | None:
    if not value:
        return None
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number != number.to_integral_value():
        problem(key, "not_whole", _("Give a whole number."))
        return None
    if not low <= number <= high:
        problem(key, "out_of_range", _("Give a number from %(low)d to %(high)d.") % {"low": low, "high": high})
        return None
    return int(number)


def parse_household(value: str, problem) -> list[dict]:
    members: list[dict] = []
    if not value:
        return members
    for part in _SEPARATORS.split(unicodedata.normalize("NFKC", value)):
        part = part.strip()
        if not part:
            continue
        relation, sep, age = part.rpartition(":")
        # relation:age, or relation:name:age (the name is kept encrypted, for the identity guard)
        relation, _sep, name = relation.partition(":")
        relation, name = relation.strip(), name.strip()
        if (
            not sep
            or not relation
            or not age.strip().isdigit()
            or int(age) > 130
            or len(relation) > 30
            or len(name) > 50
            or ":" in name
        ):
            problem(
                "household",
                "household_format",
                _(
                    "Write each member as relation:age or relation:name:age (age 0 to 130), separated by "
                    "semicolons, e.g. 配偶:81; 女儿:敖红叶:52."
                ),
            )
            return []
        members.append({"relation": relation, "age": int(age), "name": name})
    if len(members) > MAX_HOUSEHOLD:
        problem("household", "household_size", _("At most %(n)d household members.") % {"n": MAX_HOUSEHOLD})
        return []
    return members
