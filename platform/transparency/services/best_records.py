"""The best track records: organisations by on-time delivery and score, agencies by on-time payment."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count

from contracts.models import Contract, ContractState
from contracts.track_record import track_records
from organisations.models import Organisation
from organisations.selectors import organisations_may_act
from transparency.figures import BEST_RECORDS, MIN_RECORD
from transparency.models import AgencyTimeliness, BestRecord, RecordKind


def _percent(part: int, whole: int) -> int | None:
    if not whole:
        return None
    return int((Decimal(part * 100) / whole).quantize(Decimal(1), ROUND_HALF_UP))


def _best_records(agency_rows: list[AgencyTimeliness]) -> list[BestRecord]:
    """Organisations with at least MIN_RECORD completed contracts that may act today,
    best on-time delivery first, then evaluation score; agencies with at least
    MIN_RECORD payments fallen due, best on-time payment first, then the quicker payer."""

    eligible = (
        Contract.objects.filter(state=ContractState.CLOSED, organisation__in=organisations_may_act())
        .order_by()
        .values("organisation_id")
        .annotate(n=Count("pk"))
        .filter(n__gte=MIN_RECORD)
        .values_list("organisation_id", flat=True)
    )
    ids = list(eligible)
    records = track_records(ids)
    names = dict(Organisation.objects.filter(pk__in=ids).values_list("pk", "legal_name"))

    def organisation_order(pk: int) -> tuple[float, Decimal | int, int, str]:
        r = records[pk]
        return (-(r.on_time_rate or 0), -(r.average_score or 0), -r.contracts, names.get(pk, ""))

    best = [
        BestRecord(
            kind=RecordKind.ORGANISATION,
            rank=rank,
            organisation_id=pk,
            name=names.get(pk, ""),
            basis=records[pk].contracts,
            on_time_percent=records[pk].on_time_percent,
            average_score=records[pk].average_score,
        )
        for rank, pk in enumerate(sorted(ids, key=organisation_order)[:BEST_RECORDS], start=1)
    ]
    payers = [row for row in agency_rows if row.payments_due >= MIN_RECORD]
    payers.sort(
        key=lambda r: (
            -r.payments_on_time / r.payments_due,
            r.pay_median if r.pay_median is not None else Decimal(10**6),
            -r.payments_due,
            r.name,
        )
    )
    best += [
        BestRecord(
            kind=RecordKind.AGENCY,
            rank=rank,
            agency=row.agency,
            name=row.name,
            basis=row.payments_due,
            on_time_percent=_percent(row.payments_on_time, row.payments_due),
            median_days_to_pay=row.pay_median,
        )
        for rank, row in enumerate(payers[:BEST_RECORDS], start=1)
    ]
    return best
