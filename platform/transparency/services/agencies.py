"""Each buying agency's timeliness: days to accept and to pay (median, 90th percentile) and payments on time."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate

from agencies.models import Agency
from contracts.models import Milestone, MilestoneState, Payment, PaymentState
from transparency.models import AgencyTimeliness


def _median(histogram: list[tuple[int, int]]) -> Decimal | None:
    """The median of values given as (value, count) sorted by value: the middle one, or
    the mean of the two middle ones (as ``statistics.median``)."""
    n = sum(count for _v, count in histogram)
    if not n:
        return None
    low, high = _rank(histogram, (n + 1) // 2), _rank(histogram, n // 2 + 1)
    return (Decimal(low + high) / 2).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _p90(histogram: list[tuple[int, int]]) -> Decimal | None:
    """The 90th percentile by the nearest rank: the smallest value that at least 90 % of
    the values do not exceed."""
    n = sum(count for _v, count in histogram)
    if not n:
        return None
    return Decimal(_rank(histogram, math.ceil(0.9 * n)))


def _rank(histogram: list[tuple[int, int]], rank: int) -> int:
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= rank:
            return value
    return histogram[-1][0]


def _whole_days(value: timedelta | int) -> int:
    if isinstance(value, timedelta):
        return value.days
    return int(value) // 86_400_000_000


def _agency_rows(*, on: date, until: datetime) -> list[AgencyTimeliness]:
    """Per buying agency, as ``contracts.agency_record`` defines the figures (local dates):
    days to accept = acceptance − last submission, over accepted milestones with a
    submission; days to pay = the treasury date of the last authorised payment −
    acceptance, over milestones paid in full; on time = of the payments fallen due (paid
    in full, or unpaid past the due date), those paid in full by the due date."""

    accept_histograms: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    accepted = (
        Milestone.objects.filter(
            state=MilestoneState.ACCEPTED,
            settlement=False,
            submitted_at__isnull=False,
            accepted_at__isnull=False,
            accepted_at__lt=until,
        )
        .order_by()
        .annotate(
            _days=ExpressionWrapper(TruncDate("accepted_at") - TruncDate("submitted_at"), output_field=DurationField())
        )
        .values("contract__agency_id", "_days")
        .annotate(_n=Count("pk"))
    )
    for row in accepted:
        accept_histograms[row["contract__agency_id"]][_whole_days(row["_days"])] += row["_n"]

    last_paid = Subquery(
        Payment.objects.filter(milestone=OuterRef("pk"), state=PaymentState.AUTHORISED, paid_on__lte=on)
        .order_by("-paid_on")
        .values("paid_on")[:1],
        output_field=DateField(),
    )
    fell_due = (
        Milestone.objects.filter(state=MilestoneState.ACCEPTED, accepted_amount__gt=0, accepted_at__lt=until)
        .order_by()
        .annotate(_last_paid=last_paid)
        .filter(Q(paid_amount__gte=F("accepted_amount"), _last_paid__isnull=False) | Q(payment_due__lt=on))
    )
    paid_in_full = Q(paid_amount__gte=F("accepted_amount"), _last_paid__isnull=False)
    pay_histograms: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    paid = (
        fell_due.filter(paid_in_full)
        .annotate(
            _days=ExpressionWrapper(F("_last_paid") - TruncDate("accepted_at"), output_field=DurationField()),
        )
        .values("contract__agency_id", "_days")
        .annotate(_n=Count("pk"))
    )
    for row in paid:
        pay_histograms[row["contract__agency_id"]][_whole_days(row["_days"])] += row["_n"]
    due: dict[int, Mapping[str, Any]] = {
        row["contract__agency_id"]: row
        for row in fell_due.values("contract__agency_id").annotate(
            _due=Count("pk"),
            _on_time=Count(
                "pk", filter=paid_in_full & (Q(payment_due__isnull=True) | Q(_last_paid__lte=F("payment_due")))
            ),
        )
    }

    ids = set(accept_histograms) | set(pay_histograms) | set(due)
    agencies = Agency.objects.filter(pk__in=ids).select_related("region").only("name", "region__name")
    rows = []
    for agency in agencies:
        accept = sorted(accept_histograms[agency.pk].items())
        pay = sorted(pay_histograms[agency.pk].items())
        counts = due.get(agency.pk, {})
        rows.append(
            AgencyTimeliness(
                agency=agency,
                name=agency.name,
                region_name=agency.region.name,
                accepted=sum(n for _d, n in accept),
                accept_median=_median(accept),
                accept_p90=_p90(accept),
                paid=sum(n for _d, n in pay),
                pay_median=_median(pay),
                pay_p90=_p90(pay),
                payments_due=counts.get("_due", 0),
                payments_on_time=counts.get("_on_time", 0),
            )
        )
    return rows
