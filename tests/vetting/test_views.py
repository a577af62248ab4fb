"""Vetting through HTTP, as the people who use it would: an organisation registers,
uploads its documents and submits; a vetting officer reviews and decides; the auditor
reads and never changes; everyone else learns nothing.

English pages (/en/) wherever a test reads text: Chinese is the default and is translated.
Documents go to a private storage in the test's own temporary folder, so that a test can
list exactly which files an upload left behind.
"""

from __future__ import annotations

import html
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import Membership, Role
from audit.models import AuditEntry
from categories.models import Category
from notifications.models import Notification
from organisations.models import Organisation, OrganisationKind, VettingState
from tests.factories import PASSWORD, OrganisationFactory, UserFactory, region, valid_uscc
from tests.vetting import corpus, hostile_pdfs
from vetting.models import ChangeRequest, ChangeRequestState, Document, DocumentType, Review, ScanResult
from vetting.uploads import safe_display_name
from vetting.workflow import APPROVAL_PERIOD, CHECKLIST_CODES

pytestmark = pytest.mark.django_db

SERVICE_CATEGORIES = ("child_care", "education")
REQUIRED_DOCUMENTS = (DocumentType.REGISTRATION, DocumentType.ANNUAL_REPORT, DocumentType.BANK)
MFA_ACTIVATE = "/accounts/2fa/totp/activate/"
MISSING_DOCUMENTS = (
    "Document: Registration certificate",
    "Document: Latest annual report",
    "Document: Bank account proof",
)
GENERATED_NAME = re.compile(r"^vetting/(\d+)/[0-9a-f]{32}\.(pdf|jpg|png)$")


# --- Helpers ------------------------------------------------------------------------------


def url(name: str, *args, lang: str = "en") -> str:
    """The page's address in ``lang`` (English by default: tests read English text)."""
    with translation.override("zh-hans"):
        path = reverse(name, args=args)
    return path if lang == "zh-hans" else f"/{lang}{path}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def sign_in(user, *, reauthenticated: bool = True) -> Client:
    """A browser of its own for ``user``: signed in, the second factor already given."""
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if reauthenticated:
        response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
        assert response.status_code == 302, "re-authentication failed"
    return client


def category_pks() -> list[int]:
    return list(Category.objects.filter(code__in=SERVICE_CATEGORIES).values_list("pk", flat=True))


def registration_data(n: int = 1, **overrides) -> dict:
    """Every field the registration form asks for, as a person would type it."""
    data = {
        "legal_name": "大邑县晨光社会工作服务中心",
        "uscc": valid_uscc(n),
        "kind": OrganisationKind.SOCIAL_WORK,
        "region": "大邑县",
        "registration_authority": "大邑县民政局",
        "registration_date": "2019-05-20",
        "contact_name": "张老师",
        "phone": "028-88880001",
        "email": "office@chenguang.example.test",
        "service_regions_text": "晋原街道",
        "service_categories": category_pks(),
        "capacity": "30",
        "staff_count": "8",
        "social_workers": "3",
        "description": "为困境儿童提供课后照料。",
        "bank_name": "中国农业银行大邑县支行",
        "bank_account_name": "大邑县晨光社会工作服务中心",
        "bank_account": "2281000000000001",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def multipart(fields: dict, filename: str, content: bytes) -> tuple[bytes, str]:
    """A form-data body with the file's name sent as it was given.

    Django's test client cuts directories off a name before sending it; a browser or a
    script need not. The name is escaped as browsers do (WHATWG: newline, carriage
    return and double quote percent-encoded), everything else goes as UTF-8.
    """
    boundary = uuid.uuid4().hex
    body = bytearray()
    for key, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
    escaped = filename.replace("\n", "%0A").replace("\r", "%0D").replace('"', "%22")
    body += f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{escaped}"\r\n'.encode()
    body += b"Content-Type: application/octet-stream\r\n\r\n" + content + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return bytes(body), f"multipart/form-data; boundary={boundary}"


def upload(client: Client, organisation: Organisation, name: str, content: bytes, doc_type=DocumentType.REGISTRATION):
    body, content_type = multipart({"doc_type": doc_type}, name, content)
    return client.post(
        url("organisations:document_upload", organisation.pk), data=body, content_type=content_type, follow=True
    )


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def register(client: Client, **overrides):
    return client.post(url("organisations:register"), registration_data(**overrides))


def decide(client: Client, organisation: Organisation, action: str, reason: str = ""):
    return client.post(url("vetting:decide", organisation.pk), {"action": action, "reason": reason}, follow=True)


def all_pass() -> dict[str, str]:
    return {f"{code}__outcome": "pass" for code in CHECKLIST_CODES}


def fresh(organisation: Organisation) -> Organisation:
    return Organisation.objects.get(pk=organisation.pk)


# --- Fixtures -----------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path, monkeypatch) -> Path:
    """Point the private storage at a temporary folder for this test."""
    root = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    # The field took its storage when the model was defined; hand it the new one.
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storages["private"])
    return root


@pytest.fixture
def applicant(db):
    """Someone signed up, with an authenticator app, about to register their organisation."""
    return UserFactory(email="applicant@example.test", mfa=True)


@pytest.fixture
def applicant_client(applicant) -> Client:
    return sign_in(applicant)


@pytest.fixture
def draft_org(applicant_client) -> Organisation:
    response = register(applicant_client, n=101)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    return Organisation.objects.get(uscc=valid_uscc(101))


@pytest.fixture
def complete_org(applicant_client, draft_org) -> Organisation:
    """A draft with every required document, ready to submit."""
    for doc_type in REQUIRED_DOCUMENTS:
        response = upload(applicant_client, draft_org, f"{doc_type}.pdf", corpus.minimal_pdf(), doc_type)
        assert "The document was uploaded." in messages_of(response)
    return draft_org


@pytest.fixture
def submitted_org(applicant_client, complete_org) -> Organisation:
    response = applicant_client.post(url("organisations:submit", complete_org.pk), follow=True)
    assert "The application was submitted. A vetting officer will review it." in messages_of(response)
    return fresh(complete_org)


@pytest.fixture
def officer_client(vetting_officer) -> Client:
    return sign_in(vetting_officer)


@pytest.fixture
def under_review_org(officer_client, submitted_org) -> Organisation:
    decide(officer_client, submitted_org, "start_review")
    organisation = fresh(submitted_org)
    assert organisation.vetting_state == VettingState.UNDER_REVIEW
    return organisation


@pytest.fixture
def approved_org(officer_client, under_review_org) -> Organisation:
    officer_client.post(url("vetting:checklist", under_review_org.pk), all_pass())
    decide(officer_client, under_review_org, "approve")
    organisation = fresh(under_review_org)
    assert organisation.vetting_state == VettingState.APPROVED
    return organisation


# --- Registration -------------------------------------------------------------------------


def test_a_signed_in_person_registers_an_organisation_and_must_then_set_up_mfa(outsider):
    client = sign_in(outsider)
    response = client.get(url("organisations:register"))
    assert response.status_code == 200
    assert "you will be asked to set it up next" in text(response)

    response = register(client, n=1)

    organisation = Organisation.objects.get(uscc=valid_uscc(1))
    assert response.status_code == 302
    assert response["Location"] == url("organisations:detail", organisation.pk)
    assert organisation.vetting_state == VettingState.DRAFT
    assert organisation.legal_name == "大邑县晨光社会工作服务中心"
    assert organisation.region == region("510129")
    assert list(organisation.service_regions.all()) == [region("510129001")]
    assert set(organisation.service_categories.values_list("code", flat=True)) == set(SERVICE_CATEGORIES)
    assert (organisation.capacity, organisation.staff_count, organisation.social_workers) == (30, 8, 3)
    assert Membership.objects.filter(user=outsider, organisation=organisation, role=Role.ORG_ADMIN).exists()
    assert AuditEntry.objects.filter(action="organisation.register", object_id=str(organisation.pk)).exists()

    # An organisation admin must have a second factor: the next page sends them to set it up.
    response = client.get(response["Location"])
    assert response.status_code == 302
    assert response["Location"].endswith(MFA_ACTIVATE)


def test_a_registered_admin_with_mfa_sees_the_draft_and_what_is_missing(applicant_client, draft_org):
    response = applicant_client.get(url("organisations:detail", draft_org.pk))

    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="vetting-state">Draft<' in page
    for item in MISSING_DOCUMENTS:
        assert item in page


@pytest.mark.parametrize(
    ("code", "message"),
    [
        pytest.param(valid_uscc(7)[:-1] + ("0" if valid_uscc(7)[-1] != "0" else "1"), "check character", id="check"),
        pytest.param(valid_uscc(7)[:-1], "has 18 characters; this one has 17", id="too-short"),
        pytest.param(valid_uscc(7)[:10] + "I" + valid_uscc(7)[11:], "digits and capital letters", id="letter-I"),
        pytest.param(valid_uscc(7)[:-2] + "!" + valid_uscc(7)[-1], "digits and capital letters", id="punctuation"),
    ],
)
def test_an_invalid_uscc_is_refused_with_a_clear_message_on_the_field(outsider, code, message):
    client = sign_in(outsider)

    response = register(client, uscc=code)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["uscc"]
    assert any(message in error for error in errors["uscc"]), errors["uscc"]
    assert message in text(response)
    assert not Organisation.objects.exists()
    assert not Membership.objects.filter(user=outsider).exists()


def test_a_uscc_one_character_too_long_is_refused_on_the_field(outsider):
    client = sign_in(outsider)

    response = register(client, uscc=valid_uscc(7) + "1")

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["uscc"]
    assert "18 characters" in " ".join(response.context["form"].errors["uscc"])
    assert not Organisation.objects.exists()


def test_a_uscc_typed_in_groups_is_accepted(outsider):
    client = sign_in(outsider)
    code = valid_uscc(8)

    response = register(client, uscc=f"{code[:8]} {code[8:]}".lower())

    assert response.status_code == 302, response.context["form"].errors
    assert Organisation.objects.filter(uscc=code).exists()


def test_a_uscc_is_accepted_in_lower_case_and_stored_in_capitals(outsider):
    client = sign_in(outsider)
    code = valid_uscc(9)

    response = register(client, uscc=code.lower())

    assert response.status_code == 302
    assert Organisation.objects.filter(uscc=code).exists()


def test_a_duplicate_uscc_is_already_registered(outsider, vetted_org):
    client = sign_in(outsider)

    response = register(client, uscc=vetted_org.uscc)

    assert response.status_code == 200
    assert "already registered" in " ".join(response.context["form"].errors["uscc"])
    assert "already registered" in text(response)
    assert Organisation.objects.count() == 1
    assert not Membership.objects.filter(user=outsider).exists()


@pytest.mark.parametrize("persona", ["caseworker", "approver", "agency_admin", "vetting_officer", "auditor"])
def test_government_and_platform_staff_cannot_register_an_organisation(request, persona):
    client = sign_in(request.getfixturevalue(persona))

    assert client.get(url("organisations:register")).status_code == 403
    assert register(client, n=2).status_code == 403
    assert not Organisation.objects.filter(uscc=valid_uscc(2)).exists()


def test_registration_needs_a_signed_in_person(client):
    response = client.get(url("organisations:register"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- Documents: upload ----------------------------------------------------------------------

# What HTTP itself changes about a corpus case before check_upload sees it. A size the
# client declares is not part of a multipart body (the server counts the bytes), and
# Django's multipart parser keeps only the last path component of a name and drops
# characters that are not printable. These arrive harmless, under these names.
DISARMED_IN_TRANSIT = {
    "declared-over-20-mb": "report.pdf",
    "name-parent-traversal": "passwd.pdf",
    "name-slash": "b.pdf",
    "name-backslash": "b.pdf",
    "name-nul": "badname.pdf",
    "name-newline": "bad%0Aname.pdf",  # as a browser escapes it
    "name-trailing-newline": "report.pdf%0A",
    "name-zero-width-space": "report.pdf",
}
# Still refused, but for what the parser left: U+202E dropped leaves "invoicefdp.exe";
# ".." is no name at all, so no file arrives.
MESSAGE_IN_TRANSIT = {
    "name-right-to-left-override": "The file name says .exe but the content is a PDF document",
    "name-dot-dot": "This field is required.",
}
REFUSED = [
    pytest.param(case, id=case.case_id) for case in corpus.bad_cases() if case.case_id not in DISARMED_IN_TRANSIT
]
DISARMED = [pytest.param(case, id=case.case_id) for case in corpus.bad_cases() if case.case_id in DISARMED_IN_TRANSIT]
GOOD = [pytest.param(case, id=case.case_id) for case in corpus.good_cases()]


@pytest.mark.parametrize("case", REFUSED)
def test_a_bad_document_is_refused_with_its_reason_and_leaves_nothing(applicant_client, draft_org, private_root, case):
    response = upload(applicant_client, draft_org, case.name, case.content)

    assert response.status_code == 200
    assert response.redirect_chain == [(url("organisations:detail", draft_org.pk), 302)]
    expected = MESSAGE_IN_TRANSIT.get(case.case_id, case.message)
    errors = messages_of(response)
    assert any(expected in message for message in errors), errors
    assert expected in text(response)
    assert "The document was uploaded." not in errors
    assert not Document.objects.exists()
    assert stored_files(private_root) == []
    assert not AuditEntry.objects.filter(action="document.upload").exists()


@pytest.mark.parametrize("case", DISARMED)
def test_a_name_made_harmless_in_transit_is_stored_under_a_generated_name(
    applicant_client, draft_org, private_root, case
):
    response = upload(applicant_client, draft_org, case.name, case.content)

    assert "The document was uploaded." in messages_of(response)
    document = Document.objects.get()
    assert document.display_name == DISARMED_IN_TRANSIT[case.case_id]
    assert safe_display_name(document.display_name) == document.display_name
    assert GENERATED_NAME.match(document.file.name), document.file.name
    assert stored_files(private_root) == [private_root / document.file.name]


@pytest.mark.parametrize("case", GOOD)
def test_a_good_document_is_stored_once_under_a_generated_private_name(
    settings, applicant_client, draft_org, private_root, case
):
    response = upload(applicant_client, draft_org, case.name, case.content, DocumentType.ANNUAL_REPORT)

    assert "The document was uploaded." in messages_of(response)
    document = Document.objects.get()
    assert document.organisation == draft_org
    assert document.doc_type == DocumentType.ANNUAL_REPORT
    assert document.display_name == safe_display_name(case.name)
    assert document.size == len(case.content)
    match = GENERATED_NAME.match(document.file.name)
    assert match, document.file.name
    assert match.group(1) == str(draft_org.pk)
    files = stored_files(private_root)
    assert files == [private_root / document.file.name]
    assert files[0].read_bytes() == case.content
    # Nothing the uploader typed names the file on disk.
    assert files[0].name != case.name.strip()
    assert Path(case.name.strip()).stem not in files[0].name
    for public in (settings.STATIC_ROOT, settings.MEDIA_ROOT):
        assert not files[0].resolve().is_relative_to(Path(public).resolve())
    assert AuditEntry.objects.filter(action="document.upload", object_id=str(document.pk)).exists()


def test_the_configured_private_storage_is_outside_every_served_folder():
    from config import settings as project

    private = Path(project.STORAGES["private"]["OPTIONS"]["location"]).resolve()
    assert project.STORAGES["private"]["OPTIONS"]["base_url"] is None
    for public in (project.STATIC_ROOT, project.MEDIA_ROOT, *project.STATICFILES_DIRS):
        public = Path(public).resolve()
        assert not private.is_relative_to(public) and not public.is_relative_to(private)


def test_only_the_organisation_admin_can_upload(vetting_officer, auditor, charity_admin, draft_org, private_root):
    for user in (vetting_officer, auditor, charity_admin):
        response = upload(sign_in(user), draft_org, "report.pdf", corpus.minimal_pdf())
        assert response.status_code == 404
    assert not Document.objects.exists()
    assert stored_files(private_root) == []


@pytest.mark.parametrize("persona", ["vetting_officer", "auditor"])
def test_officers_and_auditors_cannot_act_for_the_organisation(request, persona, complete_org, private_root):
    client = sign_in(request.getfixturevalue(persona))
    document = complete_org.documents.first()
    files = stored_files(private_root)

    assert client.post(url("organisations:submit", complete_org.pk)).status_code == 404
    response = client.post(url("organisations:edit", complete_org.pk), registration_data(n=101, legal_name="改名"))
    assert response.status_code == 404
    assert client.post(url("organisations:document_delete", complete_org.pk, document.pk)).status_code == 404

    organisation = fresh(complete_org)
    assert (organisation.vetting_state, organisation.legal_name) == (VettingState.DRAFT, complete_org.legal_name)
    assert complete_org.documents.count() == 3
    assert stored_files(private_root) == files


def test_the_admin_removes_a_draft_document_and_its_file(
    applicant_client, draft_org, private_root, django_capture_on_commit_callbacks
):
    upload(applicant_client, draft_org, "report.pdf", corpus.minimal_pdf())
    document = Document.objects.get()
    assert stored_files(private_root) == [private_root / document.file.name]

    with django_capture_on_commit_callbacks(execute=True):
        response = applicant_client.post(url("organisations:document_delete", draft_org.pk, document.pk), follow=True)

    assert "The document was removed." in messages_of(response)
    assert not Document.objects.exists()
    assert stored_files(private_root) == []
    assert AuditEntry.objects.filter(action="document.delete", object_id=str(document.pk)).exists()


def test_a_submitted_document_cannot_be_removed(applicant_client, submitted_org, private_root):
    document = submitted_org.documents.first()

    response = applicant_client.post(url("organisations:document_delete", submitted_org.pk, document.pk), follow=True)

    assert any("cannot be removed" in m for m in messages_of(response))
    assert Document.objects.filter(pk=document.pk).exists()
    assert (private_root / document.file.name).exists()


# --- Documents: download -----------------------------------------------------------------


@pytest.fixture
def document(applicant_client, draft_org) -> Document:
    upload(applicant_client, draft_org, "登记证书.pdf", corpus.minimal_pdf())
    return Document.objects.get()


def download(client: Client, document: Document, **params):
    response = client.get(url("organisations:document", document.organisation_id, document.pk), params)
    # Consuming the stream closes the response; closing it again would fire
    # request_finished and close the test's database connection on PostgreSQL.
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response, body


def test_the_admin_downloads_a_document_as_an_attachment_and_it_is_audited(applicant, applicant_client, document):
    response, body = download(applicant_client, document)

    assert response.status_code == 200
    assert body == corpus.minimal_pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%99%BB%E8%AE%B0%E8%AF%81%E4%B9%A6.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="document.download")
    assert (entry.actor_id, entry.object_id) == (applicant.pk, str(document.pk))


@pytest.mark.parametrize("persona", ["charity_admin", "charity_member", "caseworker", "approver", "outsider"])
def test_others_cannot_download_a_document(request, persona, document):
    response, body = download(sign_in(request.getfixturevalue(persona)), document)

    assert response.status_code == 404
    assert corpus.minimal_pdf() not in body
    assert not AuditEntry.objects.filter(action="document.download").exists()


def test_others_cannot_see_the_application(charity_admin, caseworker, outsider, submitted_org):
    for user in (charity_admin, caseworker, outsider):
        client = sign_in(user)
        assert client.get(url("organisations:detail", submitted_org.pk)).status_code == 404
        assert client.get(url("vetting:detail", submitted_org.pk)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_document(client, document):
    response, body = download(client, document)

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert corpus.minimal_pdf() not in body
    assert not AuditEntry.objects.filter(action="document.download").exists()


@pytest.mark.parametrize("persona", ["vetting_officer", "auditor"])
def test_vetting_officers_and_auditors_download_documents(request, persona, document):
    user = request.getfixturevalue(persona)

    response, body = download(sign_in(user), document)

    assert response.status_code == 200
    assert body == corpus.minimal_pdf()
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(action="document.download", actor_id=user.pk).count() == 1


def test_a_preview_is_served_inline_and_locked_down_for_the_vetting_officer(vetting_officer, document):
    response, body = download(sign_in(vetting_officer), document, preview="1")

    assert response.status_code == 200
    assert body == corpus.minimal_pdf()
    assert response["Content-Disposition"].startswith("inline;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert policy.startswith("sandbox;")
    assert "default-src 'none'" in policy and "frame-ancestors 'self'" in policy
    # Issue 20, item 17: a preview is its own kind, not a download, and recorded once
    # however often the application's page (and so its preview) is opened again.
    assert AuditEntry.objects.filter(action="document.preview", actor_id=vetting_officer.pk).count() == 1
    assert not AuditEntry.objects.filter(action="document.download").exists()
    client = sign_in(vetting_officer)
    for _ in range(2):
        assert download(client, document, preview="1")[0].status_code == 200
    assert AuditEntry.objects.filter(action="document.preview").count() == 1
    download(client, document)
    assert AuditEntry.objects.filter(action="document.download").count() == 1


# --- Documents: active content and the preview (issue 17) --------------------------------


def test_an_uploaded_pdf_is_recorded_as_having_passed_the_active_content_check(document):
    assert document.scan == ScanResult.PASSED


@pytest.fixture
def stored_before_the_check(document, private_root):
    """A document stored before PDFs were checked: its file is replaced on disk, as no
    upload today would accept it, and its result is 'not checked'."""

    def store(content: bytes) -> Document:
        (private_root / document.file.name).write_bytes(content)
        Document.objects.filter(pk=document.pk).update(scan=ScanResult.UNSCANNED, size=len(content))
        return Document.objects.get(pk=document.pk)

    return store


@pytest.mark.parametrize("persona", ["vetting_officer", "auditor"])
def test_a_pdf_stored_before_the_check_is_checked_when_first_previewed(request, persona, stored_before_the_check):
    user = request.getfixturevalue(persona)
    document = stored_before_the_check(corpus.minimal_pdf())

    response, body = download(sign_in(user), document, preview="1")

    assert response["Content-Disposition"].startswith("inline;")
    assert body == corpus.minimal_pdf()
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert Document.objects.get(pk=document.pk).scan == ScanResult.PASSED
    entry = AuditEntry.objects.get(action="document.scan")
    assert (entry.actor_id, entry.object_id) == (user.pk, str(document.pk))
    # Checked once: the next preview reads the result.
    download(sign_in(user), document, preview="1")
    assert AuditEntry.objects.filter(action="document.scan").count() == 1


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(hostile_pdfs.open_action, id="open-action-javascript"),
        pytest.param(hostile_pdfs.embedded_file, id="embedded-file"),
        pytest.param(hostile_pdfs.page_tree_cycle, id="damaged"),
    ],
)
def test_a_stored_pdf_with_active_content_is_never_shown_inline(vetting_officer, stored_before_the_check, make):
    content = make()
    document = stored_before_the_check(content)
    client = sign_in(vetting_officer)

    response, body = download(client, document, preview="1")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert "Content-Disposition" not in response
    assert content not in body
    assert b"has active content" in body
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Document.objects.get(pk=document.pk).scan == ScanResult.REFUSED
    assert AuditEntry.objects.get(action="document.scan").summary["result"] == "refused"
    assert not AuditEntry.objects.filter(action="document.download").exists()
    # The officer may still take it as an attachment, to look at it somewhere safe.
    response, body = download(client, document)
    assert response["Content-Disposition"].startswith("attachment;") and body == content


def test_the_review_page_shows_a_notice_instead_of_a_refused_pdf(officer_client, submitted_org):
    refused = submitted_org.documents.first()
    Document.objects.filter(pk=refused.pk).update(scan=ScanResult.REFUSED)

    page = text(officer_client.get(url("vetting:detail", submitted_org.pk)))

    assert page.count('data-testid="preview-refused"') == 1
    assert page.count("?preview=1") == submitted_org.documents.count() - 1


def test_an_image_preview_is_inline_and_sandboxed(vetting_officer, applicant_client, draft_org):
    upload(applicant_client, draft_org, "bank-proof.png", corpus.png(), DocumentType.BANK)
    document = Document.objects.get()

    response, body = download(sign_in(vetting_officer), document, preview="1")

    assert response["Content-Disposition"].startswith("inline;") and body == corpus.png()
    assert response["Content-Security-Policy"].startswith("sandbox;")


def test_a_document_of_another_organisation_is_not_found_under_this_one(applicant_client, document, vetted_org):
    # The document's id under the wrong organisation's address.
    response = applicant_client.get(url("organisations:document", vetted_org.pk, document.pk))

    assert response.status_code == 404


# --- Submitting -------------------------------------------------------------------------


def test_submitting_an_incomplete_application_lists_what_is_missing(applicant_client, draft_org, vetting_officer):
    response = applicant_client.post(url("organisations:submit", draft_org.pk), follow=True)

    assert response.status_code == 200
    errors = messages_of(response)
    assert "The application is not complete yet." in errors
    for item in MISSING_DOCUMENTS:
        assert item in errors
        assert item in text(response)
    assert 'data-testid="missing"' in text(response)
    assert fresh(draft_org).vetting_state == VettingState.DRAFT
    assert fresh(draft_org).submitted_at is None
    assert not Notification.objects.filter(user=vetting_officer).exists()


def test_submitting_an_application_without_a_bank_account_lists_it(applicant, private_root):
    client = sign_in(applicant)
    register(client, n=102, bank_account="", bank_account_name="")
    organisation = Organisation.objects.get(uscc=valid_uscc(102))
    for doc_type in REQUIRED_DOCUMENTS:
        upload(client, organisation, f"{doc_type}.pdf", corpus.minimal_pdf(), doc_type)

    errors = messages_of(client.post(url("organisations:submit", organisation.pk), follow=True))

    assert "Profile: account number" in errors and "Profile: account name" in errors
    assert not any(e.startswith("Document:") for e in errors)
    assert fresh(organisation).vetting_state == VettingState.DRAFT


def test_submitting_a_complete_application_notifies_the_vetting_officers(
    applicant_client, complete_org, vetting_officer, auditor
):
    response = applicant_client.post(url("organisations:submit", complete_org.pk), follow=True)

    assert "The application was submitted. A vetting officer will review it." in messages_of(response)
    assert 'data-testid="vetting-state">Submitted<' in text(response)
    organisation = fresh(complete_org)
    assert organisation.vetting_state == VettingState.SUBMITTED
    assert organisation.submitted_at is not None
    notification = Notification.objects.get(user=vetting_officer)
    assert notification.event == "organisation_submitted"
    assert notification.params["organisation"] == organisation.legal_name
    assert notification.url.endswith(f"/vetting/{organisation.pk}/")
    assert not Notification.objects.filter(user=auditor).exists()


def test_the_officers_link_is_in_the_officers_language_not_the_submitters(
    applicant_client, complete_org, vetting_officer
):
    assert vetting_officer.preferred_language == "zh-hans"

    applicant_client.post(url("organisations:submit", complete_org.pk))  # from the English page

    notification = Notification.objects.get(user=vetting_officer)
    assert notification.url == url("vetting:detail", complete_org.pk, lang="zh-hans")


def test_submitting_asks_for_the_password_again(applicant, complete_org):
    client = sign_in(applicant, reauthenticated=False)

    response = client.post(url("organisations:submit", complete_org.pk))

    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    assert fresh(complete_org).vetting_state == VettingState.DRAFT


def test_a_submitted_application_is_frozen(applicant_client, submitted_org, private_root):
    files_before = stored_files(private_root)

    response = upload(applicant_client, submitted_org, "other.pdf", corpus.minimal_pdf(), DocumentType.OTHER)

    assert any("cannot be changed while the application is being decided" in m for m in messages_of(response))
    assert not Document.objects.filter(doc_type=DocumentType.OTHER).exists()
    assert stored_files(private_root) == files_before


# --- The vetting queue --------------------------------------------------------------------

QUEUE_STATUS = {
    "vetting_officer": 200,
    "auditor": 200,
    "caseworker": 403,
    "approver": 403,
    "agency_admin": 403,
    "charity_admin": 403,
    "charity_member": 403,
    "unvetted_member": 403,
    "outsider": 403,
    # The system administrator may read everything (accounts.policy.is_superuser).
    "superuser": 200,
}


@pytest.mark.parametrize(("persona", "status"), QUEUE_STATUS.items())
def test_only_vetting_officers_and_auditors_open_the_queue(request, persona, status):
    client = sign_in(request.getfixturevalue(persona))

    assert client.get(url("vetting:queue")).status_code == status


def test_the_queue_sends_an_anonymous_visitor_to_sign_in(client):
    response = client.get(url("vetting:queue"))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.fixture
def queue_orgs(db) -> dict[str, Organisation]:
    now = timezone.now()

    def org(name, state, *, days=None, in_region="510129", serves=()):
        organisation = OrganisationFactory(
            legal_name=name,
            vetting_state=state,
            region=region(in_region),
            submitted_at=now - timedelta(days=days) if days is not None else None,
            approved_until=now + timedelta(days=200) if state == VettingState.APPROVED else None,
        )
        organisation.service_regions.set([region(code) for code in serves])
        return organisation

    return {
        "fresh": org("新提交社工中心", VettingState.SUBMITTED, days=1),
        "waiting": org("久候慈善会", VettingState.SUBMITTED, days=10, serves=["510129105"]),
        "old": org("超期审核协会", VettingState.UNDER_REVIEW, days=40),
        "elsewhere": org("锦江区社工中心", VettingState.SUBMITTED, days=3, in_region="510104"),
        "approved": org("已批准服务社", VettingState.APPROVED, days=100),
        "rejected": org("未通过服务社", VettingState.REJECTED, days=20),
        "draft": org("草稿服务社", VettingState.DRAFT),
    }


def queue_names(client: Client, **params) -> set[str]:
    response = client.get(url("vetting:queue"), params)
    assert response.status_code == 200
    return {o.legal_name for o in response.context["page"].object_list}


def test_the_queue_shows_pending_applications_and_filters_by_state(officer_client, queue_orgs):
    pending = {"新提交社工中心", "久候慈善会", "超期审核协会", "锦江区社工中心"}

    assert queue_names(officer_client) == pending
    assert queue_names(officer_client, state="pending") == pending
    assert queue_names(officer_client, state="approved") == {"已批准服务社"}
    assert queue_names(officer_client, state="rejected") == {"未通过服务社"}
    assert queue_names(officer_client, state="under_review") == {"超期审核协会"}
    # Drafts are the organisation's own business until submitted.
    assert queue_names(officer_client, state="all") == pending | {"已批准服务社", "未通过服务社"}
    assert queue_names(officer_client, state="draft") == set()


def test_the_queue_filters_by_age(officer_client, queue_orgs):
    assert queue_names(officer_client, age="7") == {"久候慈善会", "超期审核协会"}
    assert queue_names(officer_client, age="14") == {"超期审核协会"}
    assert queue_names(officer_client, age="30") == {"超期审核协会"}
    assert queue_names(officer_client, age="30", state="all") == {"超期审核协会", "已批准服务社"}


def test_the_queue_filters_by_region(officer_client, queue_orgs):
    # Registered in the region or serving inside it.
    assert queue_names(officer_client, region="锦江区") == {"锦江区社工中心"}
    assert queue_names(officer_client, region="510129105") == {"久候慈善会"}
    assert queue_names(officer_client, region="大邑县") == {"新提交社工中心", "久候慈善会", "超期审核协会"}


def test_the_queue_shows_how_long_an_application_has_waited(officer_client, queue_orgs):
    response = officer_client.get(url("vetting:queue"))

    page = text(response).replace("\xa0", " ")
    row = re.search(r"<tr>\s*<td><a [^>]*>久候慈善会</a>.*?</tr>", page, re.S).group(0)
    assert "1 week, 3 days" in row
    assert timezone.localtime(queue_orgs["waiting"].submitted_at).strftime("%Y-%m-%d") in row
    # The oldest waits first.
    names = [o.legal_name for o in response.context["page"].object_list]
    assert names[0] == "超期审核协会"


def test_the_auditor_sees_the_same_queue(auditor, queue_orgs):
    assert queue_names(sign_in(auditor)) == {"新提交社工中心", "久候慈善会", "超期审核协会", "锦江区社工中心"}


# --- The review page ----------------------------------------------------------------------


def test_the_officer_sees_documents_and_the_decision_form_of_a_submitted_application(officer_client, submitted_org):
    response = officer_client.get(url("vetting:detail", submitted_org.pk))

    assert response.status_code == 200
    page = text(response)
    assert page.count('data-testid="document-link"') == 3
    assert "?preview=1" in page
    assert 'data-testid="record-decision"' in page
    assert 'value="start_review"' in page
    # The checklist belongs to a review, which has not started.
    assert 'data-item="registration"' not in page
    assert "You belong to this organisation" not in page


def test_the_officer_sees_the_checklist_under_review(officer_client, under_review_org):
    page = text(officer_client.get(url("vetting:detail", under_review_org.pk)))

    for code in CHECKLIST_CODES:
        assert f'data-item="{code}"' in page
    assert 'data-testid="save-checklist"' in page
    assert 'data-testid="record-decision"' in page


def test_the_auditor_reads_the_review_but_cannot_change_it(auditor, under_review_org):
    client = sign_in(auditor)
    response = client.get(url("vetting:detail", under_review_org.pk))

    assert response.status_code == 200
    page = text(response)
    assert page.count('data-testid="document-link"') == 3
    assert 'data-item="registration"' in page
    assert 'data-testid="save-checklist"' not in page
    assert 'data-testid="record-decision"' not in page
    assert f'action="{url("vetting:decide", under_review_org.pk)}"' not in page

    assert client.post(url("vetting:checklist", under_review_org.pk), all_pass()).status_code == 403
    for action, reason in [("approve", ""), ("reject", "不符合要求")]:
        response = client.post(url("vetting:decide", under_review_org.pk), {"action": action, "reason": reason})
        assert response.status_code == 403, action
        assert fresh(under_review_org).vetting_state == VettingState.UNDER_REVIEW
    assert not Review.objects.get(organisation=under_review_org).items.exists()
    assert not AuditEntry.objects.filter(action__in=["vetting.checklist", "vetting.reject"]).exists()


def test_the_auditor_cannot_decide_a_submitted_application(auditor, submitted_org):
    response = sign_in(auditor).post(url("vetting:decide", submitted_org.pk), {"action": "start_review"})

    assert response.status_code == 403
    assert fresh(submitted_org).vetting_state == VettingState.SUBMITTED
    assert not Review.objects.exists()


@pytest.fixture
def member_officer(complete_org):
    """A vetting officer who also belongs to the organisation (from before it submits)."""
    user = UserFactory(email="officer.member@example.test", mfa=True)
    Membership.objects.create(user=user, role=Role.VETTING_OFFICER)
    Membership.objects.create(user=user, role=Role.ORG_MEMBER, organisation=complete_org)
    return user


def test_an_officer_cannot_review_an_organisation_they_belong_to(member_officer, submitted_org):
    client = sign_in(member_officer)
    response = client.get(url("vetting:detail", submitted_org.pk))

    assert response.status_code == 200
    page = text(response)
    assert "You belong to this organisation, so you cannot review it." in page
    assert 'data-testid="record-decision"' not in page

    response = client.post(url("vetting:decide", submitted_org.pk), {"action": "start_review"})
    assert response.status_code == 403
    assert fresh(submitted_org).vetting_state == VettingState.SUBMITTED
    assert not Review.objects.exists()


def test_an_officer_member_cannot_fill_in_the_checklist(member_officer, under_review_org):
    client = sign_in(member_officer)

    assert client.post(url("vetting:checklist", under_review_org.pk), all_pass()).status_code == 403
    assert not Review.objects.get(organisation=under_review_org).items.exists()


def test_an_officer_member_is_not_notified_of_their_own_application(member_officer, vetting_officer, submitted_org):
    assert Notification.objects.filter(user=vetting_officer, event="organisation_submitted").exists()
    assert not Notification.objects.filter(user=member_officer).exists()


def test_a_draft_is_not_in_the_officers_reach(officer_client, draft_org):
    assert officer_client.get(url("vetting:detail", draft_org.pk)).status_code == 404
    assert decide(officer_client, draft_org, "start_review").status_code == 404


# --- Decisions ----------------------------------------------------------------------------


def test_start_review_checklist_and_approve(officer_client, vetting_officer, applicant_client, submitted_org):
    response = decide(officer_client, submitted_org, "start_review")
    assert "The decision was recorded and the organisation notified." in messages_of(response)
    assert fresh(submitted_org).vetting_state == VettingState.UNDER_REVIEW
    review = Review.objects.get(organisation=submitted_org)
    assert review.reviewer == vetting_officer

    # Approval needs every checklist item.
    response = decide(officer_client, submitted_org, "approve")
    assert "Every checklist item needs an outcome before approval." in messages_of(response)
    assert fresh(submitted_org).vetting_state == VettingState.UNDER_REVIEW

    response = officer_client.post(url("vetting:checklist", submitted_org.pk), all_pass(), follow=True)
    assert "The checklist was saved." in messages_of(response)
    assert dict(review.items.values_list("item", "outcome")) == dict.fromkeys(CHECKLIST_CODES, "pass")

    before = timezone.now()
    response = decide(officer_client, submitted_org, "approve")
    after = timezone.now()

    assert "The decision was recorded and the organisation notified." in messages_of(response)
    organisation = fresh(submitted_org)
    assert organisation.vetting_state == VettingState.APPROVED
    assert before + APPROVAL_PERIOD <= organisation.approved_until <= after + APPROVAL_PERIOD
    assert abs(organisation.approved_until - (timezone.now() + timedelta(days=365))) < timedelta(minutes=1)
    assert organisation.vetted_since is not None
    review.refresh_from_db()
    assert review.decision == "approve" and review.decided_at is not None
    assert list(organisation.events.values_list("action", flat=True)) == ["approve", "start_review", "submit"]
    assert AuditEntry.objects.filter(action="vetting.approve", object_id=str(organisation.pk)).exists()

    page = text(applicant_client.get(url("organisations:detail", organisation.pk)))
    assert 'data-testid="vetting-state">Approved<' in page
    assert Notification.objects.filter(user__email="applicant@example.test", event="organisation_approve").exists()


def test_a_failed_checklist_item_needs_a_note_and_blocks_approval(officer_client, under_review_org):
    items = {**all_pass(), "bank__outcome": "fail"}

    response = officer_client.post(url("vetting:checklist", under_review_org.pk), items, follow=True)
    assert "Say what is wrong for every item that does not meet the requirement." in messages_of(response)

    officer_client.post(url("vetting:checklist", under_review_org.pk), {**items, "bank__note": "账户名不符"})
    response = decide(officer_client, under_review_org, "approve")
    assert any("cannot be approved; reject it" in m for m in messages_of(response))
    assert fresh(under_review_org).vetting_state == VettingState.UNDER_REVIEW


def test_rejecting_without_a_reason_is_refused(officer_client, under_review_org):
    response = decide(officer_client, under_review_org, "reject", reason="   ")

    assert "A reason is required for this decision; it is shown to the organisation." in messages_of(response)
    assert fresh(under_review_org).vetting_state == VettingState.UNDER_REVIEW
    assert not under_review_org.events.filter(action="reject").exists()


def test_the_admin_sees_the_reason_for_a_rejection(officer_client, applicant_client, under_review_org):
    reason = "登记证书已过期，请上传有效期内的证书。"

    decide(officer_client, under_review_org, "reject", reason=reason)

    organisation = fresh(under_review_org)
    assert organisation.vetting_state == VettingState.REJECTED
    assert organisation.state_reason == reason
    response = applicant_client.get(url("organisations:detail", organisation.pk))
    page = text(response)
    assert 'data-testid="vetting-state">Rejected<' in page
    assert re.search(r'data-testid="state-reason">.*' + re.escape(reason), page, re.S)
    # Rejected applications may be fixed and submitted again.
    assert 'data-testid="submit-application"' in page
    response = applicant_client.post(url("organisations:submit", organisation.pk), follow=True)
    assert fresh(organisation).vetting_state == VettingState.SUBMITTED


def test_suspend_reinstate_and_revoke_need_reasons(officer_client, approved_org):
    assert "A reason is required" in " ".join(messages_of(decide(officer_client, approved_org, "suspend")))
    assert fresh(approved_org).vetting_state == VettingState.APPROVED

    decide(officer_client, approved_org, "suspend", reason="投诉核查中")
    assert fresh(approved_org).vetting_state == VettingState.SUSPENDED
    decide(officer_client, approved_org, "reinstate", reason="核查完毕")
    assert fresh(approved_org).vetting_state == VettingState.APPROVED
    decide(officer_client, approved_org, "revoke", reason="严重失信")
    assert fresh(approved_org).vetting_state == VettingState.REVOKED


def test_the_decision_asks_the_officer_for_the_password_again(vetting_officer, submitted_org):
    client = sign_in(vetting_officer, reauthenticated=False)

    response = client.post(url("vetting:decide", submitted_org.pk), {"action": "start_review"})

    assert response.status_code == 302 and "/accounts/reauthenticate/" in response["Location"]
    assert fresh(submitted_org).vetting_state == VettingState.SUBMITTED


# --- Change requests ----------------------------------------------------------------------


def test_a_change_to_the_legal_name_waits_for_a_vetting_officer(applicant_client, officer_client, approved_org):
    old_name = approved_org.legal_name
    new_name = "大邑县晨光儿童社会工作服务中心"
    response = applicant_client.get(url("organisations:edit", approved_org.pk))
    assert "go to a vetting officer" in text(response)

    response = applicant_client.post(
        url("organisations:edit", approved_org.pk), registration_data(n=101, legal_name=new_name), follow=True
    )

    assert "Your changes to key facts wait for a vetting officer; until then the approved facts stand." in (
        messages_of(response)
    )
    organisation = fresh(approved_org)
    assert organisation.legal_name == old_name
    assert organisation.vetting_state == VettingState.APPROVED
    change = ChangeRequest.objects.get(organisation=organisation)
    assert change.state == ChangeRequestState.PENDING
    assert change.changes == {"legal_name": {"before": old_name, "after": new_name}}

    page = text(officer_client.get(url("vetting:detail", organisation.pk)))
    assert "Requested change to key facts" in page and new_name in page
    response = officer_client.post(url("vetting:change_request", change.pk), {"approve": "1"}, follow=True)

    assert "The change request was decided." in messages_of(response)
    assert fresh(approved_org).legal_name == new_name
    change.refresh_from_db()
    assert change.state == ChangeRequestState.APPROVED
    assert AuditEntry.objects.filter(action="change_request.approve", object_id=str(organisation.pk)).exists()


def test_a_refused_change_keeps_the_old_facts(applicant_client, officer_client, approved_org):
    old_name = approved_org.legal_name
    applicant_client.post(url("organisations:edit", approved_org.pk), registration_data(n=101, legal_name="别的名字"))
    change = ChangeRequest.objects.get()

    response = officer_client.post(url("vetting:change_request", change.pk), {"approve": "0"}, follow=True)
    assert "Say why the change is refused." in messages_of(response)
    officer_client.post(url("vetting:change_request", change.pk), {"approve": "0", "reason": "与登记证书不符"})

    change.refresh_from_db()
    assert change.state == ChangeRequestState.REJECTED
    assert fresh(approved_org).legal_name == old_name


def test_the_auditor_cannot_decide_a_change_request(auditor, applicant_client, approved_org):
    applicant_client.post(url("organisations:edit", approved_org.pk), registration_data(n=101, legal_name="别的名字"))
    change = ChangeRequest.objects.get()

    response = sign_in(auditor).post(url("vetting:change_request", change.pk), {"approve": "1"})

    assert response.status_code == 403
    change.refresh_from_db()
    assert change.state == ChangeRequestState.PENDING
    assert fresh(approved_org).legal_name != "别的名字"


def test_an_officer_member_cannot_decide_a_change_request(member_officer, applicant_client, approved_org):
    applicant_client.post(url("organisations:edit", approved_org.pk), registration_data(n=101, legal_name="别的名字"))
    change = ChangeRequest.objects.get()
    client = sign_in(member_officer)

    page = text(client.get(url("vetting:detail", approved_org.pk)))
    assert "Requested change to key facts" in page
    assert f'action="{url("vetting:change_request", change.pk)}"' not in page
    assert client.post(url("vetting:change_request", change.pk), {"approve": "1"}).status_code == 403
    change.refresh_from_db()
    assert change.state == ChangeRequestState.PENDING
    assert fresh(approved_org).legal_name != "别的名字"


def test_an_ordinary_field_of_an_approved_organisation_is_saved_at_once(applicant_client, approved_org):
    response = applicant_client.post(
        url("organisations:edit", approved_org.pk), registration_data(n=101, phone="028-12345678"), follow=True
    )

    assert "The profile was saved." in messages_of(response)
    assert fresh(approved_org).phone == "028-12345678"
    assert not ChangeRequest.objects.exists()


def test_registration_says_which_optional_fields_submission_will_need(outsider):
    """Issue 20, item 3: bank details were optional at registration, then refused the
    submission. The form says so beside each such field, in both languages."""
    from vetting.selectors import PROFILE_REQUIRED

    client = sign_in(outsider)
    page = html.unescape(client.get(url("organisations:register")).content.decode())
    for name in ("bank_name", "bank_account_name", "bank_account"):
        assert re.search(rf'id="id_{name}_helptext"[^>]*>Optional now; needed before you submit', page), name
    assert {name for name, _ in PROFILE_REQUIRED} >= {"bank_name", "bank_account_name", "bank_account"}
    chinese = text(client.get(url("organisations:register", lang="zh-hans")))
    assert chinese.count("提交审核前须填写") == 3
