"""Bulk import of needs: a 10,000-row file, preview and commit, within 60 seconds.

    uv run python bench/import_needs.py                    # embedded SQLite (a fresh file, WAL)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/safetynet uv run python bench/import_needs.py

Makes a valid CSV file and a valid XLSX file of --rows needs each (unique resident ID
numbers with correct check characters), uploads each through
``imports.services.import_upload`` (store, read, check every row: the preview) and
commits it through ``import_commit_request`` and the commit task (the immediate backend
runs it in this process: check every row again, then write them all in one transaction
through ``imports.writer``). The baseline is a need recorded the way the form records it
(``needs.services.need_create`` then ``scheme_checks_record``), in the same process and
database; the commit's cost a row is printed as a ratio to it. It all runs in a
throw-away test database (created and dropped here), never in the one DATABASE_URL names.

The bar: preview + commit of 10,000 rows in at most 60 s, for each format. Exits 1 when missed.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]
BAR_SECONDS = 60.0


def resident_id(n: int) -> str:
    """Unique for every n below 365,000: a birth date per n // 1000, a sequence per n % 1000."""
    from stdnum.cn import ric

    born = datetime.date(1940, 1, 1) + datetime.timedelta(days=n // 1000 * 7 + n % 7)
    body = f"510129{born:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_rows(count: int) -> list[dict[str, str]]:
    from imports.columns import SCHEME_COLUMNS

    categories = ["elderly_care", "medical", "education", "housing", "disability", "basic_living"]
    townships = ["510129001", "510129002", "510129003", "510129101", "510129103"]
    rows = []
    for n in range(count):
        rows.append(
            {
                "title": f"困难家庭帮扶需求{n:05d}",
                "summary": "家庭成员长期患病，收入微薄，需要上门照护与生活物资支持，为期三个月。",
                "category": categories[n % len(categories)],
                "kind": ("material", "service", "both")[n % 3],
                "urgency": ("routine", "urgent", "emergency")[n % 3],
                "region": townships[n % len(townships)],
                "budget": str(1000 + n % 4000),
                "duration_days": str(30 + n % 60),
                "qualifications": "持证社工",
                "people_count": str(1 + n % 4),
                "scope": "region",
                "gap_reason": "service_not_cash",
                "gap_note": "",
                "name": "测试" + "甲乙丙丁戊己庚辛壬癸"[n % 10] + "某",
                "id_number": resident_id(n),
                "phone": f"139{n:08d}",
                "address": f"大邑县某某路{n}号",
                "is_minor": "否",
                "has_disability": "是" if n % 5 == 0 else "否",
                "elderly_alone": "否",
                "severe_illness": "否",
                "household": "配偶:60",
                **dict.fromkeys(SCHEME_COLUMNS, "not_eligible"),
            }
        )
    return rows


def csv_file(rows: list[dict[str, str]]) -> bytes:
    from imports.columns import COLUMNS

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in COLUMNS])
    for row in rows:
        writer.writerow([row[c.key] for c in COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_file(rows: list[dict[str, str]]) -> bytes:
    """As Excel and WPS save a workbook: text in the shared-strings table. (openpyxl's
    write-only mode writes inline strings instead, which read about twice as slowly.)"""
    from openpyxl import Workbook

    from imports.columns import COLUMNS

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "需求 Needs"
    sheet.append([c.header for c in COLUMNS])
    for row in rows:
        sheet.append([row[c.key] for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=50, help="single needs for the baseline")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="safetynet-bench-"))
    os.environ["SAFETYNET_VAR_DIR"] = str(scratch)  # private files and the SQLite file go here
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    settings.DATABASES["default"].setdefault("TEST", {})
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        settings.DATABASES["default"]["TEST"]["NAME"] = str(scratch / "bench.sqlite3")  # a file, as in use
    django.setup()

    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)  # as in production: no query log
    print(f"database: {connection.vendor}; creating a throw-away database and migrating…", flush=True)
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        return run(args)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(args) -> int:
    if os.environ.get("BENCH_PROFILE"):  # BENCH_PROFILE=cumulative (or tottime) prints a profile
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.enable()
        try:
            return _run(args)
        finally:
            profiler.disable()
            pstats.Stats(profiler).sort_stats(os.environ["BENCH_PROFILE"]).print_stats(30)
    return _run(args)


def _timed(call):
    started = time.perf_counter()
    result = call()
    return result, time.perf_counter() - started


def _run(args) -> int:
    from accounts.models import Membership, Role, User
    from agencies.models import Agency
    from imports import services
    from imports.columns import COLUMNS
    from imports.models import ImportState
    from imports.parsing import Table
    from imports.validation import validate_table
    from needs import services as need_services
    from regions.models import Region

    agency = Agency.objects.create(name="大邑县民政局（基准）", region=Region.objects.get(code="510129"))
    user = User.objects.create_user(email="bench@example.test", password="x" * 16)
    Membership.objects.create(user=user, role=Role.AGENCY_CASEWORKER, agency=agency)
    rows = make_rows(2 * args.rows + args.baseline)  # one set per file format, all different people

    # Baseline: single needs as the form records them, each in its own request's transaction.
    sample = Table("csv", "utf-8", [c.header for c in COLUMNS])
    sample.rows = [(i + 2, [r[c.key] for c in COLUMNS]) for i, r in enumerate(rows[-args.baseline :])]
    checked = validate_table(sample, agency=agency, user=user)
    assert checked.ok, checked.errors[:3]

    def by_the_form():
        for row in checked.rows:
            need = need_services.need_create(
                agency=agency, by=user, data=row.data, beneficiary=row.beneficiary, household=row.household
            )
            need_services.scheme_checks_record(
                need=need, by=user, answers=row.answers, gap_reason=row.gap_reason, gap_note=row.gap_note
            )

    _, baseline_total = _timed(by_the_form)
    baseline = baseline_total / args.baseline
    print(f"baseline, one need recorded through the form's services: {baseline * 1000:.2f} ms")

    missed = False
    for name, make, part in (
        ("CSV", csv_file, rows[: args.rows]),
        ("XLSX", xlsx_file, rows[args.rows : 2 * args.rows]),
    ):
        data = make(part)
        batch, preview = _timed(
            lambda data=data, name=name: services.import_upload(
                agency=agency, by=user, name=f"bench.{name.lower()}", data=data
            )
        )
        assert batch.state == ImportState.PREVIEWED and not batch.errors, batch.errors[:3]
        # Outside a transaction, so the immediate backend runs the commit task right here.
        _, commit = _timed(lambda batch=batch: services.import_commit_request(batch=batch, by=user))
        batch.refresh_from_db()
        assert batch.state == ImportState.COMMITTED and batch.created_count == len(part), (batch.state, batch.errors)
        total = preview + commit
        missed |= total > BAR_SECONDS
        print(
            f"{name} ({len(data) / 2**20:.1f} MB), {len(part)} rows: preview {preview:.1f} s, "
            f"commit {commit:.1f} s ({commit / len(part) * 1000:.2f} ms a row, "
            f"{commit / len(part) / baseline:.2f} × the baseline), "
            f"preview + commit {total:.1f} s — {'MISSED' if total > BAR_SECONDS else 'met'} (bar {BAR_SECONDS:.0f} s)"
        )
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
