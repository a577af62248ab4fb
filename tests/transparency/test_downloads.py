"""/transparency/figures.csv and figures.json: the snapshot's figures, dated, with the same
small-count rule as the page, formula-safe, the same for everyone."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils import translation

from categories.models import Category
from tests.factories import PERSONAS
from tests.transparency.builders import ON, populate
from transparency.services import snapshot_compute

pytestmark = pytest.mark.django_db

COUNT_UNITS = {"count"}


def _csv(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # so that spreadsheet programs read the Chinese
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_states_when_it_was_generated_and_hides_small_counts(client, snapshot):
    response = client.get("/en/transparency/figures.csv")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = _csv(response)
    assert {row["snapshot_generated_at"] for row in rows} == {snapshot.generated_at.isoformat()}
    medical = next(
        r for r in rows if (r["metric"], r["dimension"], r["key"]) == ("needs_published", "category", "medical")
    )
    assert medical["value"] == "fewer than 5"
    assert medical["suppressed"] == "true"
    elderly = next(
        r for r in rows if (r["metric"], r["dimension"], r["key"]) == ("needs_published", "category", "elderly_care")
    )
    assert elderly["value"] == "7"
    assert elderly["label"] == "Elderly care"
    total = next(r for r in rows if (r["metric"], r["dimension"]) == ("needs_published", "total"))
    assert total["value"] == "10"


def test_no_count_below_5_in_either_download(client, snapshot):
    csv_rows = _csv(client.get("/transparency/figures.csv"))
    json_rows = client.get("/transparency/figures.json").json()["records"]
    for rows in (csv_rows, json_rows):
        counts = [r for r in rows if r["unit"] in COUNT_UNITS]
        assert counts
        for row in counts:
            if row["suppressed"] in (True, "true"):
                assert row["value"] == "少于5" or row["value"] == "fewer than 5"
            else:
                assert int(row["value"]) >= 5, row
    days = [r for r in json_rows if r["unit"] == "days" and r["suppressed"]]
    assert days and all(isinstance(r["value"], str) for r in days)


def test_json_names_the_snapshot_and_the_rule(client, snapshot):
    with translation.override("en"):
        response = client.get(reverse("transparency:figures_json"))
    body = response.json()

    assert body["generated_at"] == snapshot.generated_at.isoformat()
    assert body["figures_up_to"] == "2026-06-30"
    assert "fewer than 5" in body["small_count_rule"]
    agency = [r for r in body["records"] if r["table"] == "agency_timeliness"]
    assert {r["metric"] for r in agency} >= {"days_to_accept_median", "days_to_pay_p90", "payments_on_time_percent"}
    on_time = next(r for r in agency if r["metric"] == "payments_on_time_percent")
    assert on_time == {**on_time, "value": 100, "suppressed": False}


def test_the_csv_never_hands_a_spreadsheet_a_formula(client, figures):
    Category.objects.filter(code="medical").update(name_en='=HYPERLINK("http://evil.test","x")')
    populate(figures)
    snapshot_compute(on=ON)
    rows = _csv(client.get("/en/transparency/figures.csv"))

    labels = {r["label"] for r in rows if r["key"] == "medical"}
    assert labels == {'\'=HYPERLINK("http://evil.test","x")'}


def test_without_a_snapshot_the_downloads_say_so(client, db):
    for name in ("transparency:figures_csv", "transparency:figures_json"):
        assert client.get(reverse(name)).status_code == 404


def test_downloads_refuse_writes(client, snapshot):
    assert client.post(reverse("transparency:figures_csv")).status_code == 405


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_gets_the_same_public_figures(persona, request, client, client_for, snapshot):
    reader = client if persona == "anonymous" else client_for(request.getfixturevalue(persona), reauthenticated=False)
    body = reader.get("/transparency/figures.json").json()
    anonymous = json.loads(client.__class__().get("/transparency/figures.json").content)
    assert body == anonymous
