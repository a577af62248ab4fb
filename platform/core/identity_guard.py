"""The identity guard: the one check on every free text that anyone outside the recording
agency can ever read (need cards, proposals, contracts, milestones, service records,
evaluations, donations' purposes, messages, API payloads).

``identity_in(texts, known=...)`` returns the first piece of identity it finds, or None.
It finds, after normalising the text:

- resident ID numbers: 18 characters whose birth date is real (the check character is
  python-stdnum's), and the old 15-digit form with a real birth date;
- mobile numbers (11 digits, 1[3-9]…, with or without +86) and landlines with an area code;
- bank card numbers: 16 to 19 digits passing Luhn, with a card's leading digit;
- the names it is given (the beneficiary and each household member), and the street part
  of the addresses it is given.

Normalising undoes what hides a number or a name from a plain search: full-width forms
become ASCII (NFKC), zero-width and control characters go, and spaces, hyphens, dots,
slashes and the like are dropped between digits and between Chinese characters
(``510129 19580612 4338``, ``138.1111.2222``, ``敖 青梧``). Numbers written in Chinese
(``一三八…``, ``七十七号``) are read as digits.

What must pass stays passing: amounts, dates and times, durations, counts (``12名``),
contract and need numbers, postcodes and region codes. A number is only an ID when its
birth date is real and its first two digits a province; a card only with a card's leading
digit and, when written in groups, a card's grouping; a mobile only with 11 digits.

This module reads no model: callers pass what they know of the person (``Known``), from
the need the text belongs to.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum import luhn
from stdnum.cn import ric

# Characters that split a number or a name without meaning anything: whitespace, dashes,
# dots, slashes, brackets, quotes, underscores and the like.
_SEPARATORS = r"\s\-‐‑‒–—―−﹘﹣.·•・‧∙/\\|_~*+:()\[\]{}<>「」『』【】〔〕《》〈〉\"'‘’“”"
_SEP = f"[{_SEPARATORS}]"
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# Chinese numerals as digits: every-day and financial forms, and 幺 (one, in phone numbers).
_CN_DIGITS = {
    "零": 0, "〇": 0, "○": 0, "一": 1, "幺": 1, "壹": 1, "二": 2, "两": 2, "贰": 2, "三": 3,
    "叁": 3, "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8,
    "捌": 8, "九": 9, "玖": 9,
}  # fmt: skip
_CN_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_NUMBER = re.compile(f"[{''.join(_CN_DIGITS)}{''.join(_CN_UNITS)}]+")

# A run of digit groups, possibly ending in the ID's check character X.
_DIGIT_RUN = re.compile(rf"\d+(?:{_SEP}*\d+)*(?:{_SEP}*[Xx](?![A-Za-z]))?")
_GROUP = re.compile(r"\d+|[Xx]")

# GB/T 2260 province codes: the first two digits of every resident ID.
_PROVINCE = re.compile(r"1[1-5]|2[1-3]|3[1-7]|4[1-6]|5[0-4]|6[1-5]|71|8[12]")
_MOBILE = re.compile(r"1[3-9]\d{9}")
# Beijing 010 and the 02x cities have 8-digit numbers; every other area code is 0 and
# three digits, followed by 7 or 8.
_LANDLINE = re.compile(r"0(?:10|2\d)\d{8}|0[3-9]\d{2}\d{7,8}")

# Administrative units an address opens with; what follows the last of them is the street.
_ADMIN_PREFIX = re.compile(
    rf"^[{_CJK}]{{1,15}}?(?:特别行政区|自治区|自治州|自治县|自治旗|街道办事处|街道|地区|省|市|州|盟|县|旗|镇|乡|(?<![小社园])区)"
)
_STREET_HEAD = re.compile(
    rf"^([{_CJK}A-Za-z]{{1,15}}?(?:大道|大街|胡同|小区|花园|公寓|大厦|新村|家园|路|街|巷|弄|里|村|组|屯|庄|苑|坊|院))"
    r"(\d+)?"
)


@dataclass(frozen=True)
class Known:
    """What the guard knows of the person a text is about: their name, their household
    members' names, their address. Never printed."""

    names: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()

    def __repr__(self) -> str:  # objects are printed in logs and tracebacks
        return f"Known(names={len(self.names)}, addresses={len(self.addresses)})"


NOBODY = Known()


KIND_LABELS = {
    "id": gettext_lazy("an ID number"),
    "phone": gettext_lazy("a phone number"),
    "card": gettext_lazy("a bank card number"),
    "name": gettext_lazy("the name of the person helped or of their household"),
    "address": gettext_lazy("the street address of the person helped"),
}


@dataclass(frozen=True)
class Leak:
    """A piece of identity found in ``field``; ``part`` is masked for messages."""

    field: str
    kind: str
    part: str

    @property
    def message(self) -> str:
        return _(
            "This text contains %(what)s (“%(part)s”). Remove it: what organisations and the "
            "public read must never identify anyone."
        ) % {"what": KIND_LABELS[self.kind], "part": self.part}


def identity_in(texts: Mapping[str, str | None], *, known: Known = NOBODY) -> Leak | None:
    """The first piece of identity in any of ``texts`` (field name → text), or None.

    Pure: reads nothing, writes nothing. Callers refuse the write with ``leak.message``
    (naming ``leak.field`` for a form) and change nothing.
    """
    names = _names(known.names)
    streets = _streets(known.addresses)
    for field, text in texts.items():
        if not text:
            continue
        for kind, part in _findings(str(text), names, streets):
            return Leak(field=field, kind=kind, part=_mask(part))
    return None


# --- Normalising -----------------------------------------------------------------------


def _plain(text: str) -> str:
    """NFKC (full-width → ASCII), without zero-width, format and control characters."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(_plain_character(c) for c in text)


def _plain_character(c: str) -> str:
    if c.isascii():
        return c if c.isprintable() or c in "\n\t" else " "
    if unicodedata.category(c) in ("Cf", "Cc"):
        return ""
    digit = unicodedata.decimal(c, None)  # digits of other scripts
    return c if digit is None else str(digit)


def _cn_number(match: re.Match[str]) -> str:
    """A run of Chinese numerals as digits: ``七十七`` → 77, ``一三八`` → 138."""
    run = match.group(0)
    if not any(c in _CN_UNITS for c in run):
        return "".join(str(_CN_DIGITS[c]) for c in run)
    total = current = 0
    for c in run:
        if c in _CN_DIGITS:
            current = _CN_DIGITS[c]
        else:
            total += (current or 1) * _CN_UNITS[c]
            current = 0
    return str(total + current)


def _digits_form(text: str) -> str:
    return _CN_NUMBER.sub(_cn_number, _plain(text))


# --- Numbers ---------------------------------------------------------------------------


def _is_id(number: str) -> bool:
    if not _PROVINCE.fullmatch(number[:2]):
        return False
    if len(number) == 18:
        if not number[:17].isdigit():
            return False
        return _real_birth_date(number[6:14]) and (number[17] in "0123456789X")
    return len(number) == 15 and number.isdigit() and _real_birth_date("19" + number[6:12])


def _real_birth_date(yyyymmdd: str) -> bool:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        return False
    return born.year >= 1890 and born <= date.today()


def _has_id_check_character(number: str) -> bool:
    return ric.calc_check_digit(number) == number[17]


def _is_card(number: str) -> bool:
    if not (16 <= len(number) <= 19 and number.isdigit()):
        return False
    # The major industry identifier of bank cards (3 Amex/JCB, 4 Visa, 5 Mastercard,
    # 6 UnionPay, 9 domestic) or Mastercard's 2221–2720: never a date's 19xx or 20xx.
    if not (number[0] in "34569" or 2221 <= int(number[:4]) <= 2720):
        return False
    return luhn.is_valid(number)


def _is_phone(number: str) -> bool:
    for prefix in ("0086", "86"):
        if number.startswith(prefix) and len(number) == len(prefix) + 11:
            number = number[len(prefix) :]
    return bool(_MOBILE.fullmatch(number) or _LANDLINE.fullmatch(number))


def _numbers(text: str) -> Iterator[tuple[str, str]]:
    """(kind, as written) for every identifying number in the text."""
    for run in _DIGIT_RUN.finditer(_digits_form(text)):
        groups = _GROUP.findall(run.group(0))
        for i in range(len(groups)):
            joined = ""
            for j in range(i, len(groups)):
                joined += groups[j].upper()
                if len(joined) > 19:
                    break
                window = groups[i : j + 1]
                whole = len(window) == len(groups)
                # A number is written from its start: a slice that opens inside a date or
                # a time (``…/07 13:45 — 2026…``) is not one, unless it is the whole run.
                if not (len(window) == 1 or whole or len(window[0]) >= 3):
                    continue
                if _is_id(joined):
                    yield "id", joined
                elif _is_phone(joined):
                    yield "phone", joined
                elif _is_card(joined) and _card_shaped(window, whole=whole):
                    yield "card", joined
        # A number glued to others (no separator at all): look inside long runs for an ID
        # with its check character, the only form specific enough to find by sliding.
        for group in groups:
            if len(group) > 19:
                for k in range(len(group) - 17):
                    part = group[k : k + 18]
                    if _is_id(part) and _has_id_check_character(part):
                        yield "id", part


def _card_shaped(groups: list[str], *, whole: bool) -> bool:
    """Cards are written unbroken or in groups of three or more digits; a card spelt out
    digit by digit (``6 2 2 2 …``) counts only as a whole run, not as a slice of a date."""
    if len(groups) == 1 or all(len(g) >= 3 for g in groups[:-1]):
        return True
    return whole


# --- Names and addresses ---------------------------------------------------------------


def _names(names: Iterable[str]) -> list[re.Pattern[str]]:
    """A pattern for each name: a Chinese name as its characters with any separators
    between them; a name in letters as a whole word, separators allowed between its
    letters. A given name alone is not searched: it is often a plain word (红叶, 建国).
    A single character would match everything: names shorter than two are not searched."""
    found: list[re.Pattern[str]] = []
    for name in names:
        name = re.sub(f"{_SEP}+", "", _plain(name or "")).casefold()
        if len(name) < 2:
            continue
        if all(re.match(f"[{_CJK}]", c) for c in name):
            found.append(_spaced(name))
        else:
            found.append(re.compile(rf"(?<![^\W\d_]){_spaced(name).pattern}(?![^\W\d_])", re.IGNORECASE))
    return found


def _spaced(word: str) -> re.Pattern[str]:
    return re.compile(f"{_SEP}*".join(map(re.escape, word)), re.IGNORECASE)


def _streets(addresses: Iterable[str]) -> list[str]:
    """The street part of each address, in the digits form: what follows its province,
    city, county and township (``大邑县晋原街道稀罕巷七十七号`` → ``稀罕巷77号``), and the
    street with its number (``稀罕巷77``) or, for a long enough name, the street alone."""
    found: list[str] = []
    for address in addresses:
        rest = re.sub(f"{_SEP}+", "", _plain(address or ""))
        while match := _ADMIN_PREFIX.match(rest):
            rest = rest[match.end() :]
        rest = _CN_NUMBER.sub(_cn_number, rest)
        if len(rest) < 2:
            continue
        found.append(rest)
        head = _STREET_HEAD.match(rest)
        if head:
            street, number = head.group(1), head.group(2)
            if number:
                found.append(street + number)
            if len(street) >= 3:
                found.append(street)
    return found


def _findings(text: str, names: list[re.Pattern[str]], streets: list[str]) -> Iterator[tuple[str, str]]:
    yield from _numbers(text)
    if names:
        plain = _plain(text)
        for name in names:
            match = name.search(plain)
            if match:
                yield "name", match.group(0)
    if streets:
        squeezed = re.sub(f"{_SEP}+", "", _digits_form(text))
        for street in streets:
            if street in squeezed:
                yield "address", street


def _mask(part: str) -> str:
    """Enough for the author to find it, not enough to read it back: a number's first
    three and last two digits, a name's or a street's first character."""
    if part[:-1].isdigit() and len(part) > 7:
        return part[:3] + "*" * (len(part) - 5) + part[-2:]
    return part[0] + "*" * (len(part) - 1)
