"""Files sent with a report: the vetting upload rules (type from the content, size,
a whole file, a safe name; see ``vetting.uploads``), then every image is re-encoded.

Re-encoding matters more here than anywhere else on the site: a photo taken on a phone
carries the place it was taken and the device in its EXIF data, which could identify a
reporter who asked to stay anonymous. Decoding the pixels and writing a fresh file keeps
the picture (turned upright as the camera meant) and nothing else. PDFs are kept as sent;
the form warns that a document may carry its author's name.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, replace

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from PIL import Image, ImageOps

from vetting.uploads import ACCEPT, FORMAT_NAMES, CheckedUpload, UploadRejected, check_upload

MAX_FILES_PER_SUBMISSION = 5
MAX_FILES_PER_REPORT = 20
# Below the site's request limit (core.middleware), so the form can say it in words.
MAX_SUBMISSION_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CleanFile:
    content: ContentFile | UploadedFile
    checked: CheckedUpload


def clean_attachment(upload: UploadedFile) -> CleanFile:
    """Check ``upload`` and return what is to be stored; raises ``UploadRejected``."""
    checked = check_upload(upload)
    if not checked.content_type.startswith("image/"):
        return CleanFile(content=upload, checked=checked)
    data = reencode(upload, content_type=checked.content_type)
    return CleanFile(
        content=ContentFile(data),
        checked=replace(checked, size=len(data), sha256=hashlib.sha256(data).hexdigest()),
    )


def reencode(upload: UploadedFile, *, content_type: str) -> bytes:
    """The image's pixels in a new file of the same format, without any metadata."""
    pillow_format = FORMAT_NAMES[content_type]
    upload.seek(0)
    try:
        with Image.open(upload, formats=[pillow_format]) as image:
            upright = ImageOps.exif_transpose(image)
            out = io.BytesIO()
            if pillow_format == "JPEG":
                if upright.mode not in ("RGB", "L"):
                    upright = upright.convert("RGB")
                # No exif=, icc_profile= or comment: Pillow writes none unless asked.
                upright.save(out, "JPEG", quality=90, optimize=True)
            else:
                upright.save(out, "PNG", optimize=True)
    except Exception as error:  # check_upload decoded it already; this is a last guard
        raise UploadRejected(
            _("The image could not be processed. Save it again and upload the new file."), code="corrupt"
        ) from error
    finally:
        upload.seek(0)
    return out.getvalue()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to five files at once; cleans to a list of ``CleanFile``."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget: forms.Widget) -> dict[str, str]:
        return {**super().widget_attrs(widget), "accept": ACCEPT}

    def clean(self, data, initial=None) -> list[CleanFile]:
        uploads = [item for item in (data if isinstance(data, list | tuple) else [data]) if item]
        if not uploads:
            if self.required:
                raise forms.ValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > MAX_FILES_PER_SUBMISSION:
            raise forms.ValidationError(
                ngettext_lazy(
                    "Send at most %(limit)d file at a time.", "Send at most %(limit)d files at a time.", "limit"
                )
                % {"limit": MAX_FILES_PER_SUBMISSION},
                code="too_many",
            )
        if sum(upload.size or 0 for upload in uploads) > MAX_SUBMISSION_BYTES:
            raise forms.ValidationError(
                _("The files together are larger than %(limit)s MB.") % {"limit": MAX_SUBMISSION_BYTES // 2**20},
                code="too_large",
            )
        cleaned, errors = [], []
        for upload in uploads:
            super().clean(upload, initial)  # Django's own checks (a name, not empty)
            try:
                cleaned.append(clean_attachment(upload))
            except UploadRejected as error:
                errors.append(
                    forms.ValidationError(
                        _("%(name)s: %(problem)s") % {"name": upload.name, "problem": " ".join(error.messages)},
                        code=error.code,
                    )
                )
        if errors:
            raise forms.ValidationError(errors)
        return cleaned
