"""Load the division data files into the Region table (idempotent)."""

from __future__ import annotations

import csv
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"


def read_rows() -> list[dict]:
    """Rows from divisions.csv then townships.csv, parents before children."""
    rows: list[dict] = []
    with open(DATA_DIR / "divisions.csv", encoding="utf-8", newline="") as fh:
        rows.extend(csv.DictReader(fh))
    townships = DATA_DIR / "townships.csv"
    if townships.exists():
        with open(townships, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                rows.append({**row, "level": "township"})
    depth = {"province": 1, "city": 2, "county": 3, "township": 4}
    rows.sort(key=lambda r: (depth[r["level"]], r["code"]))
    return rows


# City-level entries that only group counties (a municipality's districts, a province's
# directly administered counties): left out of an English full name.
GROUPINGS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def english_full_name(parent_full_name_en: str, row: dict) -> str:
    """Smallest first, as English addresses are written: "Dayi County, Chengdu City,
    Sichuan Province"."""
    if row["name"] in GROUPINGS and parent_full_name_en:
        return parent_full_name_en
    return ", ".join(p for p in (row.get("name_en", ""), parent_full_name_en) if p)


def load_regions(region_model) -> int:
    """Create the regions that are missing and correct names that changed.

    Takes the model class so that a data migration can pass its historical model (the
    English names only once the model has them, migration 0003).
    Inserts level by level in bulk (parents first), so a fresh database loads the
    ~3,200 divisions in well under a second. Returns the number created.
    """
    english = any(f.name == "name_en" for f in region_model._meta.get_fields())
    fields = ["name", "path", "full_name", "parent", *(["name_en", "full_name_en"] if english else [])]
    existing = {r.code: r for r in region_model.objects.all()}
    created = 0
    rows = read_rows()
    for level in ("province", "city", "county", "township"):
        new, changed = [], []
        for row in (r for r in rows if r["level"] == level):
            parent = existing.get(row.get("parent_code") or "")
            values = {
                "name": row["name"],
                "path": (parent.path if parent else "") + row["code"] + "/",
                "full_name": (parent.full_name + " " if parent else "") + row["name"],
                "parent": parent,
            }
            if english:
                values["name_en"] = row.get("name_en", "")
                values["full_name_en"] = english_full_name(parent.full_name_en if parent else "", row)
            region = existing.get(row["code"])
            if region is None:
                new.append(region_model(code=row["code"], level=level, **values))
            elif any(getattr(region, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(region, k, v)
                changed.append(region)
        region_model.objects.bulk_create(new, batch_size=500)
        if changed:
            region_model.objects.bulk_update(changed, fields, batch_size=500)
        if new or changed:
            # Re-read so children get their parents' primary keys (and names) on every database.
            existing.update({r.code: r for r in region_model.objects.filter(level=level)})
        created += len(new)
    return created
