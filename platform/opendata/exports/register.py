"""The contract register as CSV and JSON, one row per signed contract."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO

from django.urls import reverse
from django.utils import timezone

from contracts.selectors import register
from core.spreadsheets import safe_cell
from opendata.downloads import LICENCE_URL, REGISTER_FIELDS
from opendata.exports.common import CHUNK, CURRENCY, _county, _number, _site, _utc


def register_rows() -> Iterator[dict]:
    """One dict per signed contract, oldest signed first, with REGISTER_FIELDS as keys."""
    site = _site()
    contracts = register().order_by("signed_at", "pk")
    for c in contracts.iterator(chunk_size=CHUNK):
        county = _county(c.need.region)
        yield {
            "contract_number": c.number,
            "title": c.need.title,
            "buyer_agency": c.agency.name,
            "buyer_agency_id": c.agency_id,
            "organisation": c.organisation.legal_name,
            "organisation_uscc": c.organisation.uscc,
            "category_code": c.need.category.code,
            "category": c.need.category.name_zh,
            "county": county.full_name if county else "",
            "county_code": county.code if county else "",
            "amount_cny": c.price,
            "term_start": c.term_start.isoformat() if c.term_start else "",
            "term_end": c.term_end.isoformat() if c.term_end else "",
            "status": c.state,
            "signed_date": timezone.localdate(c.signed_at).isoformat(),
            "milestones_total": c.milestones_total,
            "milestones_met": c.milestones_met,
            "paid_cny": c.paid_total,
            "evaluation_score": c.score,
            "url": site + reverse("contracts:detail", args=[c.pk]),
        }


def write_register_csv(out: BinaryIO, *, generated_at: datetime) -> int:
    """UTF-8 with a byte-order mark (so that spreadsheet programs read the Chinese), every
    text cell made inert for them (core.spreadsheets)."""
    text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([f.name for f in REGISTER_FIELDS])
    count = 0
    for row in register_rows():
        writer.writerow([safe_cell("" if row[f.name] is None else row[f.name]) for f in REGISTER_FIELDS])
        count += 1
    text.flush()
    text.detach()
    return count


def write_register_json(out: BinaryIO, *, generated_at: datetime) -> int:
    head = {"generated_at": _utc(generated_at), "license": LICENCE_URL, "publisher": _site(), "currency": CURRENCY}
    out.write(json.dumps(head, ensure_ascii=False)[:-1].encode() + b', "contracts": [')
    count = 0
    for row in register_rows():
        for key in ("amount_cny", "paid_cny", "evaluation_score"):
            row[key] = _number(row[key])
        out.write((b",\n" if count else b"\n") + json.dumps(row, ensure_ascii=False).encode())
        count += 1
    out.write(b"\n]}\n")
    return count
