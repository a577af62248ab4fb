"""Spreadsheets we hand out: the import template, an import's error report and the
needs list export. Every value goes through ``core.spreadsheets.safe_cell``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from categories.models import Category
from core.spreadsheets import safe_cell
from imports.columns import BY_KEY, COLUMNS, SCHEME_COLUMNS
from needs.models import GapReason, NeedKind, SchemeAnswer, Scope, Urgency
from regions.models import Region, RegionLevel

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOM = "\ufeff"  # Excel opens UTF-8 CSV correctly only with it


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Iterable]) -> Iterator[str]:
    """CSV text, line by line, UTF-8 BOM first, every cell made safe."""
    writer = csv.writer(_Echo())
    yield BOM
    for row in rows:
        yield writer.writerow([safe_cell(_plain(v)) for v in row])


def xlsx_bytes(sheets: Iterable[tuple[str, Iterable[Iterable]]]) -> bytes:
    """A workbook of (title, rows) sheets, written streaming, every cell made safe."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        for row in rows:
            # safe_cell also keeps openpyxl from writing "=…" text as a live formula.
            sheet.append([safe_cell(_plain(v)) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, str | int | float | Decimal):
        return value
    return str(value)


# --- The import template --------------------------------------------------------------


def template_header() -> list[str]:
    return [c.header for c in COLUMNS]


def template_instructions() -> list[list]:
    rows = [[_("Column"), _("Required"), _("What to write"), _("Example")]]
    for column in COLUMNS:
        rows.append([column.header, _("yes") if column.required else _("no"), str(column.help), column.example])
    rows.append([])
    rows.append([_("Row 1 of the Needs sheet is the header; each row below it is one need. Delete nothing from it.")])
    rows.append([_("Every row is checked before anything is imported; a file with any error imports nothing.")])
    rows.append([_("Imported needs are drafts: read each, then submit it for approval as usual.")])
    return rows


def _choices(title: str, choices) -> list[list]:
    rows = [[title], ["code", "中文", "English"]]
    for value, label in choices:
        with translation.override("zh-hans"):
            zh = str(label)
        with translation.override("en"):
            en = str(label)
        rows.append([value, zh, en])
    rows.append([])
    return rows


def template_codes(areas: Iterable[Region]) -> list[list]:
    rows: list[list] = [[_("Categories")], ["code", "中文", "English"]]
    rows += [[c.code, c.name_zh, c.name_en] for c in Category.objects.filter(is_active=True)]
    rows.append([])
    rows += _choices(_("Kinds"), NeedKind.choices)
    rows += _choices(_("Urgency"), Urgency.choices)
    rows += _choices(_("Publication scope"), [(v, lbl) for v, lbl in Scope.choices if v != Scope.INVITED])
    rows += _choices(_("Gap reasons"), GapReason.choices)
    rows += _choices(
        _("Statutory schemes: the answer in each of these columns")
        + ": "
        + "、".join(BY_KEY[k].zh for k in SCHEME_COLUMNS),
        SchemeAnswer.choices,
    )
    rows += [[_("Regions of your agency (county or township)")], ["code", _("Region")]]
    seen = set()
    for area in areas:
        for region in Region.objects.filter(
            path__startswith=area.path, level__in=[RegionLevel.COUNTY, RegionLevel.TOWNSHIP]
        ):
            if region.code not in seen:
                seen.add(region.code)
                rows.append([region.code, region.full_name])
    return rows


def template_xlsx(areas: Iterable[Region]) -> bytes:
    return xlsx_bytes(
        [
            ("需求 Needs", [template_header()]),
            ("说明 Instructions", template_instructions()),
            ("代码 Codes", template_codes(areas)),
        ]
    )


# --- An import's problems -------------------------------------------------------------


def column_label(key: str) -> str:
    column = BY_KEY.get(key)
    return column.header if column else key


def problems_rows(problems: list[dict]) -> Iterator[list]:
    yield [_("Row"), _("Column"), _("Problem")]
    for p in problems:
        yield [p["row"] if p["row"] is not None else _("file"), column_label(p["column"]), p["message"]]


# --- The needs list -------------------------------------------------------------------

EXPORT_HEADER = [
    "编号 / Reference",
    "标题 / Title",
    "匿名摘要 / Anonymised summary",
    "类别 / Category",
    "形式 / Kind",
    "紧急程度 / Urgency",
    "地区 / Region",
    "预算（元） / Budget (CNY)",
    "预计天数 / Duration (days)",
    "资质要求 / Required qualifications",
    "受益人数 / Number of people",
    "发布范围 / Publication scope",
    "状态 / State",
    "创建时间 / Created",
    "发布时间 / Published",
    "响应截止 / Respond by",
]


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def needs_rows(needs) -> Iterator[list]:
    """The card of each need and where it stands: never the person (the queryset is
    only ever read for card fields; the beneficiary is not even joined)."""
    yield EXPORT_HEADER
    for need in needs.iterator(chunk_size=2000):
        yield [
            need.reference,
            need.title,
            need.summary,
            str(need.category),
            need.get_kind_display(),
            need.get_urgency_display(),
            need.region.full_name,
            need.budget,
            need.duration_days,
            need.qualifications,
            need.people_count,
            need.get_scope_display(),
            need.get_state_display(),
            _when(need.created_at),
            _when(need.published_at),
            _when(need.response_deadline),
        ]
