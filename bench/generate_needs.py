"""Many needs, fast: realistic Chinese cards composed from the field's vocabulary (the
relevance corpus in tests/data and the seeded synonym groups), bulk-inserted.

Used by bench/search_perf.py on a throw-away database that already holds the demo data
(``seed_demo``): the needs belong to the demo county agency, lie in real regions of
四川 from the regions table, and a share of them are published (the only ones indexed).
"""

from __future__ import annotations

import json
import random
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "data" / "search_corpus.json"
NOT_PUBLISHED = ("draft", "submitted", "approved", "fulfilled", "closed", "withdrawn", "expired")
URGENCIES = ("routine",) * 6 + ("urgent",) * 3 + ("emergency",)
KINDS = ("service",) * 3 + ("goods", "cash")
BUDGETS = (500, 800, 1200, 3000, 4800, 6000, 12000, 18000, 25000, 40000, 60000, 120000)


def vocabulary() -> tuple[list[str], list[str], list[str]]:
    """Titles, summary sentences and synonym terms to compose cards from."""
    from matching.synonyms import SEED_GROUPS

    corpus = json.loads(CORPUS.read_text(encoding="utf-8"))
    titles = [entry["title"] for entry in corpus]
    sentences = [s for entry in corpus for s in re.split(r"(?<=[。；！])", entry["summary"]) if len(s) > 4]
    terms = [t for group in SEED_GROUPS for t in group]
    return titles, sentences, terms


def generate(*, needs: int, published: int, batch_size: int = 5000, seed: int = 20261129, progress=None) -> None:
    """Insert ``needs`` needs of which ``published`` are published (not yet indexed)."""
    from django.utils import timezone

    from accounts.models import User
    from agencies.models import Agency
    from categories.models import Category
    from needs.models import Beneficiary, Need
    from regions.models import Region

    rng = random.Random(seed)
    titles, sentences, terms = vocabulary()
    agency = Agency.objects.get(name="大邑县民政局")
    caseworker = User.objects.get(email="caseworker@safetynet.test")
    approver = User.objects.get(email="approver@safetynet.test")
    beneficiary = Beneficiary.objects.create(
        agency=agency, name="压测", id_number="510129195001011234", created_by=caseworker
    )
    categories = list(Category.objects.filter(is_active=True))
    # Townships and counties of 四川 (most needs in the demo county, as a county bureau's would be).
    province, county = Region.objects.get(code="510000"), Region.objects.get(code="510129")
    regions = list(Region.objects.filter(path__startswith=province.path, level__in=("township", "county")))
    home = [r for r in regions if r.path.startswith(county.path)]
    now = timezone.now()
    done = 0
    while done < needs:
        batch = []
        for _ in range(min(batch_size, needs - done)):
            i = done + len(batch)
            # Exactly ``published`` of them, spread evenly.
            is_published = (i * published) // needs != ((i + 1) * published) // needs
            region = rng.choice(home) if rng.random() < 0.6 else rng.choice(regions)
            title = rng.choice(titles)
            if rng.random() < 0.3:
                title = (rng.choice(terms) + title)[:80]
            summary = "".join(rng.sample(sentences, 3))[:2000]
            published_at = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
            batch.append(
                Need(
                    agency=agency,
                    beneficiary=beneficiary,
                    title=title,
                    summary=summary,
                    category=rng.choice(categories),
                    kind=rng.choice(KINDS),
                    urgency=rng.choice(URGENCIES),
                    response_deadline=published_at + timedelta(days=rng.randrange(3, 60)),
                    region=region,
                    budget=Decimal(rng.choice(BUDGETS)),
                    duration_days=rng.randrange(7, 180),
                    qualifications="持证社工" if rng.random() < 0.15 else "",
                    scope="all" if rng.random() < 0.1 else "region",
                    state="published" if is_published else rng.choice(NOT_PUBLISHED),
                    prepared_by=caseworker,
                    approved_by=approver,
                    published_at=published_at,
                )
            )
        Need.objects.bulk_create(batch, batch_size=1000)
        done += len(batch)
        if progress:
            progress(done)
