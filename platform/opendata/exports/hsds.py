"""The directory of organisations as Open Referral HSDS 3: JSON services and a ZIP of CSV tables."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import datetime
from typing import BinaryIO

from django.urls import reverse

from categories.models import Category
from core.spreadsheets import safe_cell
from opendata.exports.common import CHUNK, _site
from organisations.models import OrganisationKind
from organisations.selectors import organisations_may_act

HSDS_TABLES = {
    "organization": (
        "id",
        "name",
        "alternate_name",
        "description",
        "email",
        "website",
        "year_incorporated",
        "legal_status",
        "uri",
        "parent_organization_id",
    ),
    "organization_identifier": ("id", "organization_id", "identifier_scope", "identifier_type", "identifier"),
    "service": (
        "id",
        "organization_id",
        "program_id",
        "name",
        "alternate_name",
        "description",
        "url",
        "email",
        "status",
        "accreditations",
        "assured_date",
        "last_modified",
    ),
    "service_area": (
        "id",
        "service_id",
        "service_at_location_id",
        "name",
        "description",
        "extent",
        "extent_type",
        "uri",
    ),
    "taxonomy": ("id", "name", "description", "uri", "version"),
    "taxonomy_term": (
        "id",
        "code",
        "name",
        "description",
        "parent_id",
        "taxonomy",
        "language",
        "taxonomy_id",
        "term_uri",
    ),
    "attribute": ("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value", "label"),
}


def _uuid(*parts) -> str:
    """A stable UUID (HSDS identifiers are UUIDs) for one of our rows on this site."""
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, _site() + "/open-data/hsds")
    return str(uuid.uuid5(namespace, "/".join(str(p) for p in parts)))


def hsds_tables() -> dict[str, list[dict]]:
    """The directory as HSDS 3 tables: the organisations that may act today, one service
    per organisation and service category, its service areas and its category as a
    taxonomy term. No person's name, phone or address: the directory's contact person
    and bank details are not published."""

    site = _site()
    taxonomy_id = _uuid("taxonomy", "categories")
    tables: dict[str, list[dict]] = {name: [] for name in HSDS_TABLES}
    tables["taxonomy"].append(
        {
            "id": taxonomy_id,
            "name": "Safetynet service categories",
            "description": "救助衔接平台的服务类别",
            "uri": site + reverse("opendata:index"),
            "version": "1",
        }
    )
    terms = {}
    for category in Category.objects.order_by("order", "code"):
        terms[category.pk] = _uuid("category", category.code)
        tables["taxonomy_term"].append(
            {
                "id": terms[category.pk],
                "code": category.code,
                "name": category.name_zh,
                "description": category.name_en,
                "parent_id": None,
                "taxonomy": "Safetynet service categories",
                "language": "zh",
                "taxonomy_id": taxonomy_id,
                "term_uri": None,
            }
        )
    organisations = (
        organisations_may_act()
        .select_related("region")
        .prefetch_related("service_regions", "service_categories")
        .order_by("pk")
    )
    for o in organisations.iterator(chunk_size=CHUNK):
        org_id = _uuid("organisation", o.pk)
        page = site + reverse("directory:detail", args=[o.pk])
        tables["organization"].append(
            {
                "id": org_id,
                "name": o.legal_name,
                "alternate_name": None,
                "description": o.description or o.legal_name,
                "email": None,
                "website": page,
                "year_incorporated": o.registration_date.year if o.registration_date else None,
                "legal_status": str(OrganisationKind(o.kind).label),
                "uri": page,
                "parent_organization_id": None,
            }
        )
        tables["organization_identifier"].append(
            {
                "id": _uuid("uscc", o.pk),
                "organization_id": org_id,
                "identifier_scope": "national",
                "identifier_type": "统一社会信用代码",
                "identifier": o.uscc,
            }
        )
        areas = list(o.service_regions.all()) or [o.region]
        for category in o.service_categories.all():
            service_id = _uuid("service", o.pk, category.code)
            tables["service"].append(
                {
                    "id": service_id,
                    "organization_id": org_id,
                    "program_id": None,
                    "name": f"{o.legal_name}：{category.name_zh}",
                    "alternate_name": category.name_en,
                    "description": category.name_zh,
                    "url": page,
                    "email": None,
                    "status": "active",
                    "accreditations": o.rating or None,
                    "assured_date": o.vetted_since.date().isoformat() if o.vetted_since else None,
                    "last_modified": None,
                }
            )
            for region in areas:
                tables["service_area"].append(
                    {
                        "id": _uuid("area", o.pk, category.code, region.code),
                        "service_id": service_id,
                        "service_at_location_id": None,
                        "name": region.full_name,
                        "description": f"GB/T 2260 {region.code}",
                        "extent": None,
                        "extent_type": None,
                        "uri": None,
                    }
                )
            tables["attribute"].append(
                {
                    "id": _uuid("attribute", o.pk, category.code),
                    "link_id": service_id,
                    "taxonomy_term_id": terms[category.pk],
                    "link_type": "service_type",
                    "link_entity": "service",
                    "value": category.code,
                    "label": category.name_zh,
                }
            )
    return tables


def hsds_services(tables: dict[str, list[dict]]) -> list[dict]:
    """The tables nested as HSDS 3 service objects (as GET /services returns them)."""
    organisations = {o["id"]: dict(o, organization_identifiers=[]) for o in tables["organization"]}
    for identifier in tables["organization_identifier"]:
        organisations[identifier["organization_id"]]["organization_identifiers"].append(identifier)
    terms = {t["id"]: t for t in tables["taxonomy_term"]}
    areas: dict[str, list[dict]] = {}
    for area in tables["service_area"]:
        areas.setdefault(area["service_id"], []).append(area)
    attributes: dict[str, list[dict]] = {}
    for attribute in tables["attribute"]:
        attributes.setdefault(attribute["link_id"], []).append(
            dict(attribute, taxonomy_term=terms[attribute["taxonomy_term_id"]])
        )
    return [
        dict(
            service,
            organization=organisations[service["organization_id"]],
            service_areas=areas.get(service["id"], []),
            attributes=attributes.get(service["id"], []),
            languages=[
                {"id": _uuid("language", service["id"]), "service_id": service["id"], "name": "中文", "code": "zh"}
            ],
        )
        for service in tables["service"]
    ]


def write_hsds_json(out: BinaryIO, *, generated_at: datetime) -> int:
    services = hsds_services(hsds_tables())
    page = {
        "total_items": len(services),
        "total_pages": 1,
        "page_number": 1,
        "size": len(services),
        "first_page": True,
        "last_page": True,
        "empty": not services,
        "contents": services,
    }
    out.write(json.dumps(page, ensure_ascii=False, indent=1).encode())
    return len(services)


def write_hsds_zip(out: BinaryIO, *, generated_at: datetime) -> int:
    """One CSV per HSDS table (UTF-8, header row), in a ZIP archive."""
    tables = hsds_tables()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, columns in HSDS_TABLES.items():
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(columns)
            for row in tables[name]:
                writer.writerow([safe_cell("" if row[c] is None else row[c]) for c in columns])
            archive.writestr(f"{name}.csv", text.getvalue().encode("utf-8"))
    return len(tables["organization"])
