"""Reading import files: CSV in UTF-8 (with or without BOM) or GBK, XLSX; what cannot be
read at all is one clear message for the whole file."""

from __future__ import annotations

import codecs
import io
import zipfile

import pytest

from imports import parsing
from imports.parsing import FileProblem, read_table
from tests.imports.files import csv_bytes, header, rows, xlsx_bytes


@pytest.mark.parametrize(("encoding", "detected"), [("utf-8-sig", "utf-8"), ("utf-8", "utf-8"), ("gbk", "gb18030")])
def test_csv_in_utf8_with_or_without_bom_and_in_gbk(encoding, detected):
    table = read_table(csv_bytes(rows(2), encoding=encoding), name="needs.csv")
    assert (table.file_format, table.encoding) == ("csv", detected)
    assert table.headers == header()
    assert [n for n, _cells in table.rows] == [2, 3]
    assert table.rows[0][1][0] == "独居老人助餐与探访1"


def test_xlsx_is_read_from_its_first_sheet_with_formulas_as_text():
    data = xlsx_bytes(rows(1, title='=HYPERLINK("http://x","y")'))
    table = read_table(data, name="needs.xlsx")
    assert table.file_format == "xlsx"
    assert table.rows[0][1][0] == '=HYPERLINK("http://x","y")'


def test_blank_rows_are_skipped_but_keep_the_numbering():
    data = csv_bytes(rows(1)) + b",,,\r\n\r\n" + csv_bytes(rows(1))[len(codecs.BOM_UTF8) :].split(b"\r\n", 1)[1]
    table = read_table(data, name="needs.csv")
    assert [n for n, _cells in table.rows] == [2, 5]


@pytest.mark.parametrize(
    ("data", "name", "code"),
    [
        (b"", "a.csv", "empty"),
        ("标题 / Title\r\n".encode("utf-16"), "a.csv", "encoding"),
        (b"\xff\xfe\x00T", "a.csv", "encoding"),
        ("标题,摘要\r\ncafé\xff".encode("latin-1", "replace") + b"\x80", "a.csv", "encoding"),
        (parsing.OLE_MAGIC + b"\x00" * 100, "a.xls", "old_excel"),
        (b"not a workbook", "a.xlsx", "corrupt"),
        (b"PK\x03\x04broken zip", "a.xlsx", "corrupt"),
    ],
)
def test_what_cannot_be_read_is_one_clear_file_problem(data, name, code):
    with pytest.raises(FileProblem) as caught:
        read_table(data, name=name)
    assert caught.value.code == code
    assert caught.value.message


def test_a_zip_that_would_expand_beyond_the_limit_is_refused(monkeypatch):
    monkeypatch.setattr(parsing, "MAX_XLSX_EXPANDED_BYTES", 1000)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", "0" * 100_000)
    with pytest.raises(FileProblem) as caught:
        read_table(buffer.getvalue(), name="bomb.xlsx")
    assert caught.value.code == "too_large"


@pytest.mark.parametrize("make", [csv_bytes, xlsx_bytes])
def test_more_rows_than_the_limit_is_refused_as_a_whole(monkeypatch, make):
    monkeypatch.setattr(parsing, "MAX_ROWS", 3)
    assert len(read_table(make(rows(3)), name="a.xlsx" if make is xlsx_bytes else "a.csv").rows) == 3
    with pytest.raises(FileProblem) as caught:
        read_table(make(rows(4)), name="a.xlsx" if make is xlsx_bytes else "a.csv")
    assert caught.value.code == "too_many_rows"


def test_the_import_template_uses_the_forms_words_for_codes():
    """Issue 20, item 6: the template said insufficient（已享受但不足）and 较急/一般 where the
    form says 符合条件但不足 and 加急/常规."""
    from django.utils import translation

    from imports.columns import COLUMNS
    from needs.models import SchemeAnswer, Urgency

    helps = {c.key: c.help for c in COLUMNS}
    with translation.override("zh-hans"):
        urgency, scheme = str(helps["urgency"]), str(helps["scheme_dibao"])
        for value, label in Urgency.choices:
            assert f"{value} = {label}" in urgency
        for value, label in SchemeAnswer.choices:
            assert f"{value} = {label}" in scheme
    assert "符合条件但不足" in scheme and "加急" in urgency and "常规" in urgency
    assert "已享受但不足" not in scheme and "较急" not in urgency and "一般" not in urgency
