"""Import files made in the test: rows as the template describes them, written as CSV
(UTF-8, UTF-8 with BOM, GBK) or XLSX."""

from __future__ import annotations

import csv
import io

from imports.columns import COLUMNS


def resident_id(n: int, *, born: str = "19850312", area: str = "510129") -> str:
    """A valid resident ID number (correct check character), unique per n < 1000."""
    from stdnum.cn import ric

    body = f"{area}{born}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def row(n: int = 1, **overrides) -> dict[str, str]:
    """One valid row for the county agency of the personas (大邑县)."""
    data = {
        "title": f"独居老人助餐与探访{n}",
        "summary": "高龄独居老人，行动不便，需要每日助餐和每周两次上门探访，为期三个月。",
        "category": "elderly_care",
        "kind": "service",
        "urgency": "routine",
        "region": "510129001",
        "budget": "3600",
        "duration_days": "90",
        "qualifications": "持证社工",
        "people_count": "1",
        "scope": "region",
        "gap_reason": "service_not_cash",
        "gap_note": "",
        "name": f"王{'一二三四五六七八九十'[(n - 1) % 10]}梅",
        "id_number": resident_id(n),
        "phone": "13912345678",
        "address": "大邑县晋原街道某某路12号",
        "is_minor": "否",
        "has_disability": "否",
        "elderly_alone": "是",
        "severe_illness": "否",
        "household": "配偶:81",
        **{c.key: "not_eligible" for c in COLUMNS if c.key.startswith("scheme_")},
    }
    data.update(overrides)
    return data


def rows(count: int, **overrides) -> list[dict[str, str]]:
    return [row(n, **overrides) for n in range(1, count + 1)]


def header(style: str = "bilingual") -> list[str]:
    pick = {"bilingual": lambda c: c.header, "zh": lambda c: c.zh, "en": lambda c: c.en, "key": lambda c: c.key}
    return [pick[style](c) for c in COLUMNS]


def table(data: list[dict], *, style: str = "bilingual", drop: tuple[str, ...] = ()) -> list[list[str]]:
    columns = [c for c in COLUMNS if c.key not in drop]
    names = {c.key: h for c, h in zip(COLUMNS, header(style), strict=True)}
    return [[names[c.key] for c in columns]] + [[r.get(c.key, "") for c in columns] for r in data]


def csv_bytes(data: list[dict], *, encoding: str = "utf-8-sig", **kwargs) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(table(data, **kwargs))
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(data: list[dict], **kwargs) -> bytes:
    """Through openpyxl, which writes a text beginning with "=" as a live formula."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for line in table(data, **kwargs):
        sheet.append(line)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
