"""Filing a report at /report/: what a person sees, what is stored, and every refusal
storing nothing."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.utils import translation
from django.utils.translation import gettext
from PIL import Image

from audit.models import AuditEntry
from needs.services import need_create
from notifications.models import Notification
from reports import codes, guards
from reports.models import Report, ReportEvent, ReportFile
from tests.needs.helpers import card, person
from tests.reports.helpers import file_report, form_data, jpeg_with_exif, pdf_upload, stamp, stored_files, text, url
from tests.vetting import corpus

pytestmark = pytest.mark.django_db

CODE = re.compile(r'data-testid="tracking-code"[^>]*>([0-9A-Z-]+)<')


def shown_code(response) -> str:
    match = CODE.search(response.content.decode())
    assert match, "no tracking code on the page"
    return match.group(1)


def same_page(response) -> str:
    """The page without what differs on every response: the code, times, tokens."""
    page = CODE.sub("", text(response))
    page = re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "", page)
    return re.sub(r'(value|nonce)="[^"]*"', "", page)


def nothing_stored(private_root) -> None:
    assert Report.objects.count() == 0
    assert ReportEvent.objects.count() == 0
    assert ReportFile.objects.count() == 0
    assert stored_files(private_root) == []
    assert not AuditEntry.objects.filter(action__startswith="report.").exists()


# --- The page ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_form_is_open_to_anyone_in_both_languages(browser, lang, heading="Report fraud or favouritism"):
    response = browser.get(url("reports:new", lang=lang))

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert 'name="website"' in text(response)  # the honeypot is there, hidden
    assert 'name="issued"' in text(response)
    with translation.override(lang):
        assert gettext(heading) in text(response)


def test_a_signed_in_person_files_and_the_report_is_not_linked_to_them(client_for, caseworker):
    client = client_for(caseworker)

    response = client.post(url("reports:new"), form_data())

    assert response.status_code == 200
    report = Report.objects.get()
    # No column of the report points at a user, and the filing event has no actor.
    assert not any(f.related_model and f.related_model._meta.label == "accounts.User" for f in Report._meta.fields)
    assert report.events.get().by is None
    entry = AuditEntry.objects.get(action="report.file")
    assert entry.actor_id is None and entry.actor_label == "public" and entry.ip is None


# --- Filing ----------------------------------------------------------------------------


def test_an_anonymous_report_is_received_with_a_code_shown_once(browser, auditor):
    response = browser.post(url("reports:new"), form_data(contact_name="Should be dropped"))

    assert response.status_code == 200
    page = text(response)
    assert "Your report was received" in page
    assert "It is shown only this once" in page
    code = shown_code(response)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){3}", code)
    report = Report.objects.get()
    assert report.code_hash == codes.code_hash(code)
    assert code not in str(Report.objects.values().get())  # only the hash is stored
    assert not report.has_contact  # typed while anonymous: discarded
    assert report.state == "open"
    assert report.language == "en"
    # The auditors hear of it, without its content.
    notification = Notification.objects.get(user=auditor, event="report_filed")
    assert notification.params == {"report": report.reference}
    # Shown once: the code appears on no later page.
    assert code not in text(browser.get(url("reports:track")))


def test_contact_details_are_stored_encrypted(browser):
    response = browser.post(
        url("reports:new"),
        form_data(anonymous="0", contact_name="王小明", contact_email="wang@example.test", contact_phone="13800138000"),
    )

    assert response.status_code == 200
    report = Report.objects.get()
    assert (report.contact_name, report.contact_email, report.contact_phone) == (
        "王小明",
        "wang@example.test",
        "13800138000",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact_name, contact_email, contact_phone FROM reports_report")
        raw = cursor.fetchone()
    assert all(value.startswith("gAAAAA") for value in raw)
    assert "13800138000" not in " ".join(raw) and "wang@" not in " ".join(raw)
    assert AuditEntry.objects.get(action="report.file").summary["contact"] is True


def test_asking_to_be_contacted_needs_a_way_to_reach_you(browser, private_root):
    response = browser.post(url("reports:new"), form_data(anonymous="0", contact_name="王小明"))

    assert response.status_code == 400
    assert "Give an email address or a phone number, or choose to stay anonymous." in text(response)
    nothing_stored(private_root)


def test_a_reference_is_resolved_silently(browser, vetted_org):
    public_answer = browser.post(
        url("reports:new"), form_data(subject_kind="organisation", subject_text=vetted_org.legal_name)
    )
    unknown_answer = browser.post(
        url("reports:new"),
        form_data(
            subject_kind="organisation",
            subject_text="No such organisation",
            description="Another matter entirely, with different words so that it is no duplicate.",
        ),
    )

    found, not_found = Report.objects.order_by("pk")
    assert found.organisation == vetted_org and not_found.organisation is None
    # The reporter reads the same page whether or not the reference named something.
    assert same_page(public_answer) == same_page(unknown_answer)


def test_a_need_reference_resolves_even_when_not_public(browser, caseworker, county_agency):
    need = need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    assert need.state == "draft"
    browser.post(url("reports:new"), form_data(subject_kind="need", subject_text=need.reference.lower()))

    assert Report.objects.get().need == need


# --- Attachments --------------------------------------------------------------------


def test_files_are_accepted_and_images_lose_their_metadata(browser, private_root):
    response = browser.post(url("reports:new"), {**form_data(), "attachments": [pdf_upload(), jpeg_with_exif()]})

    assert response.status_code == 200, text(response)
    report = Report.objects.get()
    pdf, photo = report.files.order_by("pk")
    assert (pdf.display_name, pdf.content_type) == ("evidence.pdf", "application/pdf")
    assert photo.content_type == "image/jpeg"
    assert len(stored_files(private_root)) == 2
    with photo.file.open("rb") as handle:
        content = handle.read()
    assert b"SecretPhoneMaker" not in content and b"Model-X-Whistle" not in content
    with Image.open(photo.file.path) as image:
        assert not image.getexif()
        assert image.size == (30, 40)  # turned upright as the camera meant
    assert "/media/" not in photo.file.path and str(private_root) in photo.file.path


@pytest.mark.parametrize(
    "case",
    [c for c in corpus.bad_cases() if c.case_id in {"zip-named-pdf", "exe-named-jpg", "png-named-pdf", "empty"}],
    ids=lambda c: c.case_id,
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_is_stored(browser, private_root, case):
    upload = corpus.upload(case)

    response = browser.post(url("reports:new"), {**form_data(), "attachments": [upload]})

    assert response.status_code == 400
    assert case.message.split("“")[0][:20] in text(response) or "empty" in text(response)
    assert "Files are not kept when a form is refused" in text(response)
    nothing_stored(private_root)


def test_more_than_five_files_are_refused(browser, private_root):
    uploads = [pdf_upload(f"p{i}.pdf") for i in range(6)]

    response = browser.post(url("reports:new"), {**form_data(), "attachments": uploads})

    assert response.status_code == 400
    assert "Send at most 5 files at a time." in text(response)
    nothing_stored(private_root)


# --- Bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"description": ""}, "Describe what happened."),
        ({"description": "   "}, "Describe what happened."),
        ({"description": "too short"}, "at least 20 characters"),
        ({"description": "x" * 5001}, "At most 5000 characters"),
        ({"description": "A long enough text with a NUL \x00 in the middle of it."}, "Null characters are not allowed"),
        ({"subject_text": "N0001\x00"}, "Null characters are not allowed"),
        ({"subject_text": "x" * 201}, "at most 200 characters"),
        ({"subject_kind": ""}, "Choose what your report is about."),
        ({"subject_kind": "beneficiary"}, "Choose what your report is about from the list."),
        (
            {"description": "See http://a.example http://b.example http://c.example www.d.example now"},
            "At most 3 web links",
        ),
        ({"anonymous": "0", "contact_email": "not-an-email"}, "Enter a valid email address."),
        ({"anonymous": "0", "contact_phone": "call me maybe"}, "Enter a phone number"),
    ],
)
def test_bad_input_gets_a_message_and_stores_nothing(browser, private_root, change, message):
    response = browser.post(url("reports:new"), form_data(**change))

    assert response.status_code == 400
    assert message in text(response)
    nothing_stored(private_root)


def test_bad_input_is_explained_in_chinese_too(browser, private_root):
    response = browser.post(url("reports:new", lang="zh-hans"), form_data(description=""))

    assert response.status_code == 400
    assert 'lang="zh-Hans"' in text(response)
    with translation.override("zh-hans"):
        assert gettext("Describe what happened.") in text(response)
    nothing_stored(private_root)


def test_the_same_text_twice_is_refused_the_second_time(browser, private_root):
    browser.post(url("reports:new"), form_data())
    again = form_data(
        description="  THE SERVICE paid for under this contract was never delivered to the families listed. "
    )

    response = browser.post(url("reports:new"), again)

    assert response.status_code == 400
    assert "We received a report with exactly this text recently" in text(response)
    assert Report.objects.count() == 1


# --- Abuse resistance ---------------------------------------------------------------


def test_a_filled_honeypot_is_refused_and_stores_nothing(browser, private_root):
    response = browser.post(
        url("reports:new"), {**form_data(website="http://spam.example"), "attachments": [pdf_upload()]}
    )

    assert response.status_code == 400
    assert "Your report could not be accepted." in text(response)
    assert "never delivered" not in text(response)  # nothing it sent is echoed back
    nothing_stored(private_root)


@pytest.mark.parametrize(
    ("issued", "message"),
    [
        (lambda: stamp(seconds_ago=0), "The form was sent too quickly"),
        (lambda: stamp(seconds_ago=guards.MAX_FORM_AGE + 60), "has expired"),
        (lambda: "", "This form could not be checked"),
        (lambda: "12345:forged", "This form could not be checked"),
    ],
    ids=["too-fast", "stale", "missing", "forged"],
)
def test_a_form_sent_too_fast_too_late_or_without_its_stamp_stores_nothing(browser, private_root, issued, message):
    response = browser.post(url("reports:new"), form_data(issued=issued()))

    assert response.status_code == 400
    page = text(response)
    assert message in page
    assert "never delivered" in page  # the person's text is kept on the page to send again
    nothing_stored(private_root)


def test_filing_is_rate_limited_per_address(browser, private_root):
    for _ in range(guards.FILE_LIMIT.attempts):
        assert browser.post(url("reports:new"), form_data(description="")).status_code == 400

    refused = browser.post(url("reports:new"), form_data())

    assert refused.status_code == 429
    assert "Too many attempts came from your network." in text(refused)
    nothing_stored(private_root)
    # Another address is not held back.
    other = browser.post(url("reports:new"), form_data(), REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_the_description_and_what_the_reporter_adds_are_stored_encrypted(browser):
    from reports import services

    description = "王小明的低保补助被社工张某扣留了三个月，家里没有钱买药。"
    report, _code = file_report(description=description)
    services.report_follow_up(report=report, text="补充：扣留的时间是今年三月到五月。")
    report.refresh_from_db()
    assert report.description == description
    assert [e.text for e in report.events.order_by("pk") if e.text] == ["补充：扣留的时间是今年三月到五月。"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM reports_report")
        stored = [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT text FROM reports_reportevent WHERE text <> ''")
        stored += [row[0] for row in cursor.fetchall()]
    assert len(stored) == 2 and all(value.startswith("gAAAAA") for value in stored)
    assert not any("王小明" in value or "三月" in value for value in stored)


@pytest.mark.django_db(transaction=True)
def test_migration_0002_encrypts_the_reports_already_filed():
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.migrate([("reports", "0001_initial")])
    with connection.cursor() as cursor:  # a report filed before: its words in clear
        cursor.execute(
            "INSERT INTO reports_report (subject_kind, subject_text, description, contact_name, contact_email, "
            "contact_phone, language, code_hash, fingerprint, state, outcome, public_outcome, private_notes, "
            "filed_at, updated_at) VALUES ('other', '', %s, '', '', '', 'zh-hans', 'h', 'f', 'open', '', '', '', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
            ["社工张某扣留了王小明的补助。"],
        )
        cursor.execute("SELECT id FROM reports_report")
        (pk,) = cursor.fetchone()
        cursor.execute(
            "INSERT INTO reports_reportevent (report_id, action, from_state, to_state, text, at) "
            "VALUES (%s, 'follow_up', 'open', 'open', %s, CURRENT_TIMESTAMP)",
            [pk, "补充：王小明住在三号楼。"],
        )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes("reports"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT description FROM reports_report UNION ALL SELECT text FROM reports_reportevent")
        stored = [row[0] for row in cursor.fetchall()]
    assert len(stored) == 2 and all(value.startswith("gAAAAA") and "王小明" not in value for value in stored)
    report = Report.objects.get(pk=pk)
    assert report.description == "社工张某扣留了王小明的补助。"
    assert report.events.get().text == "补充：王小明住在三号楼。"
