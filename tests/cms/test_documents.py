"""Documents of the public site: a PDF with active content is refused in the Wagtail
admin as on every other upload (issue 17), and every document is served as an attachment."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from wagtail.documents import get_document_model
from wagtail.models import Collection

from tests.vetting import corpus, hostile_pdfs
from vetting.pdf_scan import Finding
from vetting.uploads import pdf_refusal

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def admin(superuser, client_for):
    return client_for(superuser, reauthenticated=False)


def add_document(client, name: str, content: bytes):
    with translation.override("en"):
        url = reverse("wagtaildocs:add")
    data = {"title": name, "file": SimpleUploadedFile(name, content), "collection": Collection.get_first_root_node().pk}
    return client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    ("make", "finding"),
    [
        pytest.param(hostile_pdfs.document_javascript, Finding.JAVASCRIPT, id="javascript"),
        pytest.param(hostile_pdfs.open_action, Finding.OPEN_ACTION, id="open-action"),
        pytest.param(hostile_pdfs.embedded_file, Finding.EMBEDDED_FILE, id="embedded-file"),
    ],
)
def test_an_editor_cannot_publish_a_pdf_with_active_content(admin, media_root, make, finding):
    response = add_document(admin, "政策解读.pdf", make())

    assert response.status_code == 200
    # First ours; Wagtail's model check then also misses the refused file's extension.
    error = response.context["form"].errors.as_data()["file"][0]
    assert error.code == "active_content"
    # The admin speaks the editor's language (Chinese here), with the upload's own words.
    [message] = pdf_refusal(finding).messages
    assert message in response.content.decode()
    assert not get_document_model().objects.exists()
    assert not any(path.is_file() for path in media_root.rglob("*"))


def test_a_clean_pdf_is_added_and_served_as_an_attachment(admin, client):
    response = add_document(admin, "政策解读.pdf", corpus.minimal_pdf())
    assert response.status_code == 302
    document = get_document_model().objects.get()

    served = client.get(document.url)

    assert served["Content-Disposition"].startswith("attachment")
    assert served["X-Content-Type-Options"] == "nosniff"


def test_a_pdf_stored_before_the_check_is_served_as_an_attachment(client):
    document = get_document_model().objects.create(
        title="旧文件", file=ContentFile(hostile_pdfs.open_action(), "old.pdf")
    )

    served = client.get(document.url)

    assert served["Content-Disposition"].startswith("attachment")
