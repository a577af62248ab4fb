"""Reading an import file into a header and rows of cells, whatever it was saved as.

CSV in UTF-8 (with or without the byte-order mark Excel writes) or in GBK/GB18030 (what
Excel and WPS save "CSV" as on a Chinese Windows): UTF-8 is tried first, strictly, since
Chinese text in GBK is almost never valid UTF-8; then GB18030, a superset of GBK. XLSX
through openpyxl in read-only mode, streaming, with formulas kept as their text (never
their cached results) so that a formula is seen for what it is.

What cannot be read at all is a ``FileProblem`` with a code and a message for the
person; nothing in the file is then looked at further.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_BYTES = 20 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 100
# An XLSX is a ZIP: its sheets may expand far beyond the upload. A real 20,000-row sheet
# is some tens of megabytes of XML; a "zip bomb" of a few kilobytes can expand to gigabytes.
MAX_XLSX_EXPANDED_BYTES = 300 * 1024 * 1024
MAX_XLSX_ENTRIES = 2000

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls, .doc and other pre-2007 Office files


class FileProblem(Exception):
    """The file as a whole cannot be read; ``code`` says why (tests use it)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Table:
    file_format: str  # "csv" or "xlsx"
    encoding: str  # "utf-8", "gb18030" or "" for XLSX
    headers: list[str]
    # (the row's number as the spreadsheet shows it, the cells); blank rows are left out.
    rows: list[tuple[int, list]] = field(default_factory=list)


def detect_format(data: bytes, name: str) -> str:
    if data.startswith(XLSX_MAGIC):
        return "xlsx"
    if data.startswith(OLE_MAGIC):
        raise FileProblem("old_excel", _("This is an old Excel file (.xls). Save it as .xlsx or as CSV UTF-8."))
    if name.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem("corrupt", _("The file is named .xlsx but is not an Excel workbook."))
    return "csv"


def read_table(data: bytes, *, name: str) -> Table:
    """The header and the non-blank rows of ``data``; raises FileProblem."""
    if not data:
        raise FileProblem("empty", _("The file is empty."))
    if len(data) > MAX_BYTES:
        raise FileProblem("too_large", _("The file is larger than %(mb)d MB.") % {"mb": MAX_BYTES // 2**20})
    if detect_format(data, name) == "xlsx":
        return _read_xlsx(data)
    return _read_csv(data)


# --- CSV ------------------------------------------------------------------------------


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding name) for UTF-8 with or without BOM, or GBK/GB18030."""
    wrong = _("The file's text encoding could not be read. Save it as “CSV UTF-8” (or CSV in GBK) and upload it again.")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in data[:4096]:
        # Excel's "Unicode text" is UTF-16; no CSV reader of ours can take it.
        raise FileProblem("encoding", wrong)
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8) :].decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            raise FileProblem("encoding", wrong) from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise FileProblem("encoding", wrong) from exc
    # GB18030 maps nearly every byte pair to something; text in a third encoding
    # (Big5, Latin-1) mostly lands in its user-defined areas, which no real data uses.
    if any("\ue000" <= ch <= "\uf8ff" for ch in text):
        raise FileProblem("encoding", wrong)
    return text, "gb18030"


def _read_csv(data: bytes) -> Table:
    text, encoding = decode_text(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader, None)
        if headers is None:
            raise FileProblem("empty", _("The file is empty."))
        table = Table("csv", encoding, headers[:MAX_COLUMNS])
        for number, cells in enumerate(reader, start=2):
            if _blank(cells):
                continue
            if len(table.rows) >= MAX_ROWS:
                raise _too_many_rows()
            table.rows.append((number, cells[:MAX_COLUMNS]))
    except csv.Error as exc:
        raise FileProblem("corrupt", _("The CSV file could not be read: %(error)s") % {"error": exc}) from exc
    return table


# --- XLSX -----------------------------------------------------------------------------


def _read_xlsx(data: bytes) -> Table:
    from openpyxl import load_workbook

    buffer = io.BytesIO(data)
    corrupt = _("The Excel workbook could not be read. Save it again as .xlsx and upload it again.")
    try:
        with zipfile.ZipFile(buffer) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_XLSX_ENTRIES or sum(e.file_size for e in entries) > MAX_XLSX_EXPANDED_BYTES:
                raise FileProblem("too_large", _("The workbook expands to more than this import accepts."))
    except zipfile.BadZipFile as exc:
        raise FileProblem("corrupt", corrupt) from exc
    buffer.seek(0)
    try:
        # data_only=False: a formula comes back as its text ("=HYPERLINK(...)"), which the
        # checks refuse; its cached result would hide it.
        workbook = load_workbook(buffer, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise FileProblem("corrupt", corrupt) from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        header = next(rows, None)
        if header is None or _blank(header):
            raise FileProblem("empty", _("The first sheet has no header row."))
        # Trailing empty header cells are formatting, not columns.
        headers = [("" if h is None else str(h)) for h in header]
        while headers and not headers[-1].strip():
            headers.pop()
        table = Table("xlsx", "", headers)
        for number, cells in enumerate(rows, start=2):
            if _blank(cells):
                continue
            if len(table.rows) >= MAX_ROWS:
                raise _too_many_rows()
            table.rows.append((number, list(cells)))
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem("corrupt", corrupt) from exc
    finally:
        workbook.close()
    return table


def _blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _too_many_rows() -> FileProblem:
    return FileProblem(
        "too_many_rows",
        _("The file has more than %(max)s rows. Split it into files of at most %(max)s rows.") % {"max": MAX_ROWS},
    )
