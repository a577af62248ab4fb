"""Bar of issue 8: the public contract register's first page, p95 ≤ 150 ms server time
with 100,000 signed contracts.

The contracts (each with its need, two or three milestones, a payment on about a third
of them and an evaluation on the closed ones, spread over 30 agencies, 400 organisations,
the categories and the counties of 四川) are bulk-generated into a throw-away database:
a SQLite file in a temporary SAFETYNET_VAR_DIR, or a fresh PostgreSQL database
``safetynet_register_perf`` (created and dropped by the script; PERF_POSTGRES_URL names
the server, default postgres://postgres@127.0.0.1:5432).

Timed over HTTP (a WSGI server in a thread of this process, anonymous): the first page,
a filtered page (category + status + year), a text search (a Chinese substring) and a
deep page; and, as the baseline in the same run, the SQL statements each request ran
replayed on a cursor, and /healthz (the cost of a request through the middleware). With
``--exports`` the open-data files are generated too and their time and size printed.

    uv run python bench/register_perf.py --database sqlite
    uv run python bench/register_perf.py --database postgres
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

from perfkit import get as fetch
from perfkit import ms, p50, p95, postgres, replay, serve

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "platform"), str(ROOT)]

BAR = 0.150
DATABASE = "safetynet_register_perf"
TITLES = [
    "独居老人助餐与探访",
    "困境儿童课后陪伴",
    "残疾人康复训练",
    "精神障碍家庭喘息服务",
    "高龄老人居家照护",
    "低保边缘家庭心理疏导",
    "留守儿童暑期托管",
    "失能老人助浴服务",
    "重病患者陪诊就医",
    "临时救助对象生活物资配送",
]
ORG_WORDS = ["仁爱", "阳光", "同心", "善行", "康宁", "春晖", "益众", "乐龄", "启明", "和美"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=40, help="requests per page")
    parser.add_argument("--exports", action="store_true", help="also time the open-data files")
    parser.add_argument("--profile", action="store_true", help="print where the first page's time goes")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="safetynet-register-perf-")
    os.environ.update({"SAFETYNET_VAR_DIR": var, "LOG_LEVEL": "WARNING", "DJANGO_SETTINGS_MODULE": "config.settings"})
    server = os.environ.get("PERF_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
    if args.database == "postgres":
        postgres(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)", f"CREATE DATABASE {DATABASE}")
        os.environ["DATABASE_URL"] = f"{server}/{DATABASE}"
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        return run(args)
    finally:
        if args.database == "postgres":
            from django.db import connections

            connections.close_all()
            postgres(server, f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


def run(args) -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}; contracts: {args.contracts:,}")
    started = time.perf_counter()
    counts = generate(contracts=args.contracts)
    print(f"generated in {time.perf_counter() - started:.0f} s: " + ", ".join(f"{v:,} {k}" for k, v in counts.items()))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    from categories.models import Category

    year = time.localtime().tm_year
    pages = {
        "first page": {},
        "filtered (category + status + year)": {
            "category": Category.objects.get(code="elderly_care").code,
            "status": "active",
            "year": year,
        },
        "search (“儿童”)": {"q": "儿童"},
        "page 2,000": {"page": 2000},
    }
    if args.profile:
        import cProfile
        import pstats

        from django.test import Client

        client = Client()
        client.get("/contracts/", headers={"host": "127.0.0.1"})
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(5):
            client.get("/contracts/", headers={"host": "127.0.0.1"})
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(40)
    base = serve()
    results = {}
    healthz = [fetch(f"{base}/healthz") for _ in range(args.rounds)]
    for label, params in pages.items():
        url = f"{base}/contracts/?{urlencode(params)}"
        fetch(url)  # warm
        http = [fetch(url) for _ in range(args.rounds)]
        sql = replay(f"/contracts/?{urlencode(params)}", rounds=args.rounds)
        results[label] = (http, sql)

    print(f"\n/healthz over HTTP (baseline): p50 {ms(p50(healthz))}, p95 {ms(p95(healthz))}")
    print(f"{'page':40} {'HTTP p50':>9} {'HTTP p95':>9} {'SQL p50':>9} {'SQL p95':>9}")
    for label, (http, sql) in results.items():
        print(f"{label:40} {ms(p50(http)):>9} {ms(p95(http)):>9} {ms(p50(sql)):>9} {ms(p95(sql)):>9}")
    first = p95(results["first page"][0])
    print(f"\nfirst page p95 {ms(first)} (bar {ms(BAR)}): {'met' if first <= BAR else 'MISSED'}")

    if args.exports:
        from opendata.publish import open_data_publish

        print()
        for filename in ("contracts.csv", "contracts.json", "ocds.json", "directory-hsds.json"):
            started = time.perf_counter()
            item = open_data_publish(only=[filename])[filename]
            print(f"{filename}: {item.rows:,} rows, {item.size / 1e6:,.1f} MB in {time.perf_counter() - started:.1f} s")
    return 0 if first <= BAR else 1


def generate(*, contracts: int, batch: int = 5000, seed: int = 20261129) -> dict[str, int]:
    """Bulk inserts, no services: every row as the services would have left it."""
    from django.db import transaction
    from django.utils import timezone

    from accounts.models import User
    from agencies.models import Agency
    from categories.models import Category
    from contracts.models import Contract, Evaluation, Milestone, Payment
    from needs.models import Beneficiary, Need
    from organisations.models import Organisation
    from regions.models import Region
    from website.demo import demo_uscc

    rng = random.Random(seed)
    now = timezone.now()
    preparer = User.objects.create_user("bench.caseworker@example.test")
    approver = User.objects.create_user("bench.approver@example.test")
    finance = User.objects.create_user("bench.finance@example.test")
    sichuan = Region.objects.get(code="510000")
    counties = list(Region.objects.filter(path__startswith=sichuan.path, level="county").order_by("code"))
    townships = list(Region.objects.filter(path__startswith=sichuan.path, level="township"))
    places = counties + townships
    agencies = [
        Agency.objects.create(name=f"{county.name}民政局", region=county) for county in rng.sample(counties, 30)
    ]
    organisations = Organisation.objects.bulk_create(
        [
            Organisation(
                legal_name=f"{rng.choice(counties).name}{rng.choice(ORG_WORDS)}{i}号社会工作服务中心",
                uscc=demo_uscc(f"52510000MJ{i:07d}"),
                kind="social_work",
                region=rng.choice(counties),
                vetting_state="approved",
                approved_until=now + timedelta(days=365),
                vetted_since=now - timedelta(days=400),
            )
            for i in range(400)
        ]
    )
    categories = list(Category.objects.filter(is_active=True))
    beneficiary = Beneficiary.objects.create(
        agency=agencies[0], name="压测", id_number="510129195001011234", created_by=preparer
    )
    sequences: dict[tuple[int, int], int] = {}
    counts = {"needs": 0, "contracts": 0, "milestones": 0, "payments": 0, "evaluations": 0}
    reference = 0
    done = 0
    while done < contracts:
        with transaction.atomic():  # one commit per batch, not one per INSERT
            size = min(batch, contracts - done)
            needs, rows = [], []
            for _ in range(size):
                agency = rng.choice(agencies)
                signed_at = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365 * 3))
                price = Decimal(rng.choice([1200, 3600, 4800, 8000, 12000, 25000, 60000, 150000]))
                state = rng.choices(["active", "completed", "closed", "terminated"], [50, 10, 35, 5])[0]
                needs.append(
                    Need(
                        agency=agency,
                        beneficiary=beneficiary,
                        title=rng.choice(TITLES),
                        summary="压测数据",
                        category=rng.choice(categories),
                        kind="service",
                        urgency="routine",
                        response_deadline=signed_at,
                        region=rng.choice(places),
                        budget=price,
                        duration_days=90,
                        state="fulfilled" if state == "closed" else "in_contract",
                        prepared_by=preparer,
                        approved_by=approver,
                        claimed_by=rng.choice(organisations),
                        published_at=signed_at - timedelta(days=10),
                    )
                )
                rows.append((agency, signed_at, price, state))
            needs = Need.objects.bulk_create(needs)
            batch_contracts, plans = [], []
            for need, (agency, signed_at, price, state) in zip(needs, rows, strict=True):
                year = timezone.localtime(signed_at).year
                sequence = sequences[(agency.pk, year)] = sequences.get((agency.pk, year), 0) + 1
                start = timezone.localdate(signed_at)
                # The milestones: (accepted, paid) each; their figures are the register's.
                n = rng.choice([2, 2, 3])
                share = (price / n).quantize(Decimal("0.01"))
                met = n if state in {"completed", "closed"} else rng.randrange(0, n)
                plan = [(i < met, i < met and (state == "closed" or i < met - 1)) for i in range(n)]
                score = Decimal(rng.randrange(300, 501)) / 100 if state == "closed" else None
                plans.append((share, plan))
                batch_contracts.append(
                    Contract(
                        agency=agency,
                        organisation_id=need.claimed_by_id,
                        need=need,
                        source="claim",
                        year=year,
                        sequence=sequence,
                        number=f"GM{year}-{agency.pk:03d}-{sequence:05d}",
                        state=state,
                        prepared_by=preparer,
                        signed_at=signed_at,
                        price=price,
                        term_start=start,
                        term_end=start + timedelta(days=180),
                        milestones_total=n if state != "terminated" else met,
                        milestones_met=met,
                        paid_total=share * sum(1 for _a, paid in plan if paid),
                        score=score,
                    )
                )
            batch_contracts = Contract.objects.bulk_create(batch_contracts)
            milestones, evaluations = [], []
            for contract, (share, plan) in zip(batch_contracts, plans, strict=True):
                for i, (accepted, paid) in enumerate(plan):
                    milestones.append(
                        Milestone(
                            contract=contract,
                            state="accepted"
                            if accepted
                            else ("cancelled" if contract.state == "terminated" else "pending"),
                            accepted_at=contract.signed_at + timedelta(days=30 * (i + 1)) if accepted else None,
                            accepted_amount=share if accepted else 0,
                            paid_amount=share if paid else 0,
                            payment_due=timezone.localdate(contract.signed_at) + timedelta(days=30 * (i + 2))
                            if accepted
                            else None,
                        )
                    )
                if contract.score is not None:
                    evaluations.append(
                        Evaluation(contract=contract, by=approver, summary="压测", score=contract.score, on_time=True)
                    )
            milestones = Milestone.objects.bulk_create(milestones)
            Evaluation.objects.bulk_create(evaluations)
            payments = []
            for m in milestones:
                if m.paid_amount:
                    reference += 1
                    contract = m.contract
                    payments.append(
                        Payment(
                            contract=contract,
                            milestone=m,
                            agency_id=contract.agency_id,
                            amount=m.paid_amount,
                            paid_on=timezone.localdate(m.accepted_at) + timedelta(days=10),
                            reference=f"GK{reference:08d}",
                            state="authorised",
                            recorded_by=finance,
                            authorised_by=approver,
                            authorised_at=m.accepted_at + timedelta(days=10),
                        )
                    )
            Payment.objects.bulk_create(payments)
            done += size
            counts["needs"] += len(needs)
            counts["contracts"] += len(batch_contracts)
            counts["milestones"] += len(milestones)
            counts["payments"] += len(payments)
            counts["evaluations"] += len(evaluations)
    return counts


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        sys.exit(main())
