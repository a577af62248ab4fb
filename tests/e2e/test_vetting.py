"""An organisation from registration to the directory, in a real browser.

A new organisation admin (created here: signing up would need an emailed verification
link) signs in with password and authenticator code, registers the organisation, uploads
its three documents and submits; the demo vetting officer starts the review, passes every
checklist item and approves; the organisation appears in the public directory, and its
admin, signing in again, sees it approved.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.storage import storages

from categories.models import Category
from organisations.models import Organisation, VettingState
from tests.e2e.helpers import (
    confirm_password_if_asked,
    path_of,
    sign_in,
    sign_out,
)
from tests.factories import PASSWORD, TOTP_SECRET, UserFactory, valid_uscc
from vetting.models import Document, DocumentType, Review
from vetting.workflow import CHECKLIST_CODES
from website.demo import DEMO_PASSWORD, demo_pdf, demo_png

pytestmark = pytest.mark.e2e

LEGAL_NAME = "大邑县晨光社会工作服务中心"
USCC = valid_uscc(4242)
ADMIN_EMAIL = "chenguang.admin@example.test"
OFFICER_EMAIL = "vetting@safetynet.test"
ORGANISATION_PAGE = re.compile(r"/organisations/(\d+)/$")
VETTING_PAGE = re.compile(r"/vetting/(\d+)/$")


@pytest.fixture
def private_storage(settings, tmp_path, monkeypatch):
    """Uploaded documents go to this test's temporary folder, not var/private."""
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    monkeypatch.setattr(Document._meta.get_field("file"), "storage", storages["private"])
    return root


@pytest.fixture
def document_files(tmp_path):
    """The three required documents, as files on the admin's computer."""
    folder = tmp_path / "upload"
    folder.mkdir()
    files = {
        DocumentType.REGISTRATION: ("登记证书.png", demo_png("Registration certificate")),
        DocumentType.ANNUAL_REPORT: ("2025年度工作报告.pdf", demo_pdf("Annual report 2025")),
        DocumentType.BANK: ("开户许可证.pdf", demo_pdf("Bank account proof")),
    }
    paths = {}
    for doc_type, (name, content) in files.items():
        path = folder / name
        path.write_bytes(content)
        paths[doc_type] = path
    return paths


def state_of(page) -> str:
    """The vetting state the page shows, from the badge's class (state-<value>)."""
    badge = page.get_by_test_id("vetting-state")
    return next(c.removeprefix("state-") for c in badge.get_attribute("class").split() if c.startswith("state-"))


def register_organisation(page, base_url: str) -> int:
    page.goto(base_url + "/organisations/register/")
    form = page.locator("form:has([data-testid=save-organisation])")
    form.locator("input[name=legal_name]").fill(LEGAL_NAME)
    form.locator("input[name=uscc]").fill(USCC)
    form.locator("select[name=kind]").select_option("social_work")
    form.locator("input[name=region]").fill("大邑县")
    form.locator("input[name=registration_authority]").fill("大邑县民政局")
    form.locator("input[name=registration_date]").fill("2019-05-20")
    form.locator("textarea[name=service_regions_text]").fill("晋原街道")
    for code in ("child_care", "education"):
        pk = Category.objects.get(code=code).pk
        form.locator(f"input[name=service_categories][value='{pk}']").check()
    form.locator("input[name=capacity]").fill("30")
    form.locator("input[name=staff_count]").fill("8")
    form.locator("input[name=social_workers]").fill("3")
    form.locator("textarea[name=description]").fill("为困境儿童提供课后照料与陪伴。")
    form.locator("input[name=contact_name]").fill("张老师")
    form.locator("input[name=email]").fill("office@chenguang.example.test")
    form.locator("input[name=phone]").fill("028-88880001")
    form.locator("input[name=bank_name]").fill("中国农业银行大邑县支行")
    form.locator("input[name=bank_account_name]").fill(LEGAL_NAME)
    form.locator("input[name=bank_account]").fill("2281000000000001")
    with page.expect_navigation():
        page.get_by_test_id("save-organisation").click()
    match = ORGANISATION_PAGE.search(path_of(page))
    assert match, f"registration did not reach the organisation's page: {page.url}"
    return int(match.group(1))


def upload_documents(page, document_files) -> None:
    for count, (doc_type, path) in enumerate(document_files.items(), start=1):
        form = page.locator("form:has([data-testid=upload-document])")
        form.locator("select[name=doc_type]").select_option(doc_type)
        form.locator("input[name=file]").set_input_files(str(path))
        with page.expect_navigation():
            page.get_by_test_id("upload-document").click()
        assert page.get_by_test_id("document-link").count() == count
        assert page.get_by_test_id("document-link").filter(has_text=path.name).count() == 1


def record_decision(page, action: str) -> None:
    # The page's document previews load lazily, when scrolled into view (as clicking the
    # button below does); the live server's shared in-memory SQLite fails a write that meets
    # them ("database table is locked"): load them all now and let them finish first.
    page.evaluate(
        """() => Promise.all([...document.images].map(img => {
            img.loading = "eager";
            return img.complete ? null : new Promise(done => { img.onload = img.onerror = done; });
        }))"""
    )
    page.wait_for_load_state("networkidle")
    form = page.locator("form:has([data-testid=record-decision])")
    form.locator("select[name=action]").select_option(action)
    with page.expect_navigation():
        page.get_by_test_id("record-decision").click()
    confirm_password_if_asked(page, DEMO_PASSWORD)
    assert VETTING_PAGE.search(path_of(page)), page.url


def test_an_organisation_registers_is_vetted_and_appears_in_the_directory(
    private_storage, page, base_url, document_files
):
    admin = UserFactory(email=ADMIN_EMAIL, display_name="张晨", mfa=True)

    # --- The organisation's admin --------------------------------------------------------
    sign_in(page, base_url, ADMIN_EMAIL, PASSWORD, TOTP_SECRET)
    pk = register_organisation(page, base_url)
    organisation = Organisation.objects.get(pk=pk)
    assert organisation.legal_name == LEGAL_NAME and organisation.uscc == USCC
    assert organisation.memberships.filter(user=admin, role="org_admin").exists()
    assert state_of(page) == VettingState.DRAFT
    assert page.get_by_test_id("missing").is_visible()

    upload_documents(page, document_files)
    assert page.get_by_test_id("missing").count() == 0
    assert Document.objects.filter(organisation=organisation).count() == 3
    assert len([p for p in private_storage.rglob("*") if p.is_file()]) == 3 + 3  # and the demo's three

    with page.expect_navigation():
        page.get_by_test_id("submit-application").click()
    confirm_password_if_asked(page, PASSWORD)
    assert ORGANISATION_PAGE.search(path_of(page)), page.url
    assert state_of(page) == VettingState.SUBMITTED
    assert page.get_by_test_id("submit-application").count() == 0
    sign_out(page)

    # --- The vetting officer -------------------------------------------------------------
    sign_in(page, base_url, OFFICER_EMAIL)
    page.locator("[data-nav=vetting]").click()
    page.wait_for_url(re.compile(r"/vetting/$"))
    queue = page.get_by_test_id("vetting-queue")
    assert queue.get_by_role("link", name=LEGAL_NAME).is_visible()
    with page.expect_navigation():
        queue.get_by_role("link", name=LEGAL_NAME).click()
    assert path_of(page) == f"/vetting/{pk}/"
    assert state_of(page) == VettingState.SUBMITTED
    assert page.get_by_test_id("document-link").count() == 3

    record_decision(page, "start_review")
    assert state_of(page) == VettingState.UNDER_REVIEW

    checklist = page.locator("form:has([data-testid=save-checklist])")
    for code in CHECKLIST_CODES:
        checklist.locator(f"fieldset[data-item='{code}'] input[type=radio][value=pass]").check()
    with page.expect_navigation():
        page.get_by_test_id("save-checklist").click()
    review = Review.objects.get(organisation=organisation)
    assert dict(review.items.values_list("item", "outcome")) == dict.fromkeys(CHECKLIST_CODES, "pass")
    for code in CHECKLIST_CODES:
        assert page.locator(f"fieldset[data-item='{code}'] input[value=pass]").is_checked()

    record_decision(page, "approve")
    assert state_of(page) == VettingState.APPROVED
    organisation.refresh_from_db()
    assert organisation.vetting_state == VettingState.APPROVED and organisation.is_vetted

    # --- The public directory ------------------------------------------------------------
    page.goto(base_url + "/directory/")
    directory = page.get_by_test_id("directory")
    assert directory.get_by_role("link", name=LEGAL_NAME).is_visible()
    sign_out(page)
    page.goto(base_url + "/directory/?q=晨光")
    with page.expect_navigation():
        page.get_by_test_id("directory").get_by_role("link", name=LEGAL_NAME).click()
    assert path_of(page) == f"/directory/{pk}/"
    assert "2281000000000001" not in page.content()

    # --- The admin again ------------------------------------------------------------------
    sign_in(page, base_url, ADMIN_EMAIL, PASSWORD, TOTP_SECRET)
    with page.expect_navigation():
        page.locator("[data-nav=my_organisation]").click()
    assert path_of(page) == f"/organisations/{pk}/"
    assert state_of(page) == VettingState.APPROVED
    page.goto(base_url + f"/en/organisations/{pk}/")
    assert page.get_by_test_id("vetting-state").inner_text().strip() == "Approved"
