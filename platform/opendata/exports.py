"""The open-data files, written row by row to a binary file.

Each writer reads the database in chunks (``iterator(chunk_size=...)``) and writes as it
goes, so 100,000 contracts take constant memory. Nothing here reads a beneficiary: the
register's rows carry the need's title (checked for identity when the need was written),
its category and the county it is in, never the township, the summary or any free text
of the contract; OCDS leaves out the reasons for amendments and termination for the
same reason.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils import timezone, translation

from categories.models import Category
from contracts.models import (
    Contract,
    ContractEvent,
    ContractSource,
    ContractState,
    ContractVersion,
    MilestoneState,
    Payment,
    PaymentState,
    VersionState,
)
from contracts.selectors import register
from core.spreadsheets import safe_cell
from opendata.downloads import LICENCE_URL, REGISTER_FIELDS
from organisations.models import OrganisationKind
from organisations.selectors import organisations_may_act
from regions.models import RegionLevel

CHUNK = 2000
CURRENCY = "CNY"


def _site() -> str:
    return settings.SITE_URL.rstrip("/")


def _county(region):

    while region is not None and region.level == RegionLevel.TOWNSHIP:
        region = region.parent
    return region


def _utc(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _day(value: date | None, *, end: bool = False) -> str | None:
    """A date as the date-time OCDS asks for: its first (or last) second, local time."""
    if value is None:
        return None
    moment = datetime.combine(value, time(23, 59, 59) if end else time(0, 0), tzinfo=timezone.get_default_timezone())
    return moment.isoformat()


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- The register (CSV and JSON) -------------------------------------------------------


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


# --- OCDS ------------------------------------------------------------------------------

# Organisations are identified by their unified social credit code (GB 32100-2015).
ORGANISATION_SCHEME = "CN-USCC"
CATEGORY_SCHEME = "X-SAFETYNET-CATEGORY"

CONTRACT_STATUS: dict[str, str] = {
    ContractState.ACTIVE: "active",
    ContractState.COMPLETED: "active",
    ContractState.CLOSED: "terminated",
    ContractState.TERMINATED: "terminated",
}
MILESTONE_STATUS: dict[str, str] = {
    MilestoneState.ACCEPTED: "met",
    MilestoneState.CANCELLED: "notMet",
}


def ocid(contract: Contract) -> str:
    """Stable for the life of the contract: the publisher's prefix and the contract number."""
    return f"{settings.OCDS_PREFIX}-{contract.number}"


def _buyer(contract: Contract) -> dict:
    return {"id": f"{settings.OCDS_PREFIX}-agency-{contract.agency_id}", "name": contract.agency.name}


def _supplier(contract: Contract) -> dict:
    return {"id": f"{ORGANISATION_SCHEME}-{contract.organisation.uscc}", "name": contract.organisation.legal_name}


def ocds_contracts():
    """The signed contracts with what a release reads, prefetched per chunk."""
    last_event = ContractEvent.objects.filter(contract=OuterRef("pk")).order_by("-at").values("at")[:1]
    return (
        register()
        .select_related("agency__region", "organisation__region")
        .annotate(updated=Subquery(last_event))
        .prefetch_related(
            "milestones",
            Prefetch(
                "payments",
                queryset=Payment.objects.filter(state=PaymentState.AUTHORISED).order_by("paid_on", "pk"),
                to_attr="authorised_payments",
            ),
            Prefetch(
                "versions",
                queryset=ContractVersion.objects.filter(state__in=[VersionState.SIGNED, VersionState.SUPERSEDED])
                .prefetch_related("milestone_terms")
                .order_by("number"),
                to_attr="signed_versions",
            ),
        )
        .order_by("signed_at", "pk")
    )


def ocds_release(contract: Contract) -> dict:
    """One release: the contracting process of one signed contract as it stands."""
    buyer, supplier = _buyer(contract), _supplier(contract)
    need = contract.need
    county = _county(need.region)
    updated = cast(datetime, getattr(contract, "updated", None) or contract.signed_at)  # a signed contract
    versions = contract.signed_versions if hasattr(contract, "signed_versions") else []
    # What the latest signed version that schedules it says of each milestone.
    terms = {}
    for version in versions:
        for t in version.milestone_terms.all():
            terms[t.milestone_id] = t
    milestones = []
    for m in sorted(contract.milestones.all(), key=lambda m: m.pk):
        t = terms.get(m.pk)
        if t is None and not m.settlement:
            continue  # dropped from a draft before it was ever signed
        item = {
            "id": str(m.pk),
            "title": t.description if t else "结算（终止时）",
            "type": "delivery",
            "status": MILESTONE_STATUS.get(m.state, "scheduled"),
            # OCDS 1.1 gives a milestone no value: its amount is said in words.
            "description": f"{t.amount if t else m.accepted_amount:,.2f} {CURRENCY}",
        }
        if t is not None:
            item["dueDate"] = _day(t.due_date, end=True)
        if m.state == MilestoneState.ACCEPTED and m.accepted_at:
            item["dateMet"] = _utc(m.accepted_at)
        milestones.append(item)
    payments = getattr(contract, "authorised_payments", None)
    if payments is None:
        payments = contract.payments.filter(state=PaymentState.AUTHORISED).order_by("paid_on", "pk")
    transactions = [
        {
            "id": f"{contract.number}-payment-{p.pk}",
            "date": _day(p.paid_on),
            "value": {"amount": _number(p.amount), "currency": CURRENCY},
            "payer": buyer,
            "payee": supplier,
        }
        for p in payments
    ]
    amendments = [
        {
            "id": f"{contract.number}-v{v.number}",
            "date": _utc(max(d for d in (v.agency_signed_at, v.organisation_signed_at) if d)),
            "description": f"第 {v.number} 版合同生效",
        }
        for v in versions
        if v.number > 1
    ]
    value = {"amount": _number(contract.price), "currency": CURRENCY}
    period = {"startDate": _day(contract.term_start), "endDate": _day(contract.term_end, end=True)}
    ocds_contract: dict[str, Any] = {
        "id": contract.number,
        "awardID": f"{contract.number}-award",
        "title": need.title,
        "status": CONTRACT_STATUS[contract.state],
        # OCDS 1.1 has no statusDetails: which of our states it is, in words.
        "description": str(ContractState(contract.state).label),
        "period": period,
        "value": value,
        "dateSigned": _utc(contract.signed_at),
        "milestones": milestones,
    }
    if amendments:
        ocds_contract["amendments"] = amendments
    if transactions:
        ocds_contract["implementation"] = {"transactions": transactions}
    tags = ["tender", "award", "contract"]
    if transactions or any(m["status"] == "met" for m in milestones):
        tags.append("implementation")
    if contract.state == ContractState.TERMINATED:
        tags.append("contractTermination")
    category = need.category
    return {
        "ocid": ocid(contract),
        "id": f"{contract.number}-{updated.astimezone(UTC):%Y%m%dT%H%M%SZ}",
        "date": _utc(updated),
        "tag": tags,
        "initiationType": "tender",
        "language": "zh",
        "parties": [
            {
                **buyer,
                "roles": ["buyer", "payer"],
                "address": {"region": contract.agency.region.full_name, "countryName": "中国"},
            },
            {
                **supplier,
                "identifier": {
                    "scheme": ORGANISATION_SCHEME,
                    "id": contract.organisation.uscc,
                    "legalName": contract.organisation.legal_name,
                },
                "roles": ["supplier", "payee"],
                "address": {"region": contract.organisation.region.full_name, "countryName": "中国"},
            },
        ],
        "buyer": buyer,
        "tender": {
            "id": need.reference,
            "title": need.title,
            "status": "complete",
            "procurementMethod": "limited" if need.scope == "invited" else "selective",
            "procurementMethodDetails": str(ContractSource(contract.source).label),
            "mainProcurementCategory": "services",
            "value": {"amount": _number(need.budget), "currency": CURRENCY},
            "items": [
                {
                    "id": "1",
                    "description": " · ".join(x for x in (category.name_zh, county.full_name if county else "") if x),
                    "classification": {"scheme": CATEGORY_SCHEME, "id": category.code, "description": category.name_zh},
                }
            ],
        },
        "awards": [
            {
                "id": f"{contract.number}-award",
                "title": need.title,
                "status": "active",
                "date": _utc(contract.signed_at),
                "value": value,
                "suppliers": [supplier],
                "contractPeriod": period,
            }
        ],
        "contracts": [ocds_contract],
    }


def ocds_package_head(*, generated_at: datetime) -> dict:
    site = _site()
    return {
        "uri": site + reverse("opendata:ocds"),
        "version": "1.1",
        "publishedDate": _utc(generated_at),
        "publisher": {"name": str(settings.SAFETYNET_SITE_NAME), "uri": site},
        "license": LICENCE_URL,
        "publicationPolicy": site + reverse("opendata:index"),
    }


def write_ocds(out: BinaryIO, *, generated_at: datetime) -> int:
    """The release package, one release per signed contract, written as it is read."""
    head = json.dumps(ocds_package_head(generated_at=generated_at), ensure_ascii=False)
    out.write(head[:-1].encode() + b', "releases": [')
    count = 0
    for contract in ocds_contracts().iterator(chunk_size=CHUNK):
        out.write((b",\n" if count else b"\n") + json.dumps(ocds_release(contract), ensure_ascii=False).encode())
        count += 1
    out.write(b"\n]}\n")
    return count


def ocds_package(*, generated_at: datetime | None = None) -> dict:
    """The whole package in memory (for tests and small sites)."""
    buffer = io.BytesIO()
    with translation.override(settings.LANGUAGE_CODE):
        write_ocds(buffer, generated_at=generated_at or timezone.now())
    return json.loads(buffer.getvalue())


# --- Open Referral HSDS ----------------------------------------------------------------

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
