"""PDFs with active content, and clean ones with the harmless features near them, built in
code with pypdf so that no binary fixture is committed.

pypdf writes neither object streams nor names with ``#xx`` escapes, so the two files that
need them are assembled byte by byte (``assemble``) with a correct cross-reference.
"""

from __future__ import annotations

import io
import struct

from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.annotations import Link
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

SCRIPT = "app.alert('pwned')"


def _name(value: str) -> NameObject:
    return NameObject(value)


def _writer() -> PdfWriter:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    return writer


def _bytes(writer: PdfWriter) -> bytes:
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _action(kind: str, **entries) -> DictionaryObject:
    action = DictionaryObject({_name("/Type"): _name("/Action"), _name("/S"): _name(kind)})
    for key, value in entries.items():
        action[_name(f"/{key}")] = TextStringObject(value)
    return action


def _annotate(writer: PdfWriter, **entries) -> DictionaryObject:
    """A link annotation on the first page, with ``entries`` added to it."""
    link = Link(rect=(50, 50, 200, 80), url="https://www.mca.gov.cn/")
    annotation = writer.add_annotation(0, link).get_object()
    for key, value in entries.items():
        annotation[_name(f"/{key}")] = value
    return annotation


# Hostile ------------------------------------------------------------------------------


def document_javascript() -> bytes:
    """A script in the catalogue's /Names /JavaScript tree, run when the file opens."""
    writer = _writer()
    writer.add_open_action(JavaScript(SCRIPT))
    return _bytes(writer)


def open_action(kind: str = "/JavaScript") -> bytes:
    writer = _writer()
    entries = {"JS": SCRIPT} if kind == "/JavaScript" else {"F": "cmd.exe"}
    writer._root_object[_name("/OpenAction")] = writer._add_object(_action(kind, **entries))
    return _bytes(writer)


def catalogue_additional_actions() -> bytes:
    """/AA on the catalogue: a script before the document closes (/WC)."""
    writer = _writer()
    writer._root_object[_name("/AA")] = DictionaryObject({_name("/WC"): _action("/JavaScript", JS=SCRIPT)})
    return _bytes(writer)


def page_additional_actions() -> bytes:
    """/AA on a page: a script when the page opens (/O)."""
    writer = _writer()
    writer.pages[0][_name("/AA")] = DictionaryObject({_name("/O"): _action("/JavaScript", JS=SCRIPT)})
    return _bytes(writer)


def annotation_javascript() -> bytes:
    """A link whose action (/A) is a script rather than its address, the action an
    indirect object of its own."""
    writer = _writer()
    _annotate(writer, A=writer._add_object(_action("/JavaScript", JS=SCRIPT)))
    return _bytes(writer)


def annotation_launch() -> bytes:
    writer = _writer()
    _annotate(writer, A=_action("/Launch", F="C:\\Windows\\System32\\calc.exe"))
    return _bytes(writer)


def form_field_additional_actions() -> bytes:
    """A text field whose keystroke action (/AA /K) is a script."""
    writer = _writer()
    field = _annotate(
        writer,
        Subtype=_name("/Widget"),
        FT=_name("/Tx"),
        T=TextStringObject("amount"),
        AA=DictionaryObject({_name("/K"): _action("/JavaScript", JS=SCRIPT)}),
    )
    del field["/A"]
    writer._root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject([field.indirect_reference])}
    )
    return _bytes(writer)


def embedded_file() -> bytes:
    writer = _writer()
    writer.add_attachment("invoice.exe", b"MZ\x90\x00 a program")
    return _bytes(writer)


def file_attachment_annotation() -> bytes:
    """A paper-clip annotation on the page, its file specification without /EF."""
    writer = _writer()
    filespec = DictionaryObject({_name("/Type"): _name("/Filespec"), _name("/F"): TextStringObject("payload.exe")})
    annotation = _annotate(writer, Subtype=_name("/FileAttachment"), FS=filespec)
    del annotation["/A"]
    return _bytes(writer)


def xfa_form() -> bytes:
    writer = _writer()
    writer._root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject(), _name("/XFA"): TextStringObject("<xdp:xdp/>")}
    )
    return _bytes(writer)


def encrypted(*, user_password: str, with_script: bool = False) -> bytes:
    writer = _writer()
    if with_script:
        writer.add_open_action(JavaScript(SCRIPT))
    writer.encrypt(user_password, "owner-secret", algorithm="AES-256")
    return _bytes(writer)


def assemble(objects: list[bytes], *, root: int = 1) -> bytes:
    """A PDF of these object bodies (numbered from 1) with a classic cross-reference table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, root, xref)
    return bytes(out)


_PAGE_TREE = [
    b"<< /Type /Catalog /Pages 2 0 R >>",
    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
]


def obfuscated_names() -> bytes:
    """``/S /J#61vaScript`` and ``/J#53``: the same names to a reader, not to a byte search."""
    return assemble(
        [
            *_PAGE_TREE,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
            b"<< /Type /Annot /Subtype /Link /Rect [50 50 200 80] /A 5 0 R >>",
            b"<< /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        ]
    )


def orphan_javascript() -> bytes:
    """A script action no page refers to: listed in the cross-reference, reachable by none."""
    return assemble(
        [
            *_PAGE_TREE,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
        ]
    )


def javascript_in_object_stream() -> bytes:
    """Every object but the stream inside an object stream (PDF 1.5), found through a
    cross-reference stream: the script is in no plain ``obj`` of the file."""
    inside = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
        4: b"<< /Type /Annot /Subtype /Link /Rect [50 50 200 80] /A 5 0 R >>",
        5: b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>",
    }
    header = b""
    body = b""
    for number, text in inside.items():
        header += b"%d %d " % (number, len(body))
        body += text + b"\n"
    data = header + body
    stream_number, xref_number = 6, 7
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    stream_offset = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        stream_number,
        len(inside),
        len(header),
        len(data),
        data,
    )
    xref_offset = len(out)
    rows = [struct.pack(">BIH", 0, 0, 65535)]
    rows += [struct.pack(">BIH", 2, stream_number, index) for index in range(len(inside))]
    rows += [struct.pack(">BIH", 1, stream_offset, 0), struct.pack(">BIH", 1, xref_offset, 0)]
    table = b"".join(rows)
    out += (
        b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n%s\nendstream\nendobj\n"
        % (xref_number, xref_number + 1, len(table), table)
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref_offset
    return bytes(out)


def page_tree_cycle() -> bytes:
    """A page tree whose node lists itself as a kid: a naive reader loops for ever."""
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def deep_nesting(depth: int = 50_000) -> bytes:
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Deep " + b"[" * depth + b"]" * depth + b" >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def garbage_between_header_and_end() -> bytes:
    return b"%PDF-1.4\n" + bytes(range(256)) * 8 + b"\n%%EOF\n"


# Clean --------------------------------------------------------------------------------


def reference_cycles() -> bytes:
    """Clean, with objects that refer to each other and to themselves outside the page tree."""
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R /Outlines 4 0 R /Self 1 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
            b"<< /Type /Outlines /First 5 0 R /Last 5 0 R /Count 1 >>",
            b"<< /Title (Section 1) /Parent 4 0 R /Dest [3 0 R /Fit] /Next 5 0 R >>",
        ]
    )


def links_and_open_at_first_page() -> bytes:
    """A web link, and an /OpenAction that is a destination (open at page 1, fit the page)."""
    writer = _writer()
    _annotate(writer)
    writer._root_object[_name("/OpenAction")] = ArrayObject([writer.pages[0].indirect_reference, _name("/Fit")])
    return _bytes(writer)


def fillable_form() -> bytes:
    """An AcroForm text field with no actions: an ordinary application form."""
    writer = _writer()
    field = _annotate(writer, Subtype=_name("/Widget"), FT=_name("/Tx"), T=TextStringObject("name"))
    del field["/A"]
    writer._root_object[_name("/AcroForm")] = DictionaryObject(
        {_name("/Fields"): ArrayObject([field.indirect_reference]), _name("/NeedAppearances"): NumberObject(1)}
    )
    return _bytes(writer)


def no_password_to_open() -> bytes:
    """Encrypted with an owner password only ("no printing"): opens without a password."""
    return encrypted(user_password="")
