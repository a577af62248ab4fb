"""The columns of a needs import file, as data.

Every field a caseworker gives on the need form, the person and the statutory-aid check
(the eight schemes and the gap reason). Headers are bilingual, "标题 / Title"; a file
may use the whole header, its Chinese part, its English part or the column's key. The
headers are fixed text, not translated: the same template works in either language.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.utils import translation
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.types import StrOrPromise
from needs.models import GapReason, NeedKind, Scheme, SchemeAnswer, Scope, Urgency

SCHEME_PREFIX = "scheme_"


def _codes_text(choices) -> str:
    """The codes a cell takes, each with the words the form and the pages use for it, so
    the template never has a vocabulary of its own ("insufficient = 符合条件但不足")."""
    return "; ".join(f"{value} = {label}" for value, label in choices)


_codes = lazy(_codes_text, str)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    required: bool
    help: StrOrPromise  # lazy translation: what goes in the cell
    example: str = ""

    @property
    def header(self) -> str:
        return f"{self.zh} / {self.en}"


_SCHEME_ZH = {
    Scheme.DIBAO: ("最低生活保障", "Minimum living allowance"),
    Scheme.TEKUN: ("特困人员供养", "Extreme-poverty support"),
    Scheme.DISASTER: ("受灾人员救助", "Disaster victims' assistance"),
    Scheme.MEDICAL: ("医疗救助", "Medical assistance"),
    Scheme.EDUCATION: ("教育救助", "Education assistance"),
    Scheme.HOUSING: ("住房救助", "Housing assistance"),
    Scheme.EMPLOYMENT: ("就业救助", "Employment assistance"),
    Scheme.TEMPORARY: ("临时救助", "Temporary assistance"),
}

COLUMNS: tuple[Column, ...] = (
    Column("title", "标题", "Title", True, _("At most 80 characters; no names or numbers."), "独居老人助餐与探访"),
    Column(
        "summary",
        "匿名摘要",
        "Anonymised summary",
        True,
        _("What is needed and why, without names, ID numbers, phone numbers or exact addresses."),
        "高龄独居老人，行动不便，需要每日助餐和每周两次上门探访，为期三个月。",
    ),
    Column("category", "类别代码", "Category code", True, _("A code from the Codes sheet."), "elderly_care"),
    Column("kind", "形式", "Kind", True, _codes(NeedKind.choices), "service"),
    Column("urgency", "紧急程度", "Urgency", True, _codes(Urgency.choices), "routine"),
    Column(
        "region",
        "地区代码",
        "Region code",
        True,
        _("The code of a county or township within your agency's area."),
        "510129001",
    ),
    Column("budget", "预算（元）", "Budget (CNY)", True, _("A number of yuan, at most two decimals."), "3600"),
    Column("duration_days", "预计天数", "Duration (days)", True, _("A whole number of days."), "90"),
    Column("qualifications", "资质要求", "Required qualifications", False, _("Optional."), "持证社工"),
    Column("people_count", "受益人数", "Number of people", False, _("A whole number; 1 when empty."), "1"),
    Column("scope", "发布范围", "Publication scope", False, _("all or region; region when empty."), "region"),
    Column("gap_reason", "缺口原因", "Gap reason", True, _("A code from the Codes sheet."), "service_not_cash"),
    Column("gap_note", "缺口说明", "Gap note", False, _("Optional."), ""),
    Column("name", "姓名", "Name", True, _("The person's name (kept encrypted)."), "张三"),
    Column(
        "id_number",
        "身份证号码",
        "Resident ID number",
        True,
        _("18 characters; format the column as text so the spreadsheet does not round it."),
        "510129198503120018",
    ),
    Column("phone", "联系电话", "Phone", False, _("Optional, 7 to 12 digits."), "13912345678"),
    Column("address", "住址", "Address", False, _("Optional."), "大邑县晋原街道某某路12号"),
    Column("is_minor", "未成年人", "Minor", False, _("是/否 or yes/no; no when empty."), "否"),
    Column("has_disability", "残疾", "Disability", False, _("是/否 or yes/no; no when empty."), "否"),
    Column("elderly_alone", "独居老人", "Elderly living alone", False, _("是/否 or yes/no; no when empty."), "是"),
    Column("severe_illness", "重病", "Severe illness", False, _("是/否 or yes/no; no when empty."), "否"),
    Column(
        "household",
        "家庭成员",
        "Household members",
        False,
        _("Optional: relation:age, separated by semicolons, e.g. 配偶:81; 女儿:52."),
        "配偶:81",
    ),
    *(
        Column(
            SCHEME_PREFIX + scheme.value,
            zh,
            en,
            True,
            _codes(SchemeAnswer.choices),
            "not_eligible",
        )
        for scheme, (zh, en) in _SCHEME_ZH.items()
    ),
)

BY_KEY = {c.key: c for c in COLUMNS}
REQUIRED = tuple(c.key for c in COLUMNS if c.required)
SCHEME_COLUMNS = {SCHEME_PREFIX + s.value: s.value for s in Scheme}
BOOLEAN_COLUMNS = ("is_minor", "has_disability", "elderly_alone", "severe_illness")


def normalise(text: str) -> str:
    """What is compared: NFKC (full-width letters, digits and brackets fold to ASCII),
    case folded, runs of white space made one space."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _header_aliases() -> dict[str, str]:
    aliases: dict[str, str] = {}
    for column in COLUMNS:
        for text in (column.header, column.zh, column.en, column.key, f"{column.zh}/{column.en}"):
            seen = aliases.setdefault(normalise(text), column.key)
            if seen != column.key:
                raise ValueError(f"The header {text!r} would name both {seen} and {column.key}.")
    return aliases


HEADER_ALIASES = _header_aliases()


def column_for_header(text: str) -> str | None:
    return HEADER_ALIASES.get(normalise(text))


def _choice_aliases(choices) -> dict[str, str]:
    """Each choice by its code and by its label in Chinese and in English."""
    aliases: dict[str, str] = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for value, label in choices:
                aliases[normalise(str(label))] = value
    for value, _label in choices:
        aliases[normalise(value)] = value
    return aliases


def choice_aliases() -> dict[str, dict[str, str]]:
    """The accepted spellings of every coded column (built when asked: labels are lazy)."""
    return {
        "kind": _choice_aliases(NeedKind.choices),
        "urgency": _choice_aliases(Urgency.choices),
        # The need form does not offer "invited" yet (invitations come with matching).
        "scope": _choice_aliases([(v, lbl) for v, lbl in Scope.choices if v != Scope.INVITED]),
        "gap_reason": _choice_aliases(GapReason.choices),
        "answer": _choice_aliases(SchemeAnswer.choices),
    }


TRUE_WORDS = frozenset({"是", "yes", "y", "true", "1", "√", "✓", "有"})
FALSE_WORDS = frozenset({"", "否", "no", "n", "false", "0", "×", "无"})
