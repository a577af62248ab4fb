"""Helpers for reports from the public: a form as a person sends it (shown a while ago),
files a person attaches, and reports filed through the service."""

from __future__ import annotations

import html
import io
import time
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from reports import guards, services
from reports.attachments import clean_attachment
from tests.vetting import corpus


def url(name: str, *args, lang: str = "en") -> str:
    """The page's address in ``lang`` (English by default: tests read English text)."""
    with translation.override("zh-hans"):
        path = reverse(name, args=args)
    return path if lang == "zh-hans" else f"/{lang}{path}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def stamp(seconds_ago: float = 30) -> str:
    return guards.issue_stamp(now=time.time() - seconds_ago)


def form_data(**overrides) -> dict:
    """What a person sends: anonymous, about a contract, in their own words."""
    data = {
        "subject_kind": "contract",
        "subject_text": "",
        "description": "The service paid for under this contract was never delivered to the families listed.",
        "anonymous": "1",
        "contact_name": "",
        "contact_email": "",
        "contact_phone": "",
        "website": "",
        "issued": stamp(),
    }
    data.update(overrides)
    return data


def pdf_upload(name: str = "evidence.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, corpus.minimal_pdf(), content_type="application/pdf")


def jpeg_with_exif(name: str = "photo.jpg") -> SimpleUploadedFile:
    """A phone photo that tells where it was taken and on what."""
    image = Image.new("RGB", (40, 30), (200, 80, 40))
    exif = Image.Exif()
    exif[0x010F] = "SecretPhoneMaker"  # Make
    exif[0x0110] = "Model-X-Whistle"  # Model
    exif[0x0112] = 6  # Orientation: rotate 90° to show upright
    gps = {1: "N", 2: (30.0, 37.0, 12.0), 3: "E", 4: (103.0, 31.0, 5.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def file_report(description: str = "Favouritism in the award of this contract, I believe.", **kwargs):
    """A report filed through the service; returns (report, code)."""
    files = [clean_attachment(upload) for upload in kwargs.pop("uploads", [])]
    kwargs.setdefault("subject_kind", "contract")
    return services.report_file(description=description, files=files, **kwargs)


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
