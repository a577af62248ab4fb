"""The snapshot's figures on small hand-built data: counts, averages, money, the
small-count rule at its boundary (4 hidden, 5 shown) and its complement, the agencies'
medians, 90th percentiles and on-time shares, the best records, and the replacement of
one snapshot by the next."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contracts.models import ContractState
from tests.factories import AgencyFactory, OrganisationFactory, region
from tests.transparency.builders import ON, at
from transparency.models import AgencyTimeliness, BestRecord, FigureRow, Snapshot
from transparency.services import _median, _p90, snapshot_compute

pytestmark = pytest.mark.django_db

MARCH = date(2026, 3, 2)


def figure(snapshot, metric, dimension="total", key="") -> FigureRow:
    return FigureRow.objects.get(snapshot=snapshot, metric=metric, dimension=dimension, key=key)


def test_needs_published_counted_by_month_region_and_category(figures):
    for i in range(5):
        figures.need(published=at(MARCH + timedelta(days=i)), category="elderly_care", region="510129001")
    for _ in range(4):
        figures.need(published=at(date(2026, 4, 5)), category="medical", region="510129105")
    figures.need(published=None)  # a draft: never published
    figures.need(published=at(date(2026, 7, 2)))  # after the snapshot's day

    snapshot = snapshot_compute(on=ON)

    assert figure(snapshot, "needs_published").value == 9
    assert figure(snapshot, "needs_published", "month", "2026-03").value == 5
    assert figure(snapshot, "needs_published", "month", "2026-04").value == 4
    # Months run on to the snapshot's month, empty ones included.
    assert figure(snapshot, "needs_published", "month", "2026-06").value == 0
    assert figure(snapshot, "needs_published", "category", "elderly_care").value == 5
    # Townships roll up into their county, the county into its city and province.
    assert figure(snapshot, "needs_published", "region", "510129").value == 9
    assert figure(snapshot, "needs_published", "region", "510100").value == 9
    assert figure(snapshot, "needs_published", "region", "510000").value == 9
    assert not FigureRow.objects.filter(snapshot=snapshot, key="510129001").exists()


def test_a_count_of_four_is_hidden_and_five_is_shown(figures):
    for _ in range(5):
        figures.need(published=at(MARCH), category="elderly_care")
    for _ in range(4):
        figures.need(published=at(MARCH), category="medical")

    snapshot = snapshot_compute(on=ON)

    assert not figure(snapshot, "needs_published", "category", "elderly_care").suppressed
    assert figure(snapshot, "needs_published", "category", "medical").suppressed


def test_a_lone_hidden_count_takes_the_smallest_shown_sibling_with_it(figures):
    """Three counties of 成都市: otherwise 3 = the city's count − the other two would give it away."""
    for county, n in (("510129", 7), ("510104", 6), ("510105", 3)):
        for _ in range(n):
            figures.need(published=at(MARCH), region=county)

    snapshot = snapshot_compute(on=ON)

    assert figure(snapshot, "needs_published", "region", "510105").suppressed
    assert figure(snapshot, "needs_published", "region", "510104").suppressed
    assert not figure(snapshot, "needs_published", "region", "510129").suppressed
    assert not figure(snapshot, "needs_published", "region", "510100").suppressed


def test_a_small_count_among_empty_cells_needs_no_complement(figures):
    """Empty categories read "fewer than 5" as well: they already cover it."""
    for category, n in (("elderly_care", 7), ("medical", 3)):
        for _ in range(n):
            figures.need(published=at(MARCH), category=category)

    snapshot = snapshot_compute(on=ON)

    assert figure(snapshot, "needs_published", "category", "medical").suppressed
    assert not figure(snapshot, "needs_published", "category", "elderly_care").suppressed


def test_needs_met_are_fulfilled_needs_dated_by_their_fulfilment(figures):
    needs = [figures.need(published=at(MARCH), claimed=at(MARCH)) for _ in range(6)]
    for need in needs[:5]:
        figures.met(need, at(date(2026, 5, 20)))

    snapshot = snapshot_compute(on=ON)

    assert figure(snapshot, "needs_met").value == 5
    assert figure(snapshot, "needs_met", "month", "2026-05").value == 5
    assert figure(snapshot, "needs_met", "month", "2026-03").value == 0


def test_average_days_to_match_runs_from_publication_to_claim_or_award(figures):
    for days in (1, 2, 3, 4, 5):
        figures.need(published=at(MARCH), claimed=at(MARCH + timedelta(days=days)))
    figures.need(published=at(MARCH))  # not taken on: no match

    snapshot = snapshot_compute(on=ON)

    assert figure(snapshot, "days_to_match").value == Decimal("3.0")
    assert figure(snapshot, "days_to_match").observations == 5
    assert not figure(snapshot, "days_to_match").suppressed


def test_an_average_over_four_needs_is_hidden(figures):
    for days in (1, 2, 3, 4):
        figures.need(published=at(MARCH), claimed=at(MARCH + timedelta(days=days)))

    assert figure(snapshot_compute(on=ON), "days_to_match").suppressed


def test_money_contracted_paid_and_donated(figures):
    a = figures.need(published=at(MARCH), claimed=at(MARCH))
    b = figures.need(published=at(MARCH), claimed=at(MARCH))
    c = figures.need(published=at(MARCH), claimed=at(MARCH))
    d = figures.need(published=at(MARCH), claimed=at(MARCH))
    signed = figures.contract(a, signed=at(date(2026, 3, 5)), price="3000")
    figures.contract(b, signed=None, price="9999", state=ContractState.DRAFT)  # not signed: not contracted
    terminated = figures.contract(c, signed=at(date(2026, 4, 1)), price="5000", state=ContractState.TERMINATED)
    figures.milestone(terminated, submitted=at(date(2026, 4, 9)), accepted=at(date(2026, 4, 10)), amount="1200")
    figures.milestone(signed, submitted=None, accepted=at(date(2026, 3, 20)), amount="1000", paid_on=date(2026, 4, 2))
    figures.milestone(signed, submitted=None, accepted=at(date(2026, 3, 20)), amount="2000")  # accepted, unpaid
    figures.donation(d, received=50_000, refunded=20_000, when=at(date(2026, 4, 3)))
    figures.donation(d, received=12_345, when=at(date(2026, 4, 3)))
    figures.donation(d, received=99_999)  # received today, after the snapshot's day

    snapshot = snapshot_compute(on=ON)

    assert figure(snapshot, "money_contracted").value == Decimal("4200.00")
    assert figure(snapshot, "money_contracted", "month", "2026-04").value == Decimal("1200.00")
    assert figure(snapshot, "money_paid").value == Decimal("1000.00")
    assert figure(snapshot, "money_paid", "month", "2026-04").value == Decimal("1000.00")
    assert figure(snapshot, "money_donated").value == Decimal("423.45")
    # Sums of money are not counts of people: shown however few contracts are behind them.
    assert not figure(snapshot, "money_paid").suppressed


def test_agency_medians_percentiles_and_on_time_share(figures, county_agency):
    need = figures.need(published=at(MARCH), claimed=at(MARCH))
    contract = figures.contract(need, signed=at(MARCH), price="100000")
    accepted = date(2026, 4, 1)
    # Days to accept 1, 2, 3, 4, 10; days to pay 10, 20, 30 (on time), 31 (late); one unpaid past due.
    plans = [(1, 10), (2, 20), (3, 30), (4, 31), (10, None)]
    for accept_days, pay_days in plans:
        figures.milestone(
            contract,
            submitted=at(accepted - timedelta(days=accept_days)),
            accepted=at(accepted),
            paid_on=accepted + timedelta(days=pay_days) if pay_days else None,
        )
    # Accepted last week: not due yet, so not in the on-time share.
    figures.milestone(contract, submitted=at(ON - timedelta(days=9)), accepted=at(ON - timedelta(days=7)))

    snapshot_compute(on=ON)
    row = AgencyTimeliness.objects.get(agency=county_agency)

    assert row.accepted == 6
    assert row.accept_median == Decimal("2.5")  # 1, 2, 2, 3, 4, 10
    assert row.accept_p90 == Decimal("10")
    assert row.paid == 4
    assert row.pay_median == Decimal("25.0")  # 10, 20, 30, 31
    assert row.pay_p90 == Decimal("31")
    assert row.payments_due == 5
    assert row.payments_on_time == 3


@pytest.mark.parametrize(
    ("values", "median", "p90"),
    [
        ([7], "7.0", "7"),
        ([1, 2, 3, 4], "2.5", "4"),
        ([1, 2, 3, 4, 10], "3.0", "10"),
        (list(range(1, 21)), "10.5", "18"),
    ],
)
def test_median_and_90th_percentile_from_a_histogram(values, median, p90):
    histogram = sorted({v: values.count(v) for v in values}.items())
    assert _median(histogram) == Decimal(median)
    assert _p90(histogram) == Decimal(p90)


def test_best_records_need_five_completed_contracts(figures, vetted_org):
    steady = vetted_org
    newcomer = OrganisationFactory(legal_name="新成立的社工机构")
    for i in range(5):
        figures.closed(organisation=steady, signed=at(MARCH + timedelta(days=i)), on_time=i != 0)
    for i in range(4):
        figures.closed(organisation=newcomer, signed=at(MARCH + timedelta(days=i)), score="5.00")

    snapshot_compute(on=ON)
    organisations = list(BestRecord.objects.filter(kind="organisation"))

    assert [r.organisation for r in organisations] == [steady]
    assert organisations[0].basis == 5
    assert organisations[0].on_time_percent == 80
    assert organisations[0].average_score == Decimal("4.50")


def test_best_agencies_pay_on_time_with_five_payments_due(figures, county_agency):
    slow = AgencyFactory(name="慢付款民政局", region=region("510104"))
    for agency, pay_days in ((county_agency, 5), (slow, 45)):
        need = figures.need(published=at(MARCH), claimed=at(MARCH), agency=agency, region="510129")
        contract = figures.contract(need, signed=at(MARCH), agency=agency)
        for _ in range(5):
            figures.milestone(
                contract,
                submitted=at(date(2026, 4, 1)),
                accepted=at(date(2026, 4, 2)),
                paid_on=date(2026, 4, 2) + timedelta(days=pay_days),
            )

    snapshot_compute(on=ON)
    agencies = list(BestRecord.objects.filter(kind="agency").order_by("rank"))

    assert [r.agency for r in agencies] == [county_agency, slow]
    assert [r.on_time_percent for r in agencies] == [100, 0]


def test_a_new_snapshot_replaces_the_old_one_whole(figures):
    figures.need(published=at(MARCH))
    first = snapshot_compute(on=ON)
    second = snapshot_compute(on=ON)

    assert list(Snapshot.objects.all()) == [second]
    assert not FigureRow.objects.filter(snapshot_id=first.pk).exists()
    assert second.rows == FigureRow.objects.count() + AgencyTimeliness.objects.count() + BestRecord.objects.count()


def test_the_computation_reads_the_same_number_of_queries_whatever_the_data(figures, vetted_org):
    """Aggregated by the database: more needs and contracts mean no more queries."""

    def add(n: int) -> None:
        for i in range(n):
            need = figures.need(published=at(MARCH), claimed=at(MARCH + timedelta(days=i % 3)))
            contract = figures.contract(need, signed=at(MARCH))
            figures.milestone(contract, submitted=at(MARCH), accepted=at(date(2026, 4, 1)), paid_on=date(2026, 4, 9))

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            snapshot_compute(on=ON)
        return len(captured)

    add(5)  # enough for the agency to be ranked, as it will be with more
    queries()  # the first has no snapshot to replace
    small = queries()
    add(30)
    assert queries() == small
