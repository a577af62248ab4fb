"""The contract register as an OCDS 1.1 release package, one release per signed contract."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any, BinaryIO, cast

from django.conf import settings
from django.db.models import OuterRef, Prefetch, Subquery
from django.urls import reverse
from django.utils import timezone, translation

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
from opendata.downloads import LICENCE_URL
from opendata.exports.common import CHUNK, CURRENCY, _county, _day, _number, _site, _utc

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
