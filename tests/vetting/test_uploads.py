"""A vetting document is accepted for what its content is, and refused with a clear reason.

No database: the checks read the upload and store nothing.
"""

from __future__ import annotations

import hashlib

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.vetting import corpus, hostile_pdfs
from vetting import pdf_scan, uploads
from vetting.uploads import (
    ACCEPT,
    MAX_UPLOAD_BYTES,
    UPLOAD_CODES,
    CheckedUpload,
    DocumentFileField,
    UploadRejected,
    check_upload,
    safe_display_name,
    sniff_content_type,
)

GOOD = [pytest.param(case, id=case.case_id) for case in corpus.good_cases()]
BAD = [pytest.param(case, id=case.case_id) for case in corpus.bad_cases()]


class DocumentForm(forms.Form):
    document = DocumentFileField()


class OptionalDocumentForm(forms.Form):
    document = DocumentFileField(required=False)


def english(error: ValidationError) -> str:
    with translation.override("en"):
        return " ".join(error.messages)


# check_upload ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", GOOD)
def test_a_good_file_is_accepted_for_its_content(case):
    file = corpus.upload(case)

    checked = check_upload(file)

    expected_type = sniff_content_type(case.content[:16])
    assert checked == CheckedUpload(
        content_type=expected_type,
        extension=uploads.ALLOWED_TYPES[expected_type],
        size=len(case.content),
        sha256=hashlib.sha256(case.content).hexdigest(),
        display_name=safe_display_name(case.name),
    )
    assert file.tell() == 0
    assert file.read() == case.content


@pytest.mark.parametrize("case", BAD)
def test_a_bad_file_is_refused_with_a_reason(case):
    assert case.code in UPLOAD_CODES
    file = corpus.upload(case)

    with pytest.raises(UploadRejected) as refused:
        check_upload(file)

    assert isinstance(refused.value, ValidationError)
    assert refused.value.code == case.code
    assert case.message in english(refused.value)
    assert file.tell() == 0


def test_the_extension_comes_from_the_content():
    assert check_upload(corpus.upload(corpus.Case("x", "登记证书.pdf", corpus.minimal_pdf(), None))).extension == ".pdf"
    assert check_upload(corpus.upload(corpus.Case("x", "bank-proof.jpeg", corpus.jpeg(), None))).extension == ".jpg"
    assert check_upload(corpus.upload(corpus.Case("x", "营业执照", corpus.png(), None))).extension == ".png"


def test_the_display_name_is_normalised_and_kept_otherwise():
    assert safe_display_name("登记证书.pdf") == "登记证书.pdf"
    assert safe_display_name("  Cafe\u0301 accounts.pdf ") == "Café accounts.pdf"
    assert safe_display_name("年报 (2024).PDF") == "年报 (2024).PDF"


def test_the_declared_size_refuses_a_huge_file_before_reading_it():
    file = corpus.upload(corpus.Case("x", "report.pdf", corpus.minimal_pdf(), None, declared_size=MAX_UPLOAD_BYTES + 1))
    file.chunks = lambda *args, **kwargs: pytest.fail("an oversized file was read")

    with pytest.raises(UploadRejected) as refused:
        check_upload(file)
    assert refused.value.code == "too_large"


def test_a_lying_size_stops_the_reading_just_past_the_limit():
    file = corpus.upload(corpus.Case("x", "huge.pdf", corpus.oversized() + bytes(1024 * 1024), None, declared_size=10))
    read = []
    chunks = file.chunks

    def counted(*args, **kwargs):
        for chunk in chunks(*args, **kwargs):
            read.append(len(chunk))
            yield chunk

    file.chunks = counted

    with pytest.raises(UploadRejected) as refused:
        check_upload(file)
    assert refused.value.code == "too_large"
    assert MAX_UPLOAD_BYTES < sum(read) <= MAX_UPLOAD_BYTES + max(read)


def test_an_image_with_too_many_pixels_is_refused(monkeypatch):
    monkeypatch.setattr(uploads, "MAX_IMAGE_PIXELS", 1000)  # the corpus PNG is 64 × 48

    with pytest.raises(UploadRejected) as refused:
        check_upload(corpus.upload(corpus.Case("x", "scan.png", corpus.png(), None)))
    assert refused.value.code == "too_large"


# The active-content scan of a PDF -------------------------------------------------------


def test_the_walk_of_a_pdf_is_bounded(monkeypatch):
    monkeypatch.setattr(pdf_scan, "MAX_OBJECTS", 4)  # the corpus PDF has five objects and a trailer

    with pytest.raises(UploadRejected) as refused:
        check_upload(corpus.upload(corpus.Case("x", "report.pdf", corpus.minimal_pdf(), None)))
    assert refused.value.code == "too_large"
    assert "too complex to check" in english(refused.value)


def test_every_finding_has_a_refusal_in_every_language():
    for finding in pdf_scan.Finding:
        refusal = uploads.pdf_refusal(finding)
        assert refusal.code in UPLOAD_CODES
        with translation.override("zh-hans"):
            chinese = " ".join(refusal.messages)
        assert chinese != english(refusal), finding


_HOSTILE = hostile_pdfs.annotation_javascript()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cut=st.integers(0, len(_HOSTILE)),
    flips=st.lists(st.tuples(st.integers(0, len(_HOSTILE) - 1), st.integers(1, 255)), max_size=4),
)
def test_a_damaged_pdf_is_refused_or_accepted_never_an_error(cut, flips):
    """Cut short and with bytes changed, a PDF with a script is refused with a reason
    (damaged, or the script) or, when the damage removed the script, accepted: the
    check never fails with anything else."""
    data = bytearray(_HOSTILE[:cut] + _HOSTILE[cut:][-64:])  # the end (%%EOF) usually survives
    for position, mask in flips:
        if position < len(data):
            data[position] ^= mask
    try:
        check_upload(corpus.upload(corpus.Case("x", "report.pdf", bytes(data), None)))
    except UploadRejected as refused:
        assert refused.code in UPLOAD_CODES


# sniff_content_type ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(b"%PDF-1.7\n", "application/pdf", id="pdf"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg", id="jpeg"),
        pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png", id="png"),
        pytest.param(b"PK\x03\x04\x14\x00", "application/zip", id="zip"),
        pytest.param(b"PK\x05\x06" + bytes(18), "application/zip", id="empty-zip"),
        pytest.param(b"GIF89a\x01\x00", "image/gif", id="gif"),
        pytest.param(b"II*\x00\x08\x00", "image/tiff", id="tiff"),
        pytest.param(b"BM\x36\x00\x00\x00\x00\x00\x00\x00", "image/bmp", id="bmp"),
        pytest.param(b"RIFF\x24\x00\x00\x00WEBPVP8 ", "image/webp", id="webp"),
        pytest.param(b"\x00\x00\x00\x18ftypheic", "image/heic", id="heic"),
        pytest.param(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage", id="old-office"),
        pytest.param(b"MZ\x90\x00", "application/x-msdownload", id="windows-program"),
        pytest.param(b"\x7fELF\x02\x01", "application/x-executable", id="linux-program"),
        pytest.param(b"\xef\xbb\xbf  <!DOCTYPE HTML>", "text/html", id="html-after-bom"),
        pytest.param(b"\n<script>alert(1)</script>", "text/html", id="script"),
        pytest.param(b'<?xml version="1.0"?><svg>', "image/svg+xml", id="svg"),
        pytest.param(b"#!/bin/sh\nrm -rf /\n", "text/x-script", id="shell-script"),
        pytest.param(b"BMW annual report\n", "text/plain", id="text-starting-bm"),
        pytest.param("年度报告".encode()[:-1], "text/plain", id="text-cut-inside-a-character"),
        pytest.param(b"", None, id="nothing"),
        pytest.param(bytes(range(256)), None, id="binary"),
    ],
)
def test_sniff_content_type(head, expected):
    assert sniff_content_type(head) == expected


def test_every_sniffed_type_has_a_description():
    sniffed = {content_type for _, content_type in uploads._SIGNATURES}
    sniffed |= {content_type for _, content_type in uploads._TEXT_PREFIXES}
    sniffed |= {content_type for _, content_type in uploads._OFFICE_PARTS}
    sniffed |= {"image/bmp", "image/webp", "image/heic", "video/mp4", "text/plain"}
    assert sniffed <= set(uploads.DESCRIPTIONS)


# DocumentFileField ----------------------------------------------------------------------


@pytest.mark.parametrize("case", GOOD)
def test_the_form_field_attaches_the_check(case):
    file = corpus.upload(case)
    form = DocumentForm(data={}, files={"document": file})

    assert form.is_valid(), form.errors
    cleaned = form.cleaned_data["document"]
    assert cleaned is file
    assert cleaned.checked == check_upload(corpus.upload(case))
    assert cleaned.tell() == 0


@pytest.mark.parametrize("case", BAD)
def test_the_form_field_reports_the_refusal_on_the_field(case):
    form = DocumentForm(data={}, files={"document": corpus.upload(case)})

    assert not form.is_valid()
    assert list(form.errors) == ["document"]
    [error] = form.errors.as_data()["document"]
    assert error.code == case.code
    with translation.override("en"):
        assert case.message in str(form.errors["document"])


def test_an_optional_field_without_a_file_checks_nothing():
    form = OptionalDocumentForm(data={}, files={})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["document"] is None


def test_the_file_picker_offers_only_accepted_types():
    assert f'accept="{ACCEPT}"' in str(DocumentForm()["document"])
    assert ACCEPT == ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def test_an_accept_attribute_given_by_the_form_is_kept():
    field = DocumentFileField(widget=forms.ClearableFileInput(attrs={"accept": "application/pdf"}))
    assert field.widget.attrs["accept"] == "application/pdf"


def test_a_truncated_jpeg_is_refused_even_after_a_pdf_was_made():
    """WeasyPrint (the contract PDF) turns on Pillow's process-wide leniency for truncated
    images when imported; the upload check must not inherit it."""
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    ImageFile.LOAD_TRUNCATED_IMAGES = True  # as WeasyPrint's import leaves it
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("photo.jpg", corpus.truncated_jpeg(), content_type="image/jpeg")
    with pytest.raises(UploadRejected):
        check_upload(upload)
