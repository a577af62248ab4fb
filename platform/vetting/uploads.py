"""Checks on a vetting document before anything is stored.

An organisation uploads its registration certificate, annual report, bank proof and the
like. What the file *is* is decided by its content, never by its name or by the content
type the browser declared: both are chosen by the sender. Only PDF, JPEG and PNG pass, at
most 20 MB, and each must be structurally whole. The name the person chose is kept for
display only; the model stores the file outside any served folder under a generated name
whose extension comes from the content (``CheckedUpload.extension``).

A PDF is also parsed and refused when it has active content (JavaScript, actions run on
opening or on use, a launch, embedded files, XFA) or needs a password: see ``vetting.pdf_scan``.
Every upload of the platform comes through here, so passing ``check_upload`` is what lets a
PDF be previewed inline (``Document.scan``).

Every refusal is an ``UploadRejected`` (a ``ValidationError``) with one of these codes:
``empty``, ``too_large``, ``bad_name``, ``not_allowed``, ``mismatch``, ``corrupt``,
``active_content``, ``encrypted``.
"""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageFile

from core.types import StrOrPromise
from vetting.pdf_scan import Finding, pdf_scan

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# A 600 dpi scan of an A3 page is about 70 million pixels; beyond this an image is far
# more likely a decompression bomb (a few kilobytes that decode to gigabytes) than a document.
MAX_IMAGE_PIXELS = 80_000_000
MAX_NAME_LENGTH = 200

ALLOWED_TYPES: dict[str, str] = {
    "application/pdf": ".pdf",
    "image/jpeg": ".jpg",
    "image/png": ".png",
}
# For the file picker only: it narrows what the browser offers, it decides nothing.
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"

# Enough for every signature below and for the names of the first entries of a ZIP archive.
HEAD_BYTES = 4096
# ISO 32000 puts %%EOF in the last 1024 bytes; readers tolerate a little trailing junk.
PDF_TAIL_BYTES = 2048
# An archive's local header this close to "%PDF-" is an archive with a PDF prefix glued on.
PDF_PREFIX_BYTES = 1024

ZIP_LOCAL_HEADER = b"PK\x03\x04"
ZIP_END_OF_DIRECTORY = b"PK\x05\x06"

UPLOAD_CODES = (
    "empty",
    "too_large",
    "bad_name",
    "not_allowed",
    "mismatch",
    "corrupt",
    "active_content",
    "encrypted",
)

FORMAT_NAMES = {"application/pdf": "PDF", "image/jpeg": "JPEG", "image/png": "PNG"}

# What a refused file actually is, for the message; keys are the types sniff_content_type names.
DESCRIPTIONS = {
    "application/pdf": _("a PDF document"),
    "image/jpeg": _("a JPEG image"),
    "image/png": _("a PNG image"),
    "image/gif": _("a GIF image"),
    "image/tiff": _("a TIFF image"),
    "image/bmp": _("a BMP image"),
    "image/webp": _("a WebP image"),
    "image/heic": _("an HEIC photo"),
    "image/svg+xml": _("an SVG image"),
    "video/mp4": _("a video"),
    "application/zip": _("a ZIP archive"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": _("a Word document"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": _("an Excel workbook"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": _("a PowerPoint presentation"),
    "application/x-ole-storage": _("an older Office document (.doc, .xls or .ppt)"),
    "application/vnd.rar": _("a RAR archive"),
    "application/x-7z-compressed": _("a 7-Zip archive"),
    "application/gzip": _("a gzip archive"),
    "application/x-msdownload": _("a Windows program"),
    "application/x-executable": _("a Linux program"),
    "application/x-mach-binary": _("a macOS program"),
    "text/html": _("an HTML page"),
    "application/xml": _("an XML document"),
    "application/x-php": _("a PHP script"),
    "text/x-script": _("a script"),
    "text/plain": _("a plain text file"),
}

MESSAGES = {
    "empty": _("The file is empty."),
    "too_large": _("The file is larger than %(limit)s MB."),
    "too_many_pixels": _("The image is too large: at most %(limit)s million pixels."),
    "no_name": _("The file has no name."),
    "separator": _("The file name must not contain “/” or “\\”."),
    "control": _("The file name contains control or invisible characters."),
    "dots": _("“%(name)s” is not a file name."),
    "long_name": _("The file name is too long: at most %(limit)s characters."),
    "not_allowed": _("Only PDF, JPEG and PNG files are accepted; this file is %(actual)s."),
    "unknown": _("Only PDF, JPEG and PNG files are accepted; the type of this file was not recognised."),
    "mismatch": _("The file name says %(claimed)s but the content is %(actual)s. Check that you chose the right file."),
    "corrupt": _("The %(format)s file is damaged or incomplete. Save or export it again and upload the new file."),
    "archive_in_pdf": _("The file starts like a PDF but contains a ZIP archive."),
}

# What the PDF scan found, and the code of the refusal. Printing to a new PDF ("Microsoft
# Print to PDF", "Save as PDF") keeps the pages and drops scripts, attachments and forms.
PDF_FINDINGS: dict[Finding, tuple[str, StrOrPromise]] = {
    Finding.JAVASCRIPT: (
        "active_content",
        _("The PDF contains JavaScript, which a PDF reader would run. Print it to a new PDF and upload that file."),
    ),
    Finding.OPEN_ACTION: (
        "active_content",
        _("The PDF runs an action when it is opened. Print it to a new PDF and upload that file."),
    ),
    Finding.ADDITIONAL_ACTIONS: (
        "active_content",
        _(
            "The PDF runs actions when a page, link or form field is opened or used. "
            "Print it to a new PDF and upload that file."
        ),
    ),
    Finding.LAUNCH: (
        "active_content",
        _("The PDF can start a program or open another file. Print it to a new PDF and upload that file."),
    ),
    Finding.EMBEDDED_FILE: (
        "active_content",
        _(
            "The PDF has other files attached inside it. Upload each document as its own file, "
            "or print the PDF to a new one without attachments."
        ),
    ),
    Finding.XFA: (
        "active_content",
        _("The PDF contains an XFA form. Print it to a new PDF and upload that file."),
    ),
    Finding.ENCRYPTED: (
        "encrypted",
        _("The PDF is protected by a password, so it cannot be checked. Remove the password and upload it again."),
    ),
    Finding.TOO_COMPLEX: (
        "too_large",
        _("The PDF is too complex to check. Print it to a new PDF and upload that file."),
    ),
    Finding.UNREADABLE: ("corrupt", MESSAGES["corrupt"]),
}

# Fixed signatures at offset 0, most specific first.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (ZIP_LOCAL_HEADER, "application/zip"),
    (ZIP_END_OF_DIRECTORY, "application/zip"),  # an empty archive
    (b"PK\x07\x08", "application/zip"),  # a spanned archive
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
    (b"Rar!\x1a\x07", "application/vnd.rar"),
    (b"7z\xbc\xaf\x27\x1c", "application/x-7z-compressed"),
    (b"\x1f\x8b", "application/gzip"),
    (b"\x7fELF", "application/x-executable"),
    (b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (b"MZ", "application/x-msdownload"),
)
# The first entries of an Office Open XML archive name the kind of document.
_OFFICE_PARTS: tuple[tuple[bytes, str], ...] = (
    (b"word/", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (b"xl/", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    (b"ppt/", "application/vnd.openxmlformats-officedocument.presentationml.presentation"),
)
# ISO base media brands of HEIF stills, as iPhones save photos.
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"hevm", b"hevs", b"mif1", b"msf1"}
# Markup and scripts a browser or a shell would act on, after a BOM and leading blanks.
_TEXT_PREFIXES: tuple[tuple[bytes, str], ...] = (
    (b"<!doctype html", "text/html"),
    (b"<html", "text/html"),
    (b"<head", "text/html"),
    (b"<body", "text/html"),
    (b"<script", "text/html"),
    (b"<iframe", "text/html"),
    (b"<svg", "image/svg+xml"),
    (b"<?php", "application/x-php"),
    (b"<?xml", "application/xml"),
    (b"#!", "text/x-script"),
)
_PDF_HEADER = re.compile(rb"%PDF-\d\.\d")

# The built-in table only: the host's /etc/mime.types must not change what a name claims.
_NAME_TYPES = mimetypes.MimeTypes().types_map[True]
# Category Cc is C0/C1 controls (NUL, newline…), Cf the invisible format characters
# (U+202E RIGHT-TO-LEFT OVERRIDE makes "invoice\u202efdp.exe" display as "invoiceexe.pdf"),
# Cs lone surrogates, Zl/Zp line and paragraph separators.
_FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}


class UploadRejected(ValidationError):
    """An uploaded document was refused; ``code`` is one of ``UPLOAD_CODES``."""


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    extension: str
    size: int
    sha256: str
    display_name: str


if TYPE_CHECKING:

    class CheckedFile(UploadedFile[bytes]):
        """An upload that DocumentFileField has cleaned: it carries its ``checked``."""

        checked: CheckedUpload


def sniff_content_type(head: bytes) -> str | None:
    """The content type the first bytes of a file show, or None when they show none we know.

    Names more than the accepted types so that a refusal can say what the file is.
    """
    for signature, content_type in _SIGNATURES:
        if head.startswith(signature):
            if content_type == "application/zip":
                return _office_type(head) or content_type
            return content_type
    # "BM" alone would also name a text that starts "BMW…"; the reserved bytes must be zero.
    if head[:2] == b"BM" and head[6:10] == b"\x00\x00\x00\x00":
        return "image/bmp"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        return "image/heic" if head[8:12] in _HEIF_BRANDS else "video/mp4"
    return _text_type(head)


def _office_type(head: bytes) -> str | None:
    for part, content_type in _OFFICE_PARTS:
        if part in head:
            return content_type
    return None


def _text_type(head: bytes) -> str | None:
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip().lower()
    for prefix, content_type in _TEXT_PREFIXES:
        if text.startswith(prefix):
            if content_type == "application/xml" and b"<svg" in text:
                return "image/svg+xml"
            return content_type
    if not head or b"\x00" in head:
        return None
    try:
        # The head may end inside a multi-byte character; a few bytes cut off are still text.
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:
            return None
    return "text/plain"


def safe_display_name(name: str) -> str:
    """The name the uploader chose, fit to show back to people; never used as a path.

    Raises ``UploadRejected`` (code ``bad_name``) for a name with a path separator or a
    control or invisible character, an empty name, ``.``/``..``, or a name over 200 characters.
    """
    if "/" in name or "\\" in name:
        raise UploadRejected(MESSAGES["separator"], code="bad_name")
    if any(unicodedata.category(char) in _FORBIDDEN_CATEGORIES for char in name):
        raise UploadRejected(MESSAGES["control"], code="bad_name")
    display = unicodedata.normalize("NFC", name).strip()
    if not display:
        raise UploadRejected(MESSAGES["no_name"], code="bad_name")
    if display in {".", ".."}:
        raise UploadRejected(MESSAGES["dots"], code="bad_name", params={"name": display})
    if len(display) > MAX_NAME_LENGTH:
        raise UploadRejected(MESSAGES["long_name"], code="bad_name", params={"limit": MAX_NAME_LENGTH})
    return display


def check_upload(file: UploadedFile) -> CheckedUpload:
    """Check an uploaded vetting document and describe it; raises ``UploadRejected``.

    Reads the file once in chunks (hashing as it goes) and once more through Pillow for an
    image or pypdf for a PDF; stores nothing. The file is rewound to its start whether it passes or not.
    """
    too_large = UploadRejected(
        MESSAGES["too_large"], code="too_large", params={"limit": MAX_UPLOAD_BYTES // (1024 * 1024)}
    )
    # The declared size refuses a huge file without reading it; the count below is what counts.
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise too_large
    display_name = safe_display_name(file.name or "")
    try:
        size, sha256, head, tail = _read(file, too_large=too_large)
        if size == 0:
            raise UploadRejected(MESSAGES["empty"], code="empty")
        content_type = sniff_content_type(head)
        if content_type not in ALLOWED_TYPES:
            if content_type is None:
                raise UploadRejected(MESSAGES["unknown"], code="not_allowed")
            raise UploadRejected(
                MESSAGES["not_allowed"], code="not_allowed", params={"actual": DESCRIPTIONS[content_type]}
            )
        _check_name_matches(display_name, content_type=content_type)
        if content_type == "application/pdf":
            _check_pdf(file, head=head, tail=tail)
        else:
            _check_image(file, content_type=content_type)
    finally:
        file.seek(0)
    return CheckedUpload(
        content_type=content_type,
        extension=ALLOWED_TYPES[content_type],
        size=size,
        sha256=sha256,
        display_name=display_name,
    )


def _read(file: UploadedFile, *, too_large: UploadRejected) -> tuple[int, str, bytes, bytes]:
    """Size, SHA-256, first and last bytes; stops as soon as the file passes the limit."""
    digest = hashlib.sha256()
    size = 0
    head = b""
    tail = b""
    for chunk in file.chunks():
        size += len(chunk)
        # A declared size can lie: the bytes actually read decide.
        if size > MAX_UPLOAD_BYTES:
            raise too_large
        digest.update(chunk)
        if len(head) < HEAD_BYTES:
            head += chunk[: HEAD_BYTES - len(head)]
        tail = (tail + chunk)[-PDF_TAIL_BYTES:]
    return size, digest.hexdigest(), head, tail


def _check_name_matches(display_name: str, *, content_type: str) -> None:
    """A name whose extension claims another type is refused.

    A name with no extension, or one the table does not know ("report v1.2"), leaves the
    decision to the content; the stored extension comes from the content either way.
    """
    extension = PurePosixPath(display_name).suffix.lower()
    claimed = _NAME_TYPES.get(extension)
    if claimed is None or claimed == content_type:
        return
    raise UploadRejected(
        MESSAGES["mismatch"],
        code="mismatch",
        params={"claimed": FORMAT_NAMES.get(claimed, extension), "actual": DESCRIPTIONS[content_type]},
    )


def _check_pdf(file: UploadedFile, *, head: bytes, tail: bytes) -> None:
    # An archive behind a PDF header, or after the end of a PDF, makes a file that a
    # PDF reader shows and an unzip tool unpacks: whatever it is, it is not a document.
    if ZIP_LOCAL_HEADER in head[:PDF_PREFIX_BYTES] or ZIP_END_OF_DIRECTORY in tail:
        raise UploadRejected(MESSAGES["archive_in_pdf"], code="corrupt")
    if not _PDF_HEADER.match(head) or b"%%EOF" not in tail:
        raise UploadRejected(MESSAGES["corrupt"], code="corrupt", params={"format": "PDF"})
    finding = pdf_scan(file)
    if finding is not None:
        raise pdf_refusal(finding)


def pdf_refusal(finding: Finding) -> UploadRejected:
    """The refusal a person reads for what ``pdf_scan`` found."""
    code, message = PDF_FINDINGS[finding]
    return UploadRejected(message, code=code, params={"format": "PDF"})


def _check_image(file: UploadedFile, *, content_type: str) -> None:
    pillow_format = FORMAT_NAMES[content_type]
    corrupt = UploadRejected(MESSAGES["corrupt"], code="corrupt", params={"format": pillow_format})
    too_many_pixels = UploadRejected(
        MESSAGES["too_many_pixels"], code="too_large", params={"limit": MAX_IMAGE_PIXELS // 1_000_000}
    )
    # Pillow's switch for decoding truncated images is process-wide, and WeasyPrint turns
    # it on when imported (the contract PDF): a truncated JPEG would then pass as whole.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    file.seek(0)
    try:
        # Only the plugin the content claims: a file cannot steer Pillow into another decoder.
        with Image.open(file, formats=[pillow_format]) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise too_many_pixels
            if content_type == "image/png":
                # Walks every chunk to IEND and checks its CRC.
                image.verify()
            else:
                # verify() does nothing for JPEG; decoding finds a truncated scan. At 1/8
                # scale libjpeg still reads every byte but skips most of the work and memory.
                image.draft(None, (max(1, image.width // 8), max(1, image.height // 8)))
                image.load()
    except UploadRejected:
        raise
    except Image.DecompressionBombError as error:
        # Pillow's own limit (twice its warning threshold) can trip before ours is checked.
        raise too_many_pixels from error
    except Exception as error:
        # Pillow reports a broken file as OSError, SyntaxError, ValueError, struct.error and
        # more; any of them means we cannot vouch for the image.
        raise corrupt from error


class DocumentFileField(forms.FileField):
    """A file field for vetting documents: the cleaned file carries ``.checked``, a ``CheckedUpload``."""

    default_error_messages = {"empty": MESSAGES["empty"]}

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        attrs = super().widget_attrs(widget)
        if "accept" not in widget.attrs:
            attrs["accept"] = ACCEPT
        return attrs

    def clean(self, data, initial=None):
        value = super().clean(data, initial)
        # Only a new upload is checked: an unchanged field hands back the stored file.
        if isinstance(value, UploadedFile):
            value.checked = check_upload(value)
        return value
