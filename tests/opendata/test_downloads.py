"""/open-data/ and its downloads: what each file holds, its headers, the HSDS shape,
the publication to storage (sweep and command), and that nobody helped can be
identified from any of them."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation

from opendata import downloads
from opendata.downloads import REGISTER_FIELDS, Download, Group, register_download
from opendata.exports import HSDS_TABLES
from opendata.publish import WRITERS, open_data_publish, published, stale
from opendata.sweeps import open_data_publish as sweep
from organisations.models import Organisation
from tests.factories import OrganisationFactory
from transparency.services import snapshot_compute

URLS = {
    "contracts.csv": "/contracts/ocds.json",
}


def url(name: str) -> str:
    with translation.override("en"):
        return reverse(f"opendata:{name}")


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_register_as_csv(client, register):
    response = client.get(url("register_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="contracts.csv"'
    raw = body(response)
    assert raw.startswith(b"\xef\xbb\xbf")  # a byte-order mark: spreadsheets then read the Chinese
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert list(rows[0]) == [f.name for f in REGISTER_FIELDS]
    by_number = {r["contract_number"]: r for r in rows}
    assert set(by_number) == {register.active.number, register.closed.number, register.terminated.number}
    active = by_number[register.active.number]
    assert active["title"] == "独居老人助餐与探访" and active["buyer_agency"] == "大邑县民政局"
    assert active["organisation"] == "大邑县仁爱慈善会" and active["category_code"] == "elderly_care"
    assert active["county_code"] == "510129" and active["amount_cny"] == "25000.00"
    assert (active["milestones_met"], active["milestones_total"], active["paid_cny"]) == ("1", "2", "12500.00")
    assert active["status"] == "active" and active["evaluation_score"] == ""
    assert active["url"] == f"https://safetynet.example/contracts/{register.active.pk}/"
    assert by_number[register.closed.number]["evaluation_score"] == "4.50"


def test_the_csv_cannot_run_formulas(client, register, vetted_org):
    Organisation.objects.filter(pk=vetted_org.pk).update(legal_name='=HYPERLINK("http://evil.example","点我")')
    open_data_publish(only=["contracts.csv"])
    rows = list(csv.DictReader(io.StringIO(body(client.get(url("register_csv"))).decode("utf-8-sig"))))
    assert {r["organisation"] for r in rows} == {'\'=HYPERLINK("http://evil.example","点我")'}


def test_the_register_as_json(client, register):
    response = client.get(url("register_json"))
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    data = json.loads(body(response))
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/" and data["generated_at"].endswith("Z")
    contracts = {c["contract_number"]: c for c in data["contracts"]}
    assert set(contracts) == {register.active.number, register.closed.number, register.terminated.number}
    assert contracts[register.active.number]["amount_cny"] == 25000
    assert contracts[register.active.number]["paid_cny"] == 12500
    assert contracts[register.closed.number]["evaluation_score"] == 4.5


def test_the_ocds_package_at_its_address(client, register):
    response = client.get("/contracts/ocds.json")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    package = json.loads(body(response))
    assert package["version"] == "1.1" and package["uri"] == "https://safetynet.example/contracts/ocds.json"
    assert package["publicationPolicy"] == "https://safetynet.example/open-data/"
    assert len(package["releases"]) == 3


def test_downloads_say_when_they_were_generated_and_answer_conditional_requests(client, register):
    first = client.get(url("register_csv"))
    item = published("contracts.csv")
    assert first["ETag"] == f'"{item.sha256}"' and first["Last-Modified"]
    assert first["X-Generated-At"] == item.generated_at.isoformat()
    assert int(first["Content-Length"]) == item.size
    again = client.get(url("register_csv"), headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_a_file_never_published_is_generated_on_first_download(client, register):
    assert published("ocds.json") is None
    assert client.get("/contracts/ocds.json").status_code == 200
    assert published("ocds.json") is not None


def test_downloads_are_read_only(client, register):
    assert client.post(url("register_csv")).status_code == 405


def test_the_directory_in_hsds_json(client, register, vetted_org, unvetted_org):
    response = client.get(url("hsds_json"))
    assert response.status_code == 200
    page = json.loads(body(response))
    assert {"total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "contents"} <= set(
        page
    )
    services = page["contents"]
    assert page["total_items"] == len(services) == 3  # elderly care, disability, child care
    names = {s["organization"]["name"] for s in services}
    assert names == {"大邑县仁爱慈善会"}  # the unvetted organisation is not in the directory
    service = services[0]
    uuid.UUID(service["id"]) and uuid.UUID(service["organization_id"])
    assert service["status"] == "active" and service["organization"]["id"] == service["organization_id"]
    assert service["organization"]["organization_identifiers"][0]["identifier"] == vetted_org.uscc
    assert [a["name"] for a in service["service_areas"]] == ["四川省 成都市 大邑县"]
    assert service["attributes"][0]["taxonomy_term"]["code"] in {"elderly_care", "disability", "child_care"}
    for service in services:
        assert set(HSDS_TABLES["service"]) <= set(service)
        assert set(HSDS_TABLES["organization"]) <= set(service["organization"])
    # Identifiers stay the same from one publication to the next.
    open_data_publish(only=["directory-hsds.json"])
    again = json.loads(body(client.get(url("hsds_json"))))
    assert [s["id"] for s in again["contents"]] == [s["id"] for s in services]


def test_the_directory_in_hsds_csv_tables(client, register):
    response = client.get(url("hsds_csv"))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(body(response)))
    assert sorted(archive.namelist()) == sorted(f"{name}.csv" for name in HSDS_TABLES)
    tables = {name: list(csv.DictReader(io.StringIO(archive.read(f"{name}.csv").decode()))) for name in HSDS_TABLES}
    for name, columns in HSDS_TABLES.items():
        header = archive.read(f"{name}.csv").decode().splitlines()[0]
        assert header == ",".join(columns)
    assert [o["name"] for o in tables["organization"]] == ["大邑县仁爱慈善会"]
    organisation = tables["organization"][0]["id"]
    assert {s["organization_id"] for s in tables["service"]} == {organisation}
    services = {s["id"] for s in tables["service"]}
    assert {a["service_id"] for a in tables["service_area"]} == services
    assert {a["link_id"] for a in tables["attribute"]} == services


def test_the_open_data_page_documents_every_download(client, register):
    before = client.get("/en/open-data/").content.decode()
    assert "Not generated yet" in before
    open_data_publish()
    snapshot_compute()  # the transparency figures, served by their own app, are listed too
    response = client.get("/en/open-data/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "CC BY 4.0" in page and "https://creativecommons.org/licenses/by/4.0/" in page
    for download in downloads.DOWNLOADS:
        assert f'data-testid="download-{download.key}"' in page
        assert reverse(download.url_name).replace("/zh-hans", "") in page
        for field in download.fields:
            assert f"<code>{field.name}</code>" in page
    assert "Not generated yet" not in page
    generated = timezone.localtime(published("ocds.json").generated_at)
    assert f"{generated:%Y-%m-%d %H:%M}" in page
    assert "3 records" in page and "Open Contracting Data Standard" in page and "Open Referral HSDS" in page


def test_another_app_adds_its_downloads(client, db, monkeypatch):
    monkeypatch.setattr(downloads, "DOWNLOADS", list(downloads.DOWNLOADS))
    from opendata import views

    monkeypatch.setattr(views, "DOWNLOADS", downloads.DOWNLOADS)
    moment = timezone.now() - timedelta(hours=3)
    register_download(
        Download(
            key="figures-csv",
            group=Group.FIGURES,
            title="Figures",
            description="The transparency figures.",
            format="CSV",
            media_type="text/csv",
            url_name="directory:list",
            generated_at=lambda: moment,
        )
    )
    register_download(
        Download(
            key="not-here",
            group=Group.FIGURES,
            title="Elsewhere",
            description="An app this site does not have.",
            format="CSV",
            media_type="text/csv",
            url_name="nowhere:figures",
        )
    )
    page = client.get("/en/open-data/").content.decode()
    assert 'data-testid="group-figures"' in page and 'data-testid="download-figures-csv"' in page
    assert f"{timezone.localtime(moment):%Y-%m-%d %H:%M}" in page
    assert "not-here" not in page


def test_publication_by_command_and_by_the_daily_sweep(register, capsys):
    assert sorted(stale()) == sorted(WRITERS)
    assert sweep() == len(WRITERS)
    assert stale() == [] and sweep() == 0  # nothing more until a day has passed
    assert sorted(stale(now=timezone.now() + timedelta(days=1, minutes=1))) == sorted(WRITERS)
    call_command("publish_open_data", "contracts.csv")
    assert "contracts.csv: 3 rows" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("publish_open_data", "secrets.csv")


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "auditor"])
def test_no_download_holds_a_draft_or_a_beneficiary(request, client, client_for, register, persona):
    if persona != "anonymous":
        client = client_for(request.getfixturevalue(persona))
    OrganisationFactory(legal_name="待审核的组织之二")
    texts = []
    for name in ("register_csv", "register_json", "ocds", "hsds_json"):
        response = client.get(url(name))
        assert response.status_code == 200
        texts.append(body(response).decode("utf-8-sig"))
    archive = zipfile.ZipFile(io.BytesIO(body(client.get(url("hsds_csv")))))
    texts += [archive.read(n).decode() for n in archive.namelist()]
    everything = "\n".join(texts)
    assert register.draft.number not in everything and register.draft.need.title not in everything
    for person in register.people:
        for key in ("name", "id_number", "address"):
            assert person[key] not in everything, key
        if person["phone"]:
            assert person["phone"] not in everything
    assert "晋原街道" not in everything  # no place finer than the county
