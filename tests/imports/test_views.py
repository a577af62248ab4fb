"""Import pages for every role, upload to commit through the browser's requests, the
template, and the formula-safe export of the needs list."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from imports import services
from imports.columns import COLUMNS
from imports.models import ImportState, NeedImport
from needs import services as need_services
from needs.models import Need
from tests.factories import PERSONAS
from tests.imports.files import csv_bytes, rows, xlsx_bytes
from tests.needs.helpers import CANARY_ID, CANARY_NAME, CANARY_PHONE, card, person

RECORDERS = {"caseworker": 200, "approver": 200}
EXPECTED = {
    # Pages of one's own agency: the recorders of any agency; everyone else 403.
    "start": {"anonymous": 302, **RECORDERS, "other_caseworker": 200, "default": 403},
    "template_csv": {"anonymous": 302, **RECORDERS, "other_caseworker": 200, "default": 403},
    "template_xlsx": {"anonymous": 302, **RECORDERS, "other_caseworker": 200, "default": 403},
    # The county's import: its recorders only; for everyone else it does not exist.
    "detail": {"anonymous": 302, **RECORDERS, "default": 404},
    "progress": {"anonymous": 302, **RECORDERS, "default": 404},
    "problems": {"anonymous": 302, **RECORDERS, "default": 404},
}


@pytest.fixture
def batch(caseworker, county_agency):
    return services.import_upload(
        agency=county_agency, by=caseworker, name="县里的需求.csv", data=csv_bytes(rows(2, budget="-1"))
    )


def _client(request, client, persona):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona), backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_pages_for_every_role(request, client, batch, persona):
    client = _client(request, client, persona)
    pages = {
        "start": reverse("imports:start"),
        "template_csv": reverse("imports:template", args=["csv"]),
        "template_xlsx": reverse("imports:template", args=["xlsx"]),
        "detail": reverse("imports:detail", args=[batch.pk]),
        "progress": reverse("imports:progress", args=[batch.pk]),
        "problems": reverse("imports:problems", args=[batch.pk]),
    }
    for key, path in pages.items():
        response = client.get(path)
        expected = EXPECTED[key].get(persona, EXPECTED[key]["default"])
        assert response.status_code == expected, (persona, key)
        if expected != 200:
            assert "县里的需求" not in response.content.decode(), (persona, key)


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "caseworker"])
def test_nobody_but_the_uploader_commits_and_nothing_changes(request, client, caseworker, county_agency, persona):
    batch = services.import_upload(agency=county_agency, by=caseworker, name="a.csv", data=csv_bytes(rows(2)))
    client = _client(request, client, persona)
    response = client.post(reverse("imports:commit", args=[batch.pk]))
    expected = {"anonymous": 302, "approver": 403}.get(persona, 404)
    assert response.status_code == expected
    assert NeedImport.objects.get(pk=batch.pk).state == ImportState.PREVIEWED
    assert Need.objects.count() == 0


def test_nobody_uploads_into_an_agency_they_do_not_record_for(client_for, other_caseworker, county_agency):
    client = client_for(other_caseworker, reauthenticated=False)
    upload = io.BytesIO(csv_bytes(rows(1)))
    upload.name = "a.csv"
    response = client.post(reverse("imports:start"), {"agency": county_agency.pk, "file": upload})
    assert response.status_code == 200  # the form refuses an agency it does not offer
    assert NeedImport.objects.count() == 0


# --- Upload, preview, commit --------------------------------------------------------


def _upload(client, data: bytes, name: str = "needs.csv", agency=None, language: str = "en"):
    upload = io.BytesIO(data)
    upload.name = name
    payload = {"file": upload, **({"agency": agency.pk} if agency else {})}
    return client.post(reverse("imports:start") if language != "en" else "/en/needs/import/", payload)


def test_upload_shows_every_bad_row_and_offers_no_import(client_for, caseworker, county_agency):
    client = client_for(caseworker, reauthenticated=False)
    data = csv_bytes([*rows(2), *rows(1, title='=HYPERLINK("http://x","y")', id_number="510129198503120011")])
    response = _upload(client, data, agency=county_agency)
    batch = NeedImport.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/needs/import/{batch.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Nothing can be imported until every problem is corrected." in page
    assert page.count('data-row="4"') == 2  # row 4: the formula and the check digit
    assert 'data-testid="commit-import"' not in page
    problems = client.get(reverse("imports:problems", args=[batch.pk]))
    assert problems["Content-Type"].startswith("text/csv") and problems.content.startswith(b"\xef\xbb\xbf")
    listed = list(csv.reader(io.StringIO(problems.content.decode("utf-8-sig"))))
    assert [line[0] for line in listed[1:]] == ["4", "4"]


def test_upload_then_commit_creates_the_needs_once(
    client_for, caseworker, county_agency, django_capture_on_commit_callbacks
):
    client = client_for(caseworker, reauthenticated=False)
    response = _upload(client, xlsx_bytes(rows(3)), name="needs.xlsx", agency=county_agency)
    batch = NeedImport.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="commit-import"' in page and "Import 3 needs" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/en/needs/import/{batch.pk}/commit/")
    assert response.status_code == 302
    assert Need.objects.count() == 3
    again = client.post(f"/en/needs/import/{batch.pk}/commit/", follow=True)
    assert "cannot become" in again.content.decode()
    assert Need.objects.count() == 3
    page = client.get(f"/en/needs/import/{batch.pk}/").content.decode()
    assert "3 needs were imported as drafts" in page
    assert page.count('href="/en/needs/') >= 3


def test_progress_polls_while_committing_and_reloads_when_done(client_for, caseworker, batch):
    client = client_for(caseworker, reauthenticated=False)
    NeedImport.objects.filter(pk=batch.pk).update(state=ImportState.COMMITTING, errors=[], checked_count=1)
    page = client.get(reverse("imports:detail", args=[batch.pk])).content.decode()
    assert '<meta http-equiv="refresh"' in page  # without JavaScript, the page reloads itself
    partial = client.get(reverse("imports:progress", args=[batch.pk]), headers={"HX-Request": "true"})
    assert "hx-trigger" in partial.content.decode() and '<progress id="import-progress-bar" max="100" value="25"' in (
        partial.content.decode()
    )
    assert "HX-Refresh" not in partial
    NeedImport.objects.filter(pk=batch.pk).update(state=ImportState.FAILED)
    done = client.get(reverse("imports:progress", args=[batch.pk]), headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_an_oversized_upload_is_refused_by_the_form(client_for, caseworker, county_agency, monkeypatch):
    from imports import views

    monkeypatch.setattr(views, "MAX_BYTES", 10)
    client = client_for(caseworker, reauthenticated=False)
    response = _upload(client, csv_bytes(rows(1)), agency=county_agency)
    assert response.status_code == 200 and "larger than" in response.content.decode()
    assert NeedImport.objects.count() == 0


# --- The template -------------------------------------------------------------------


def test_the_xlsx_template_has_the_headers_the_instructions_and_the_codes(client_for, caseworker):
    from openpyxl import load_workbook

    response = client_for(caseworker, reauthenticated=False).get(reverse("imports:template", args=["xlsx"]))
    assert response["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    needs, instructions, codes = workbook.worksheets
    assert [c.value for c in next(needs.iter_rows(max_row=1))] == [c.header for c in COLUMNS]
    listed = {row[0] for row in instructions.iter_rows(values_only=True) if row}
    assert {c.header for c in COLUMNS} <= listed
    code_cells = {row[0] for row in codes.iter_rows(values_only=True) if row}
    assert {"elderly_care", "service", "routine", "service_not_cash", "not_eligible", "510129001"} <= code_cells
    assert "510104" not in code_cells  # another county's regions are not offered


def test_the_csv_template_is_the_header_in_utf8_with_bom(client_for, caseworker):
    response = client_for(caseworker, reauthenticated=False).get(reverse("imports:template", args=["csv"]))
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == [c.header for c in COLUMNS]


def test_the_filled_in_template_imports(client_for, caseworker, county_agency):
    from openpyxl import load_workbook

    client = client_for(caseworker, reauthenticated=False)
    template = client.get(reverse("imports:template", args=["xlsx"])).content
    workbook = load_workbook(io.BytesIO(template))
    for line in rows(2):
        workbook.worksheets[0].append([line[c.key] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _upload(client, buffer.getvalue(), name="filled.xlsx", agency=county_agency)
    batch = NeedImport.objects.get()
    assert (batch.row_count, batch.errors) == (2, [])


# --- The export ---------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://x","y")', "=cmd|' /C calc'!A0", "+1", "-1+2", "@SUM(A1)"]


@pytest.fixture
def formula_needs(caseworker, county_agency):
    for title in FORMULAS:
        need_services.need_create(
            agency=county_agency, by=caseworker, data=card(title=title), beneficiary=person(), household=[]
        )


def _exported_rows(response) -> list[list]:
    if response["Content-Type"].startswith("text/csv"):
        assert response.content.startswith(b"\xef\xbb\xbf")
        return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    for line in sheet.iter_rows():
        for cell in line:
            assert cell.data_type != "f", cell.value  # nothing is a live formula
    return [list(line) for line in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_neutralises_formulas_and_never_holds_the_person(client_for, caseworker, formula_needs, file_format):
    response = client_for(caseworker, reauthenticated=False).get(reverse("exports:needs", args=[file_format]))
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")
    lines = _exported_rows(response)
    assert lines[0][:2] == ["编号 / Reference", "标题 / Title"]
    titles = sorted(line[1] for line in lines[1:])
    assert titles == sorted("'" + t for t in FORMULAS)
    content = repr(lines)
    for secret in (CANARY_NAME, CANARY_ID, CANARY_PHONE, "某某路12号"):
        assert secret not in content
    assert AuditEntry.objects.filter(action="needs.export", actor_id=caseworker.pk).exists()


@pytest.mark.parametrize(
    ("persona", "status", "rows_seen"),
    [
        ("anonymous", 302, None),
        ("outsider", 403, None),
        ("vetting_officer", 403, None),
        ("caseworker", 200, 5),
        ("approver", 200, 5),
        ("auditor", 200, 5),
        ("other_caseworker", 200, 0),
        ("charity_member", 200, 0),  # drafts are not published cards
    ],
)
def test_the_export_shows_what_the_list_shows(request, client, formula_needs, persona, status, rows_seen):
    response = _client(request, client, persona).get(reverse("exports:needs", args=["csv"]))
    assert response.status_code == status
    if rows_seen is not None:
        assert len(_exported_rows(response)) - 1 == rows_seen


def test_an_unknown_export_format_is_404(client_for, caseworker):
    assert client_for(caseworker, reauthenticated=False).get("/needs/export/pdf/").status_code == 404


def test_the_needs_list_links_to_the_import_for_recorders_and_to_the_export_for_readers(
    client_for, caseworker, charity_member
):
    page = client_for(caseworker, reauthenticated=False).get(reverse("needs:list")).content.decode()
    assert reverse("imports:start") in page and reverse("exports:needs", args=["xlsx"]) in page
    page = client_for(charity_member, reauthenticated=False).get(reverse("needs:list")).content.decode()
    assert reverse("imports:start") not in page and reverse("exports:needs", args=["xlsx"]) in page


def test_the_uploader_cancels_from_the_page_and_others_cannot(request, client_for, caseworker, approver, county_agency):
    batch = services.import_upload(agency=county_agency, by=caseworker, name="a.csv", data=csv_bytes(rows(2)))
    assert (
        client_for(approver, reauthenticated=False).post(reverse("imports:cancel", args=[batch.pk])).status_code == 403
    )
    client = client_for(caseworker, reauthenticated=False)
    page = client.get(f"/en/needs/import/{batch.pk}/").content.decode()
    assert 'data-testid="cancel-import"' in page
    response = client.post(reverse("imports:cancel", args=[batch.pk]), follow=True)
    assert response.status_code == 200
    batch.refresh_from_db()
    assert batch.state == ImportState.CANCELLED and not batch.file
    assert 'data-testid="cancel-import"' not in response.content.decode()
