"""Bulk import of needs: preview, all-or-nothing commit, the same records as the form,
and every kind of bad input imports nothing and names every bad row."""

from __future__ import annotations

import pytest
from django.db import connection

from audit.models import AuditEntry
from audit.services import audit_chain_verify
from imports import parsing, services
from imports.exceptions import InvalidState, NotAllowed
from imports.models import ImportState, NeedImport
from needs import services as need_services
from needs.models import Beneficiary, HouseholdMember, Need, NeedEvent, NeedState, Scheme, SchemeCheck
from tests.imports.files import csv_bytes, resident_id, row, rows, xlsx_bytes


@pytest.fixture
def commit(django_capture_on_commit_callbacks):
    """Request the commit and let the task run, as the immediate backend does after the commit."""

    def run(batch, by):
        with django_capture_on_commit_callbacks(execute=True):
            services.import_commit_request(batch=batch, by=by)
        batch.refresh_from_db()
        return batch

    return run


def upload(agency, user, data: bytes, name: str = "needs.csv") -> NeedImport:
    return services.import_upload(agency=agency, by=user, name=name, data=data)


# --- The happy paths ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "name", "encoding"),
    [
        (lambda r: csv_bytes(r, encoding="utf-8-sig"), "needs.csv", "utf-8"),
        (lambda r: csv_bytes(r, encoding="utf-8"), "needs.csv", "utf-8"),
        (lambda r: csv_bytes(r, encoding="gbk"), "needs.csv", "gb18030"),
        (lambda r: csv_bytes(r, style="zh", encoding="gbk"), "needs.csv", "gb18030"),
        (lambda r: csv_bytes(r, style="en"), "needs.csv", "utf-8"),
        (xlsx_bytes, "needs.xlsx", ""),
    ],
    ids=["utf8-bom", "utf8", "gbk", "gbk-chinese-headers", "english-headers", "xlsx"],
)
def test_a_valid_file_previews_then_imports_every_row_as_a_draft(
    caseworker, county_agency, commit, make, name, encoding
):
    batch = upload(county_agency, caseworker, make(rows(3)), name)
    assert (batch.state, batch.errors, batch.row_count, batch.encoding) == (ImportState.PREVIEWED, [], 3, encoding)
    assert Need.objects.count() == 0  # the preview creates nothing

    batch = commit(batch, caseworker)
    assert batch.state == ImportState.COMMITTED
    assert batch.created_count == batch.processed_count == batch.checked_count == 3
    assert batch.progress_percent == 100
    needs = Need.objects.order_by("pk")
    assert [n.title for n in needs] == ["独居老人助餐与探访1", "独居老人助餐与探访2", "独居老人助餐与探访3"]
    assert {n.state for n in needs} == {NeedState.DRAFT}
    assert {n.prepared_by for n in needs} == {caseworker}
    assert set(batch.needs.all()) == set(needs)


def test_the_identity_is_encrypted_and_the_statutory_check_recorded(caseworker, county_agency, commit):
    commit(upload(county_agency, caseworker, csv_bytes(rows(2))), caseworker)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM needs_beneficiary")
        dump = repr(cursor.fetchall())
    for secret in ("王二梅", resident_id(2), "13912345678", "某某路12号"):
        assert secret not in dump
    need = Need.objects.get(title="独居老人助餐与探访2")
    assert need.beneficiary.name == "王二梅"
    assert need.beneficiary.id_number == resident_id(2)
    assert need.beneficiary.elderly_alone and not need.beneficiary.is_minor
    assert list(need.beneficiary.household.values_list("relation", "age")) == [("配偶", 81)]
    assert dict(need.scheme_checks.values_list("scheme", "answer")) == dict.fromkeys(Scheme.values, "not_eligible")
    assert need.gap_reason == "service_not_cash"
    assert need_services.gap_gate_problems(need) == []


def _snapshot(need: Need) -> dict:
    """What a need and its records are, without ids and times."""
    person = need.beneficiary
    audit = AuditEntry.objects.filter(object_type="needs.need", object_id=str(need.pk)).order_by("seq")
    return {
        "need": {
            f: getattr(need, f)
            for f in (
                "title",
                "summary",
                "category_id",
                "kind",
                "urgency",
                "region_id",
                "budget",
                "duration_days",
                "qualifications",
                "people_count",
                "scope",
                "gap_reason",
                "gap_note",
                "state",
                "prepared_by_id",
                "agency_id",
            )
        },
        "deadline_window": round((need.response_deadline - need.created_at).total_seconds() / 60),
        "person": {
            f: getattr(person, f)
            for f in (
                "name",
                "id_number",
                "id_hash",
                "phone",
                "address",
                "is_minor",
                "has_disability",
                "elderly_alone",
                "severe_illness",
                "agency_id",
                "created_by_id",
            )
        },
        "household": list(person.household.values_list("relation", "age")),
        "schemes": list(need.scheme_checks.values_list("scheme", "answer", "note")),
        "events": list(need.events.values_list("action", "from_state", "to_state", "by_id", "reason")),
        "audit": [(e.action, e.actor_id, e.actor_label, e.object_repr.split(" ", 1)[1], e.summary) for e in audit],
    }


def test_an_imported_need_is_recorded_exactly_as_the_form_records_it(caseworker, county_agency, commit):
    """The bulk writer against need_create + scheme_checks_record, record by record."""
    from imports.parsing import read_table
    from imports.validation import validate_table

    data = csv_bytes([row(1), row(2, title="独居老人助餐与探访X")])
    checked = validate_table(read_table(data, name="a.csv"), agency=county_agency, user=caseworker)
    by_form = checked.rows[1]
    form_need = need_services.need_create(
        agency=county_agency,
        by=caseworker,
        data=by_form.data,
        beneficiary=by_form.beneficiary,
        household=by_form.household,
    )
    need_services.scheme_checks_record(
        need=form_need, by=caseworker, answers=by_form.answers, gap_reason=by_form.gap_reason, gap_note=""
    )
    commit(upload(county_agency, caseworker, csv_bytes([row(3, title="独居老人助餐与探访X")])), caseworker)
    imported = Need.objects.exclude(pk=form_need.pk).get()
    expected, got = _snapshot(Need.objects.get(pk=form_need.pk)), _snapshot(imported)
    # Same person data apart from the row's own ID number and name.
    for snapshot in (expected, got):
        snapshot["person"].pop("id_number"), snapshot["person"].pop("id_hash"), snapshot["person"].pop("name")
    assert got == expected
    assert audit_chain_verify() is None


def test_the_import_itself_is_in_the_audit_log(caseworker, county_agency, commit):
    batch = commit(upload(county_agency, caseworker, csv_bytes(rows(2))), caseworker)
    actions = list(
        AuditEntry.objects.filter(object_type="imports.needimport", object_id=str(batch.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "need_import.upload",
        "need_import.previewed",
        "need_import.committing",
        "need_import.committed",
    ]
    assert AuditEntry.objects.filter(action="need.create").count() == 2
    assert audit_chain_verify() is None


# --- Bad input: nothing is imported, every bad row is named ---------------------------

FORMULAS = {
    2: {"title": '=HYPERLINK("http://x","y")'},
    3: {"summary": "=cmd|' /C calc'!A0"},
    4: {"qualifications": "@SUM(A1)"},
    5: {"address": "\t=1+2"},
    6: {"gap_note": "-1+2"},
}


def _file(bad: dict[int, dict], count: int = 6) -> list[dict]:
    """``count`` rows (spreadsheet rows 2…count+1), the ones in ``bad`` changed."""
    return [row(n - 1, **bad.get(n, {})) for n in range(2, count + 2)]


BAD_ROWS = {
    "bad check digit": (
        {3: {"id_number": resident_id(3)[:17] + "0"}, 5: {"id_number": "51012919850312005X"}},
        "invalid_id_number",
    ),
    "bad birth date": ({4: {"id_number": "510129198513120014"}}, "invalid_id_number"),
    "formula payloads": (FORMULAS, "formula"),
    "ID number in the summary": ({2: {"summary": f"身份证{resident_id(9)}需要帮助"}}, "identity_leak"),
    "phone in the summary": ({6: {"summary": "联系13800138000"}}, "identity_leak"),
    "name in the summary": ({3: {"summary": "王二梅老人独居，需要助餐"}}, "identity_leak"),
    "never purchased": ({4: {"summary": "协助开展低保审批工作"}}, "never_purchased"),
    "unknown category": ({2: {"category": "space_travel"}}, "unknown_code"),
    "unknown region": ({3: {"region": "999999"}}, "unknown_code"),
    "unknown kind": ({5: {"kind": "cash"}}, "unknown_code"),
    "unknown answer": ({6: {"scheme_dibao": "maybe"}}, "unknown_code"),
    "region outside the agency": ({4: {"region": "510104"}}, "outside_area"),
    "budget not a number": ({2: {"budget": "三千"}}, "not_a_number"),
    "negative budget": ({3: {"budget": "-5"}}, "negative"),
    "three decimals": ({3: {"budget": "1.005"}}, "decimals"),
    "duration not whole": ({7: {"duration_days": "1.5"}}, "not_whole"),
    "missing value": ({7: {"name": ""}, 2: {"scheme_tekun": ""}}, "required"),
    "title too long": ({2: {"title": "长" * 81}}, "too_long"),
    "not yes or no": ({6: {"is_minor": "也许"}}, "not_yes_no"),
    "household": ({5: {"household": "配偶"}}, "household_format"),
    "bad phone": ({4: {"phone": "12ab"}}, "invalid_phone"),
}


@pytest.mark.parametrize("case", BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_bad_rows_import_nothing_and_each_is_reported(caseworker, county_agency, commit, case):
    bad, code = case
    batch = upload(county_agency, caseworker, csv_bytes(_file(bad)))
    assert batch.state == ImportState.PREVIEWED and not batch.can_commit
    assert {e["row"] for e in batch.errors} == set(bad)
    assert {e["code"] for e in batch.errors} == {code}
    # The reported column is the one that is wrong.
    assert {(e["row"], e["column"]) for e in batch.errors} == {(n, k) for n, change in bad.items() for k in change}
    with pytest.raises(InvalidState):
        services.import_commit_request(batch=batch, by=caseworker)
    assert Need.objects.count() == Beneficiary.objects.count() == 0


def test_a_region_must_be_a_county_or_township(db):
    from accounts.models import Membership, Role
    from tests.factories import AgencyFactory, UserFactory, region

    city = AgencyFactory(name="成都市民政局", region=region("510100"))
    person = UserFactory()
    Membership.objects.create(user=person, role=Role.AGENCY_CASEWORKER, agency=city)
    batch = upload(city, person, csv_bytes(_file({3: {"region": "510100"}}, count=2)))
    assert [(e["row"], e["code"]) for e in batch.errors] == [(3, "level")]


def test_messages_never_repeat_an_id_number(caseworker, county_agency):
    secret = resident_id(9)
    bad = {2: {"summary": f"身份证{secret}"}, 3: {"id_number": secret[:17] + "0"}, 4: {"title": f"={secret}"}}
    batch = upload(county_agency, caseworker, csv_bytes(_file(bad)))
    assert len(batch.errors) == 3
    stored = repr(batch.errors)
    assert secret not in stored and secret[:17] not in stored


def test_duplicate_rows_are_reported_on_the_repeat(caseworker, county_agency):
    data = _file({}, count=5)
    data.append(dict(data[1]))  # row 7: identical to row 3
    data.append({**data[2], "title": "另一个标题"})  # row 8: same person and category as row 4
    data.append({**data[3], "category": "medical", "title": "医疗陪护"})  # row 9: same person, other category: fine
    batch = upload(county_agency, caseworker, csv_bytes(data))
    assert [(e["row"], e["code"]) for e in batch.errors] == [(7, "duplicate_row"), (8, "duplicate_person")]
    assert "3" in batch.errors[0]["message"] and "4" in batch.errors[1]["message"]


def test_a_mixed_file_names_every_bad_row_and_only_those(caseworker, county_agency):
    bad = {3: {"budget": "-1"}, 7: {"title": "=1+1"}, 9: {"region": "000000"}, 11: {"id_number": "123"}}
    batch = upload(county_agency, caseworker, csv_bytes(_file(bad, count=10)))
    assert sorted({e["row"] for e in batch.errors}) == [3, 7, 9, 11]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        ("标题 / Title\r\n".encode("utf-16"), "encoding"),
        (b"\xff\xfe\xfa garbage \x80", "encoding"),
        (csv_bytes(rows(2), drop=("title", "id_number")), "missing_columns"),
        (csv_bytes([]), "no_rows"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old_excel"),
    ],
    ids=["utf-16", "undecodable", "missing-columns", "no-rows", "old-xls"],
)
def test_a_file_that_cannot_be_read_imports_nothing_with_one_clear_message(caseworker, county_agency, data, code):
    batch = upload(county_agency, caseworker, data)
    assert [(e["row"], e["code"]) for e in batch.errors] == [(None, code)]
    assert not batch.can_commit


def test_missing_columns_are_listed_by_name(caseworker, county_agency):
    batch = upload(county_agency, caseworker, csv_bytes(rows(2), drop=("title", "scheme_medical")))
    assert (
        "标题 / Title" in batch.errors[0]["message"] and "医疗救助 / Medical assistance" in batch.errors[0]["message"]
    )


def test_an_id_number_stored_as_a_number_in_xlsx_is_explained(caseworker, county_agency):
    from openpyxl import load_workbook

    workbook = load_workbook(__import__("io").BytesIO(xlsx_bytes(rows(1))))
    workbook.active["O2"] = 510129198503120018  # what Excel does to an unformatted column
    buffer = __import__("io").BytesIO()
    workbook.save(buffer)
    batch = upload(county_agency, caseworker, buffer.getvalue(), "needs.xlsx")
    assert [(e["row"], e["code"]) for e in batch.errors] == [(2, "id_as_number")]


def test_a_declared_relative_is_refused_for_that_row(caseworker, county_agency):
    need_services.relative_declare(user=caseworker, name="王二梅", id_number=resident_id(2), relation="表姐")
    batch = upload(county_agency, caseworker, csv_bytes(rows(3)))
    assert [(e["row"], e["code"]) for e in batch.errors] == [(3, "relative")]


def test_an_oversized_file_is_refused_before_anything_is_stored(caseworker, county_agency, monkeypatch, private_root):
    monkeypatch.setattr(services, "MAX_BYTES", 100)
    with pytest.raises(InvalidState):
        upload(county_agency, caseworker, csv_bytes(rows(3)))
    assert NeedImport.objects.count() == 0 and not private_root.exists()


def test_too_many_rows_is_a_file_problem(caseworker, county_agency, monkeypatch):
    monkeypatch.setattr(parsing, "MAX_ROWS", 2)
    batch = upload(county_agency, caseworker, csv_bytes(rows(3)))
    assert [e["code"] for e in batch.errors] == ["too_many_rows"]


def test_warnings_do_not_block(caseworker, county_agency, commit):
    data = csv_bytes([row(1, scheme_medical="not_applied"), row(2)], encoding="utf-8")
    batch = upload(county_agency, caseworker, data)
    assert batch.errors == [] and [(w["row"], w["code"]) for w in batch.warnings] == [(2, "not_applied")]
    commit(batch, caseworker)
    again = upload(county_agency, caseworker, csv_bytes([row(1, title="再次")]))
    assert [(w["row"], w["code"]) for w in again.warnings] == [(2, "open_needs")]


# --- The commit ---------------------------------------------------------------------


def test_a_second_commit_imports_nothing_more(caseworker, county_agency, commit):
    batch = commit(upload(county_agency, caseworker, csv_bytes(rows(3))), caseworker)
    with pytest.raises(InvalidState):
        services.import_commit_request(batch=batch, by=caseworker)
    services.import_commit(import_id=batch.pk)  # the task delivered twice: a no-op
    assert Need.objects.count() == 3


def test_a_double_click_starts_one_commit(caseworker, county_agency, django_capture_on_commit_callbacks):
    batch = upload(county_agency, caseworker, csv_bytes(rows(3)))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.import_commit_request(batch=batch, by=caseworker)
        with pytest.raises(InvalidState):
            services.import_commit_request(batch=NeedImport.objects.get(pk=batch.pk), by=caseworker)
    assert len(callbacks) == 1
    assert Need.objects.count() == 3


def test_only_the_uploader_commits(caseworker, approver, county_agency):
    batch = upload(county_agency, caseworker, csv_bytes(rows(1)))
    with pytest.raises(NotAllowed):
        services.import_commit_request(batch=batch, by=approver)
    assert NeedImport.objects.get(pk=batch.pk).state == ImportState.PREVIEWED


def test_only_the_agencys_recorders_upload(other_caseworker, agency_admin, county_agency):
    for person in (other_caseworker, agency_admin):
        with pytest.raises(NotAllowed):
            upload(county_agency, person, csv_bytes(rows(1)))
    assert NeedImport.objects.count() == 0


def test_the_commit_checks_again_and_imports_nothing_if_a_row_became_bad(caseworker, county_agency, commit):
    batch = upload(county_agency, caseworker, csv_bytes(rows(3)))
    need_services.relative_declare(user=caseworker, name="王三梅", id_number=resident_id(3), relation="表妹")
    batch = commit(batch, caseworker)
    assert batch.state == ImportState.FAILED
    assert [(e["row"], e["code"]) for e in batch.errors] == [(4, "relative")]
    assert Need.objects.count() == 0


def test_a_failure_while_writing_rolls_everything_back(caseworker, county_agency, commit, monkeypatch):
    from imports import writer

    real = writer.write_needs

    def write_then_fail(**kwargs):
        real(**kwargs)
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "write_needs", write_then_fail)
    batch = commit(upload(county_agency, caseworker, csv_bytes(rows(4))), caseworker)
    assert batch.state == ImportState.FAILED and batch.errors[0]["code"] == "internal"
    for model in (Need, Beneficiary, HouseholdMember, NeedEvent, SchemeCheck):
        assert model.objects.count() == 0, model
    assert not AuditEntry.objects.filter(action="need.create").exists()
    assert audit_chain_verify() is None


def test_an_uploader_who_lost_the_role_imports_nothing(caseworker, county_agency, commit):
    from accounts import policy

    batch = upload(county_agency, caseworker, csv_bytes(rows(2)))
    services.import_commit_request(batch=batch, by=caseworker)
    caseworker.memberships.all().delete()
    policy.forget_grants(caseworker)
    batch = services.import_commit(import_id=batch.pk)
    assert batch.state == ImportState.FAILED and Need.objects.count() == 0


@pytest.mark.postgres  # a second writer during the transaction
@pytest.mark.django_db(transaction=True)
def test_progress_is_seen_while_the_commit_transaction_is_still_open(monkeypatch):
    """The rows written so far reach the polling page through the side connection,
    while the transaction that writes them has not committed."""
    from django.db import connections, transaction

    from accounts.models import Membership, Role
    from imports import writer
    from tests.factories import AgencyFactory, UserFactory, region
    from website.demo import ensure_reference_data

    ensure_reference_data()  # an earlier transactional test may have flushed the regions
    county_agency = AgencyFactory(name="进度测试民政局", region=region("510129"))
    caseworker = UserFactory()
    Membership.objects.create(user=caseworker, role=Role.AGENCY_CASEWORKER, agency=county_agency)
    monkeypatch.setattr(writer, "CHUNK", 2)
    batch = services.import_upload(agency=county_agency, by=caseworker, name="a.csv", data=csv_bytes(rows(5)))
    services.import_commit_request(batch=batch, by=caseworker)  # autocommit here: the task runs at once…
    batch.refresh_from_db()
    assert batch.state == ImportState.COMMITTED and Need.objects.count() == 5

    # …so look inside a commit: report from within an open transaction, read from outside it.
    seen = []
    reporter = services._ProgressReporter(batch.pk)
    observer = connections.create_connection("default")
    try:
        with transaction.atomic():
            # The writer's transaction is busy (never with the import's own row, which the
            # side connection updates: that would make the two wait on each other).
            need_services.relative_declare(user=caseworker, name="某", id_number=resident_id(99), relation="友")
            reporter.report(3)
            with observer.cursor() as cursor:
                cursor.execute("SELECT processed_count FROM imports_needimport WHERE id = %s", [batch.pk])
                seen.append(cursor.fetchone()[0])
    finally:
        reporter.close()
        observer.close()
    assert seen == [3]


# --- The uploaded file does not outlive the import ------------------------------------


def _stored(root) -> list:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_the_file_is_deleted_once_the_import_has_ended(caseworker, county_agency, commit, private_root):
    batch = upload(county_agency, caseworker, csv_bytes(rows(2)))
    assert len(_stored(private_root)) == 1
    batch = commit(batch, caseworker)
    assert batch.state == ImportState.COMMITTED and not batch.file and _stored(private_root) == []


def test_the_sweep_closes_imports_left_uncommitted_and_deletes_their_files(caseworker, county_agency, private_root):
    from datetime import timedelta

    from django.utils import timezone

    from core.sweeps import SWEEPS

    old = upload(county_agency, caseworker, csv_bytes(rows(2)))
    fresh = upload(county_agency, caseworker, csv_bytes(rows(1)))
    NeedImport.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=4))
    assert SWEEPS["imports_expire"].run() == 1
    assert SWEEPS["imports_expire"].run() == 0  # idempotent
    old.refresh_from_db(), fresh.refresh_from_db()
    assert old.state == ImportState.FAILED and old.errors[-1]["code"] == "expired" and not old.file
    assert fresh.state == ImportState.PREVIEWED and fresh.file
    assert len(_stored(private_root)) == 1
    with pytest.raises(InvalidState):
        services.import_commit_request(batch=old, by=caseworker)


def test_the_same_file_is_not_imported_twice(caseworker, county_agency, commit):
    data = csv_bytes(rows(2))
    commit(upload(county_agency, caseworker, data), caseworker)
    again = upload(county_agency, caseworker, data, "needs (1).csv")
    assert [(e["row"], e["code"]) for e in again.errors] == [(None, "already_imported")]
    assert Need.objects.count() == 2


# --- The identity guard on the card's columns (issue 17) ------------------------------


@pytest.mark.parametrize("column", ["title", "summary", "qualifications"])
def test_every_evasion_in_the_corpus_is_refused_in_each_card_column(caseworker, county_agency, column):
    from tests.identity_corpus import ADDRESS, EVASIONS, HOUSEHOLD, INNOCENT, NAME

    def rows_with(texts):
        person = {"name": NAME, "address": ADDRESS, "household": f"女儿:{HOUSEHOLD[0]}:30"}
        return [row(n, **person, **{column: text}) for n, text in enumerate(texts, start=1)]

    batch = upload(county_agency, caseworker, csv_bytes(rows_with(EVASIONS)))
    refused = {e["row"] for e in batch.errors if e["code"] == "identity_leak" and e["column"] == column}
    assert refused == set(range(2, len(EVASIONS) + 2))  # row 1 is the header
    assert not batch.can_commit and Need.objects.count() == 0

    batch = upload(county_agency, caseworker, csv_bytes(rows_with(INNOCENT)))
    assert [e for e in batch.errors if e["code"] == "identity_leak"] == []


def test_a_household_members_name_is_kept_encrypted_and_guarded(caseworker, county_agency, commit):
    batch = upload(county_agency, caseworker, csv_bytes([row(1, household="配偶:81; 女儿:敖红叶:52")]))
    batch = commit(batch, caseworker)
    assert batch.state == ImportState.COMMITTED
    daughter = HouseholdMember.objects.get(relation="女儿")
    assert (daughter.age, daughter.name) == (52, "敖红叶")
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM needs_householdmember WHERE id = %s", [daughter.pk])
        assert "敖红叶" not in cursor.fetchone()[0]
    leak = upload(
        county_agency, caseworker, csv_bytes([row(2, household="女儿:敖红叶:52", summary="女儿敖 红叶外出务工")])
    )
    assert [e["code"] for e in leak.errors] == ["identity_leak"]


def test_a_refused_file_is_deleted_at_once_and_its_problems_kept(caseworker, county_agency, private_root):
    batch = upload(county_agency, caseworker, csv_bytes(_file({3: {"id_number": resident_id(3)[:17] + "0"}})))
    assert batch.errors and not batch.can_commit
    assert not batch.file and _stored(private_root) == []
    batch.refresh_from_db()
    assert not batch.file and batch.errors


def test_an_unreadable_or_repeated_file_is_deleted_too(caseworker, county_agency, commit, private_root):
    assert upload(county_agency, caseworker, b"\x00\x01 not a table", "needs.csv").errors
    data = csv_bytes(rows(2))
    commit(upload(county_agency, caseworker, data), caseworker)
    again = upload(county_agency, caseworker, data, "needs (1).csv")
    assert again.errors and _stored(private_root) == []


def test_the_uploader_cancels_and_the_file_is_deleted(caseworker, county_agency, private_root):
    batch = upload(county_agency, caseworker, csv_bytes(rows(2)))
    assert batch.can_commit and len(_stored(private_root)) == 1
    batch = services.import_cancel(batch=batch, by=caseworker)
    assert batch.state == ImportState.CANCELLED and not batch.file and _stored(private_root) == []
    assert AuditEntry.objects.filter(action="need_import.cancelled", object_id=str(batch.pk)).exists()
    with pytest.raises(InvalidState):
        services.import_commit_request(batch=batch, by=caseworker)
    with pytest.raises(InvalidState):
        services.import_cancel(batch=batch, by=caseworker)


def test_only_the_uploader_cancels_and_not_once_committing(caseworker, approver, county_agency, private_root):
    batch = upload(county_agency, caseworker, csv_bytes(rows(2)))
    with pytest.raises(NotAllowed):
        services.import_cancel(batch=batch, by=approver)
    services.import_commit_request(batch=batch, by=caseworker)  # the task is not run: still committing
    with pytest.raises(InvalidState):
        services.import_cancel(batch=batch, by=caseworker)
    assert len(_stored(private_root)) == 1
