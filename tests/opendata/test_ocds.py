"""The register as an OCDS 1.1 release package, validated by the official tooling
(libcoveocds) against the 1.1.5 schema kept in tests/data/ocds, offline."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
from django.utils import timezone, translation

from contracts.models import ContractState
from opendata.exports import ocds_package

SCHEMA_ZIP = Path(__file__).resolve().parent.parent / "data" / "ocds" / "standard-1__1__5-schema.zip"


@pytest.fixture
def offline(monkeypatch):
    """Any attempt to reach the network fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the OCDS validation tried to reach the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def validate(package: dict) -> dict:
    from libcoveocds.api import ocds_json_output
    from libcoveocds.config import LibCoveOCDSConfig

    config = LibCoveOCDSConfig({"standard_zip": SCHEMA_ZIP.as_uri(), "context": "api"})
    return ocds_json_output(json_data=json.loads(json.dumps(package)), lib_cove_ocds_config=config)


def test_the_release_package_is_valid_ocds(register, offline):
    package = ocds_package()
    assert len(package["releases"]) == 3  # signed ones only: not the draft
    result = validate(package)
    assert result["validation_errors"] == []
    assert result.get("ocid_prefix_info", {}) is not None
    assert not result.get("additional_closed_codelist_values"), result.get("additional_closed_codelist_values")
    # Nothing outside the standard either (no extension is declared).
    assert result["additional_fields"] == [] and result["deprecated_fields"] == []
    assert result["version_used"] == "1.1"


def test_what_each_release_says(register):
    releases = {r["contracts"][0]["id"]: r for r in ocds_package()["releases"]}
    assert set(releases) == {register.active.number, register.closed.number, register.terminated.number}

    active = releases[register.active.number]
    assert active["ocid"] == f"ocds-sfnt01-{register.active.number}"
    roles = {p["name"]: p["roles"] for p in active["parties"]}
    assert roles == {"大邑县民政局": ["buyer", "payer"], "大邑县仁爱慈善会": ["supplier", "payee"]}
    assert active["buyer"]["name"] == "大邑县民政局"
    assert (
        active["tender"]["title"] == "独居老人助餐与探访" and active["tender"]["mainProcurementCategory"] == "services"
    )
    assert active["awards"][0]["value"] == {"amount": 25000, "currency": "CNY"}
    contract = active["contracts"][0]
    assert contract["status"] == "active" and contract["value"]["amount"] == 25000
    assert [m["status"] for m in contract["milestones"]] == ["met", "scheduled"]
    assert [t["value"]["amount"] for t in contract["implementation"]["transactions"]] == [12500]
    assert "implementation" in active["tag"]

    ended = releases[register.terminated.number]
    assert ended["contracts"][0]["status"] == "terminated" and "contractTermination" in ended["tag"]
    statuses = sorted(m["status"] for m in ended["contracts"][0]["milestones"])
    assert statuses == ["met", "met", "notMet"]  # the settlement is paid as a met milestone
    assert sum(t["value"]["amount"] for t in ended["contracts"][0]["implementation"]["transactions"]) == 2400

    closed = releases[register.closed.number]
    assert closed["contracts"][0]["status"] == "terminated"
    with translation.override("zh-hans"):
        assert closed["contracts"][0]["description"] == str(ContractState.CLOSED.label)


def test_the_ocid_and_release_id_are_stable(register):
    first = {r["ocid"]: r["id"] for r in ocds_package()["releases"]}
    again = {r["ocid"]: r["id"] for r in ocds_package(generated_at=timezone.now())["releases"]}
    assert first == again


def test_no_beneficiary_data_and_no_free_text(register):
    text = json.dumps(ocds_package(), ensure_ascii=False)
    for person in register.people:
        for key in ("name", "id_number", "address"):
            assert person[key] not in text
    # The reasons typed for the termination are not published; nor is the township.
    assert "双方协商终止" not in text and "晋原街道" not in text
