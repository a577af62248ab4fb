"""The Wagtail document form: a PDF an editor uploads passes the same active-content
check as every other upload of the platform (``vetting.pdf_scan``, issue 17).

The public site links these documents. Other types stay as Wagtail checks them (by
extension, ``WAGTAILDOCS_EXTENSIONS``): the platform's upload check accepts only PDF,
JPEG and PNG, and editors publish Word and Excel files too.
"""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from wagtail.documents.forms import BaseDocumentForm

from vetting.pdf_scan import pdf_scan
from vetting.uploads import pdf_refusal


class DocumentForm(BaseDocumentForm):
    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile) and _is_pdf(file):
            finding = pdf_scan(file)
            file.seek(0)
            if finding is not None:
                raise pdf_refusal(finding)
        return file


def _is_pdf(file: UploadedFile) -> bool:
    file.seek(0)
    head = file.read(1024)
    file.seek(0)
    # Readers accept the header anywhere in the first kilobyte; so does this check.
    return b"%PDF-" in head or (file.name or "").lower().endswith(".pdf")
