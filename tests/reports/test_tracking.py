"""Following a report with its code at /report/track/, and adding to it while it is open."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from notifications.models import Notification
from reports import codes, guards, services
from reports.models import ReportEvent, ReportFile
from tests.reports.helpers import file_report, jpeg_with_exif, pdf_upload, stored_files, text, url

pytestmark = pytest.mark.django_db


def open_with(browser, code: str, **extra):
    return browser.post(url("reports:track"), {"code": code}, **extra)


def test_the_code_opens_the_report_and_shows_only_its_status(browser):
    report, code = file_report(description="Secret details that the tracking page must not echo back.")

    response = open_with(browser, code)
    assert response.status_code == 302
    page = browser.get(url("reports:track"))

    assert page.status_code == 200
    assert page["Cache-Control"] == "no-store"
    body = text(page)
    assert "Received" in body and timezone.localdate(report.filed_at).isoformat() in body  # the date in Beijing
    assert "Your report is waiting for an auditor." in body
    assert "Secret details" not in body  # someone who finds the code does not read the report
    assert "Add information or files" in body


@pytest.mark.parametrize(
    "typed",
    [
        lambda c: c.lower(),
        lambda c: c.replace("-", " "),
        lambda c: c.replace("-", ""),
        lambda c: c.replace("0", "O").replace("1", "l"),
        lambda c: "".join(chr(ord(ch) + 0xFEE0) if ch.isalnum() else ch for ch in c),  # full-width
    ],
    ids=["lower-case", "spaces", "no-separators", "letters-for-digits", "full-width"],
)
def test_the_code_may_be_typed_loosely(browser, typed):
    _report, code = file_report()

    assert open_with(browser, typed(code)).status_code == 302


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        ("", "Enter your tracking code."),
        ("ABCD", "No report matches this code."),
        ("0000-0000-0000-0000", "No report matches this code."),
        ("not a code at all", "No report matches this code."),
        ("A" * 70, "at most 64 characters"),
        ("AB\x00C", "Null characters are not allowed."),
    ],
)
def test_a_wrong_code_gets_a_neutral_message(browser, wrong, message):
    file_report()

    response = open_with(browser, wrong)

    assert response.status_code == 400
    assert message in text(response)
    assert "Your report is waiting" not in text(response)


def test_wrong_codes_are_rate_limited_and_the_next_attempt_is_refused_even_with_the_right_code(browser):
    _report, code = file_report()
    for _ in range(guards.TRACK_LIMIT.attempts):
        assert open_with(browser, "0000-0000-0000-0000").status_code == 400

    refused = open_with(browser, code)

    assert refused.status_code == 429
    assert "Too many attempts came from your network." in text(refused)
    # From another address the right code still works.
    assert open_with(browser, code, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_the_status_page_speaks_chinese(browser):
    _report, code = file_report()
    open_with(browser, code)

    page = browser.get(url("reports:track", lang="zh-hans"))

    assert 'lang="zh-Hans"' in text(page)
    with translation.override("zh-hans"):
        assert gettext("Your report is waiting for an auditor. When they close it, the outcome appears here.") in text(
            page
        )


def test_the_reporter_adds_information_and_files_while_it_is_open(browser, private_root, auditor):
    report, code = file_report()
    open_with(browser, code)

    response = browser.post(
        url("reports:add"),
        {
            "text": "The contractor's van was seen at the approver's home.",
            "attachments": [pdf_upload(), jpeg_with_exif()],
        },
    )

    assert response.status_code == 302
    page = text(browser.get(url("reports:track")))
    assert "Thank you: your information was added to the report." in page
    assert "(2 files)" in page
    event = ReportEvent.objects.get(report=report, action="follow_up")
    assert event.by is None and "van was seen" in event.text
    assert ReportFile.objects.filter(report=report, event=event).count() == 2
    assert len(stored_files(private_root)) == 2
    assert Notification.objects.filter(user=auditor, event="report_follow_up").count() == 1


def test_adding_nothing_is_refused(browser, private_root):
    report, code = file_report()
    open_with(browser, code)

    response = browser.post(url("reports:add"), {"text": "  "})

    assert response.status_code == 400
    assert "Write something or choose a file to add." in text(response)
    assert not report.events.filter(action="follow_up").exists()


def test_nothing_can_be_added_after_the_report_is_closed(browser, private_root, auditor):
    report, code = file_report()
    open_with(browser, code)
    services.report_transition(
        report=report, action="close", by=auditor, outcome="not_substantiated", public_outcome="We found no wrongdoing."
    )

    page = text(browser.get(url("reports:track")))
    assert "We found no wrongdoing." in page and "Not substantiated" in page
    assert "This report is closed, so nothing more can be added." in page
    assert "Add information or files" not in page

    response = browser.post(url("reports:add"), {"text": "One more thing", "attachments": [pdf_upload()]})

    assert response.status_code == 400
    assert "This report is closed; nothing more can be added to it." in text(response)
    assert not report.events.filter(action="follow_up").exists()
    assert stored_files(private_root) == []


def test_adding_without_having_entered_the_code_is_refused(browser):
    report, _code = file_report()

    response = browser.post(url("reports:add"), {"text": "Trying my luck"}, follow=True)

    assert "Enter your tracking code again to add information." in text(response)
    assert not report.events.filter(action="follow_up").exists()


def test_additions_are_rate_limited(browser, private_root):
    report, code = file_report()
    open_with(browser, code)
    for i in range(guards.FOLLOW_UP_LIMIT.attempts):
        browser.post(url("reports:add"), {"text": f"Addition number {i}"})

    refused = browser.post(url("reports:add"), {"text": "One too many"})

    assert refused.status_code == 429
    assert report.events.filter(action="follow_up").count() == guards.FOLLOW_UP_LIMIT.attempts


def test_done_closes_the_report_in_this_browser(browser):
    _report, code = file_report()
    open_with(browser, code)

    browser.post(url("reports:forget"))

    assert "Enter the tracking code you were given" in text(browser.get(url("reports:track")))


def test_codes_are_long_random_and_only_their_hash_is_kept():
    seen = {codes.new_code() for _ in range(200)}
    assert len(seen) == 200
    for code in seen:
        assert codes.canonical(code) and len(codes.canonical(code)) == 16
        assert not set(code.replace("-", "")) & set("ILOU")
    assert codes.code_hash("nonsense") is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "x" * 5001}, "At most 5000 characters"),
        ({"text": "A NUL \x00 inside"}, "Null characters are not allowed."),
        ({"text": "http://a.example http://b.example http://c.example http://d.example"}, "At most 3 web links"),
    ],
    ids=["over-long", "nul", "links"],
)
def test_a_bad_addition_gets_a_message_and_stores_nothing(browser, private_root, data, message):
    report, code = file_report()
    open_with(browser, code)

    response = browser.post(url("reports:add"), {**data, "attachments": [pdf_upload()]})

    assert response.status_code == 400
    assert message in text(response)
    assert not report.events.filter(action="follow_up").exists()
    assert stored_files(private_root) == []
