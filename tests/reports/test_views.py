"""Every page of reports for every persona: the public pages are open to all, the
queue, each report and its files to auditors only; anyone else gets a 404 (and the
anonymous visitor the sign-in page), whoever they are, the subject of the report included."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from reports.models import Report, ReportState
from tests.factories import PERSONAS
from tests.reports.helpers import file_report, pdf_upload, text, url

pytestmark = pytest.mark.django_db

NOT_AUDITORS = [p for p in PERSONAS if p not in {"anonymous", "auditor"}]


@pytest.fixture
def report(vetted_org):
    """A report about the vetted charity, with a file and contact details."""
    report, _code = file_report(
        subject_kind="organisation",
        subject_text=vetted_org.legal_name,
        description="The charity's director is the approver's brother; the award was not fair.",
        contact_name="李四",
        contact_email="li.si@example.test",
        uploads=[pdf_upload("tender-notes.pdf")],
    )
    assert report.organisation == vetted_org
    return report


def as_persona(request, persona: str) -> Client:
    if persona == "anonymous":
        return Client()
    client = Client()
    client.force_login(request.getfixturevalue(persona), backend="django.contrib.auth.backends.ModelBackend")
    return client


def pages(report) -> dict[str, tuple[str, str, dict]]:
    stored = report.files.get()
    return {
        "queue": ("get", url("report_queue:list"), {}),
        "queue-filtered": ("get", url("report_queue:list") + "?state=all&subject_kind=organisation", {}),
        "detail": ("get", url("report_queue:detail", report.pk), {}),
        "file": ("get", url("report_queue:file", report.pk, stored.pk), {}),
        "start": ("post", url("report_queue:act", report.pk), {"action": "start"}),
        "close": (
            "post",
            url("report_queue:act", report.pk),
            {"action": "close", "outcome": "referred", "public_outcome": "Referred to the discipline office."},
        ),
        "note": ("post", url("report_queue:note", report.pk), {"text": "A note"}),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", ["new", "track"])
def test_the_public_pages_are_open_to_everyone(request, persona, page):
    response = as_persona(request, persona).get(url(f"reports:{page}"))

    assert response.status_code == 200


@pytest.mark.parametrize("persona", NOT_AUDITORS)
@pytest.mark.parametrize("page", ["queue", "queue-filtered", "detail", "file", "start", "close", "note"])
def test_nobody_but_an_auditor_reaches_the_queue_a_report_or_its_files(request, report, persona, page):
    method, address, data = pages(report)[page]

    response = getattr(as_persona(request, persona), method)(address, data)

    assert response.status_code == 404
    assert "李四" not in text(response) and "brother" not in text(response)
    report.refresh_from_db()
    assert report.state == ReportState.OPEN and report.events.count() == 1


@pytest.mark.parametrize("page", ["queue", "detail", "file", "start", "note"])
def test_the_anonymous_visitor_is_asked_to_sign_in(report, page):
    method, address, data = pages(report)[page]

    response = getattr(Client(), method)(address, data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_auditor_reads_the_queue_and_filters_it(client_for, auditor, report):
    other, _code = file_report(subject_kind="other", description="Something else again, about a different matter.")
    client = client_for(auditor)

    everything = text(client.get(url("report_queue:list")))
    assert report.reference in everything and other.reference in everything
    about_organisations = text(client.get(url("report_queue:list") + "?subject_kind=organisation"))
    assert report.reference in about_organisations and other.reference not in about_organisations
    closed_only = text(client.get(url("report_queue:list") + "?state=closed"))
    assert report.reference not in closed_only
    assert client.get(url("report_queue:list") + "?state=bogus&subject_kind=%00").status_code == 200


def test_the_auditor_reads_a_report_with_its_contact_and_files_and_that_is_audited(client_for, auditor, report):
    client = client_for(auditor)

    response = client.get(url("report_queue:detail", report.pk))

    body = text(response)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
    assert "the approver's brother" in body
    assert "李四" in body and "li.si@example.test" in body
    assert "tender-notes.pdf" in body
    assert "大邑县仁爱慈善会" in body  # what the reference was found to be
    assert AuditEntry.objects.filter(action="report.view", actor_id=auditor.pk).count() == 1


def test_the_auditor_downloads_a_file_as_an_attachment_and_that_is_audited(client_for, auditor, report):
    stored = report.files.get()

    response = client_for(auditor).get(url("report_queue:file", report.pk, stored.pk))

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="report.file_download", actor_id=auditor.pk).exists()


def test_a_file_of_another_report_is_a_404(client_for, auditor, report):
    other, _code = file_report(description="A different report with a different text entirely.")

    response = client_for(auditor).get(url("report_queue:file", other.pk, report.files.get().pk))

    assert response.status_code == 404


def test_files_are_never_under_a_public_url(report, settings):
    stored = report.files.get()
    assert not stored.file.path.startswith(str(settings.MEDIA_ROOT))
    assert not stored.file.path.startswith(str(settings.STATIC_ROOT))
    assert Client().get(f"/media/{stored.file.name}").status_code == 404


def test_the_auditor_works_a_report_through_the_pages(client_for, auditor, report):
    client = client_for(auditor)
    detail = url("report_queue:detail", report.pk)

    started = client.post(url("report_queue:act", report.pk), {"action": "start"}, follow=True)
    # Issue 20, item 14: the message says what happened to this report, not a bare "done".
    assert f"You are now looking into report {report.reference}." in text(started)
    refused = client.post(url("report_queue:act", report.pk), {"action": "close", "outcome": "referred"}, follow=True)
    assert "This field is required." in text(refused)
    assert Report.objects.get(pk=report.pk).state == ReportState.INVESTIGATING
    done = client.post(
        url("report_queue:act", report.pk),
        {"action": "close", "outcome": "referred", "public_outcome": "Referred to the county discipline office."},
        follow=True,
    )
    assert f"Report {report.reference} is closed with its outcome." in text(done)
    assert Report.objects.get(pk=report.pk).state == ReportState.CLOSED
    wrong = client.post(url("report_queue:act", report.pk), {"action": "start"}, follow=True)
    assert "cannot be given" in text(wrong)
    client.post(url("report_queue:act", report.pk), {"action": "reopen", "reason": "The reporter called again."})
    assert Report.objects.get(pk=report.pk).state == ReportState.INVESTIGATING
    client.post(url("report_queue:note", report.pk), {"text": "Called the agency."})
    history = text(client.get(detail))
    assert "Called the agency." in history and "The reporter called again." in history


def test_a_missing_report_is_a_404_for_the_auditor(client_for, auditor):
    assert client_for(auditor).get(url("report_queue:detail", 999999)).status_code == 404


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_auditors_see_the_queue_on_their_dashboard_and_in_the_menu(request, persona, report):
    client = as_persona(request, persona)
    if persona == "anonymous":
        return
    response = client.get(url("core:dashboard"), follow=True)

    shown = 'data-testid="report-queue-card"' in text(response)
    assert shown == (persona == "auditor")
    if persona == "auditor":
        assert "1 received and waiting, 0 being looked into." in text(response)
        assert url("report_queue:list") in text(response)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "anonymous"])
def test_only_auditors_have_the_queue_in_their_menu(request, persona):
    from accounts.policy import navigation_for

    keys = {item.key for item in navigation_for(request.getfixturevalue(persona))}

    assert ("reports" in keys) == (persona == "auditor")
