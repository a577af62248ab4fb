"""Good and bad vetting documents, built in code so that no binary fixture is committed.

Each case is what an organisation might send: the name as the client gave it, the bytes,
and the refusal code ``check_upload`` must give (None when the file is accepted), with a
fragment the English message must contain so a person learns what went wrong.
"""

from __future__ import annotations

import io
import mimetypes
import random
import struct
import zipfile
import zlib
from functools import cache
from typing import NamedTuple

from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from PIL import Image

from tests.vetting import hostile_pdfs
from vetting.uploads import MAX_UPLOAD_BYTES


class Case(NamedTuple):
    case_id: str
    name: str
    content: bytes
    code: str | None
    message: str = ""  # a fragment of the English message
    declared_size: int | None = None  # what the client claims, when it is not the truth


class RawNameUpload(SimpleUploadedFile):
    """An upload that keeps its name exactly as sent.

    Django's multipart parser and ``UploadedFile`` cut directories off names; check_upload
    must hold on its own, for a file that reaches it by another road (an import command, a
    future API), so the corpus goes around that sanitising.
    """

    def _set_name(self, name):
        self._name = name

    name = property(UploadedFile._get_name, _set_name)


def upload(case: Case) -> RawNameUpload:
    # Browsers declare a type from the name; check_upload must not believe it.
    declared_type = mimetypes.guess_type(case.name)[0] or "application/octet-stream"
    file = RawNameUpload(case.name, case.content, content_type=declared_type)
    if case.declared_size is not None:
        file.size = case.declared_size
    return file


# Builders -------------------------------------------------------------------------------


@cache
def minimal_pdf() -> bytes:
    """A real one-page PDF with a correct cross-reference table."""
    text = b"BT /F1 12 Tf 20 50 Td (Registration certificate) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(text), text),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    return hostile_pdfs.assemble(objects)


def _image(format: str, *, size: tuple[int, int] = (64, 48), noise: bool = False) -> bytes:
    if noise:
        # Noise does not compress: the scan data is most of the file, so a cut lands in it.
        pixels = random.Random(0).randbytes(size[0] * size[1] * 3)
        image = Image.frombytes("RGB", size, pixels)
    else:
        image = Image.linear_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format)
    return buffer.getvalue()


@cache
def jpeg() -> bytes:
    return _image("JPEG")


@cache
def png() -> bytes:
    return _image("PNG")


def gif() -> bytes:
    return _image("GIF")


def truncated_jpeg() -> bytes:
    data = _image("JPEG", noise=True)
    return data[: len(data) // 2]


def truncated_png() -> bytes:
    data = png()
    return data[: len(data) - 30]


def png_with_bad_checksum() -> bytes:
    data = bytearray(png())
    idat = data.index(b"IDAT")
    data[idat + 6] ^= 0xFF  # a byte of image data; its chunk's CRC no longer matches
    return bytes(data)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_bomb() -> bytes:
    """A few hundred bytes whose header promises 20 000 × 20 000 pixels."""
    header = struct.pack(">IIBBBBB", 20_000, 20_000, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(bytes(20_001 * 4)))
        + _png_chunk(b"IEND", b"")
    )


def zip_archive(entries: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in (entries or {"payload.txt": b"not a document\n" * 20}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def word_document() -> bytes:
    return zip_archive({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


@cache
def oversized() -> bytes:
    return b"%PDF-1.4\n" + bytes(MAX_UPLOAD_BYTES + 1 - 9)


def windows_program() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + bytes(112) + b"PE\x00\x00"


def linux_program() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + bytes(56)


HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>\n'


# The corpus -----------------------------------------------------------------------------


def good_cases() -> list[Case]:
    return [
        Case("pdf", "registration-certificate.pdf", minimal_pdf(), None),
        Case("pdf-upper-case-extension", "ANNUAL-REPORT.PDF", minimal_pdf(), None),
        Case("jpeg", "bank-proof.jpg", jpeg(), None),
        Case("jpeg-long-extension", "bank-proof.jpeg", jpeg(), None),
        Case("png", "board-minutes.png", png(), None),
        Case("chinese-name", "登记证书.pdf", minimal_pdf(), None),
        Case("chinese-name-image", "银行开户证明.jpg", jpeg(), None),
        Case("no-extension", "营业执照", png(), None),
        Case("blank-around-name", "  annual report 2024.pdf  ", minimal_pdf(), None),
        Case("decomposed-accent", "Cafe\u0301 accounts.pdf", minimal_pdf(), None),
        Case("dots-in-name", "report v1.2 final.pdf", minimal_pdf(), None),
        Case("name-of-200-characters", "报" * 196 + ".pdf", minimal_pdf(), None),
        # Near active content, and harmless
        Case("pdf-web-link-and-open-at-page-1", "annual-report.pdf", hostile_pdfs.links_and_open_at_first_page(), None),
        Case("pdf-fillable-form", "application-form.pdf", hostile_pdfs.fillable_form(), None),
        Case("pdf-owner-password-only", "bank-proof.pdf", hostile_pdfs.no_password_to_open(), None),
        Case("pdf-reference-cycles", "minutes.pdf", hostile_pdfs.reference_cycles(), None),
    ]


def bad_cases() -> list[Case]:
    pdf = minimal_pdf()
    return [
        # Size
        Case("empty", "empty.pdf", b"", "empty", "The file is empty."),
        Case("over-20-mb", "huge.pdf", oversized(), "too_large", "larger than 20 MB"),
        Case("over-20-mb-size-lies", "huge.pdf", oversized(), "too_large", "larger than 20 MB", declared_size=1024),
        Case(
            "declared-over-20-mb",
            "report.pdf",
            pdf,
            "too_large",
            "larger than 20 MB",
            declared_size=MAX_UPLOAD_BYTES + 1,
        ),
        Case("png-decompression-bomb", "scan.png", png_bomb(), "too_large", "million pixels"),
        # What the content is
        Case("zip-named-pdf", "report.pdf", zip_archive(), "not_allowed", "this file is a ZIP archive"),
        Case("word-named-pdf", "report.pdf", word_document(), "not_allowed", "this file is a Word document"),
        Case("html-named-png", "photo.png", HTML, "not_allowed", "this file is an HTML page"),
        Case("svg-named-png", "logo.png", SVG, "not_allowed", "this file is an SVG image"),
        Case("exe-named-jpg", "photo.jpg", windows_program(), "not_allowed", "this file is a Windows program"),
        Case("elf-named-pdf", "report.pdf", linux_program(), "not_allowed", "this file is a Linux program"),
        Case("gif-named-jpg", "photo.jpg", gif(), "not_allowed", "this file is a GIF image"),
        Case("text-named-pdf", "report.pdf", b"Annual report 2024\n", "not_allowed", "a plain text file"),
        Case("unknown-binary", "data.pdf", bytes(range(256)), "not_allowed", "was not recognised"),
        # What the name says
        Case("png-named-pdf", "certificate.pdf", png(), "mismatch", "The file name says PDF but the content is a PNG"),
        Case("jpeg-named-png", "bank-proof.png", jpeg(), "mismatch", "says PNG but the content is a JPEG image"),
        Case("pdf-named-exe", "report.exe", pdf, "mismatch", "says .exe but the content is a PDF document"),
        # Structure
        Case("zip-behind-pdf-header", "report.pdf", b"%PDF-1.4\n" + zip_archive(), "corrupt", "contains a ZIP archive"),
        Case("zip-after-pdf", "report.pdf", pdf + zip_archive(), "corrupt", "contains a ZIP archive"),
        Case("pdf-without-end", "report.pdf", pdf[: pdf.rindex(b"%%EOF")], "corrupt", "PDF file is damaged"),
        Case("pdf-bad-header", "report.pdf", b"%PDF-x" + pdf[6:], "corrupt", "PDF file is damaged"),
        Case("jpeg-truncated", "photo.jpg", truncated_jpeg(), "corrupt", "JPEG file is damaged or incomplete"),
        Case("png-truncated", "scan.png", truncated_png(), "corrupt", "PNG file is damaged or incomplete"),
        Case("png-bad-checksum", "scan.png", png_with_bad_checksum(), "corrupt", "PNG file is damaged"),
        Case("pdf-page-tree-cycle", "report.pdf", hostile_pdfs.page_tree_cycle(), "corrupt", "PDF file is damaged"),
        Case("pdf-nested-50000-deep", "report.pdf", hostile_pdfs.deep_nesting(), "corrupt", "PDF file is damaged"),
        Case("pdf-garbage-body", "report.pdf", hostile_pdfs.garbage_between_header_and_end(), "corrupt", "damaged"),
        # Active content in a PDF
        *_active_content_cases(),
        # The name
        Case("name-parent-traversal", "../../etc/passwd.pdf", pdf, "bad_name", "must not contain “/”"),
        Case("name-slash", "a/b.pdf", pdf, "bad_name", "must not contain “/”"),
        Case("name-backslash", "a\\b.pdf", pdf, "bad_name", "must not contain “/” or “\\”"),
        Case("name-nul", "bad\x00name.pdf", pdf, "bad_name", "control or invisible characters"),
        Case("name-newline", "bad\nname.pdf", pdf, "bad_name", "control or invisible characters"),
        Case("name-trailing-newline", "report.pdf\n", pdf, "bad_name", "control or invisible characters"),
        Case("name-right-to-left-override", "invoice\u202efdp.exe", pdf, "bad_name", "control or invisible"),
        Case("name-zero-width-space", "report\u200b.pdf", pdf, "bad_name", "control or invisible characters"),
        Case("name-300-characters", "a" * 296 + ".pdf", pdf, "bad_name", "at most 200 characters"),
        Case("name-blank", "   ", pdf, "bad_name", "The file has no name."),
        Case("name-dot-dot", "..", pdf, "bad_name", "is not a file name"),
    ]


def _active_content_cases() -> list[Case]:
    h = hostile_pdfs
    script = "The PDF contains JavaScript, which a PDF reader would run."
    actions = "The PDF runs actions when a page, link or form field is opened or used."
    attached = "The PDF has other files attached inside it."
    on_open = "The PDF runs an action when it is opened."
    cases = [
        ("pdf-document-javascript", h.document_javascript(), "active_content", script),
        ("pdf-open-action-javascript", h.open_action(), "active_content", on_open),
        ("pdf-open-action-launch", h.open_action("/Launch"), "active_content", on_open),
        ("pdf-catalogue-additional-actions", h.catalogue_additional_actions(), "active_content", actions),
        ("pdf-page-additional-actions", h.page_additional_actions(), "active_content", actions),
        ("pdf-form-field-additional-actions", h.form_field_additional_actions(), "active_content", actions),
        ("pdf-link-runs-javascript", h.annotation_javascript(), "active_content", script),
        ("pdf-link-launches-a-program", h.annotation_launch(), "active_content", "can start a program"),
        ("pdf-embedded-file", h.embedded_file(), "active_content", attached),
        ("pdf-file-attachment-annotation", h.file_attachment_annotation(), "active_content", attached),
        ("pdf-xfa-form", h.xfa_form(), "active_content", "The PDF contains an XFA form."),
        ("pdf-escaped-names", h.obfuscated_names(), "active_content", script),
        ("pdf-unreferenced-javascript", h.orphan_javascript(), "active_content", script),
        ("pdf-javascript-in-object-stream", h.javascript_in_object_stream(), "active_content", script),
        ("pdf-needs-a-password", h.encrypted(user_password="1234"), "encrypted", "protected by a password"),
        ("pdf-no-password-but-javascript", h.encrypted(user_password="", with_script=True), "active_content", script),
    ]
    return [Case(case_id, "report.pdf", content, code, message) for case_id, content, code, message in cases]


def all_cases() -> list[Case]:
    return good_cases() + bad_cases()
