"""The agency's record on its page: overdue payments and acceptance with days overdue
and a link to the contract, the median days to accept and to pay, the share of payments
made on time; for the agency's staff (and above) and auditors only."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership, Role
from contracts import services
from contracts.agency_record import agency_record
from contracts.models import Milestone
from tests.contracts.steps import accept, claimed, deliver, milestones, pay, serving, signed, team
from tests.factories import AgencyFactory, UserFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def t(world):
    serving(world.vetted_org)
    return team(world)


@pytest.fixture
def contract(county_agency, t, vetted_org):
    return signed(claimed(county_agency, t, vetted_org), t)


def page(client, agency) -> str:
    response = client.get(reverse("agencies:detail", args=[agency.pk]))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_an_overdue_payment_is_on_the_record_after_one_sweep(client_for, county_agency, contract, t):
    first, _second = milestones(contract)
    deliver(first, t)
    accept(first, t)
    Milestone.objects.filter(pk=first.pk).update(payment_due=timezone.localdate() - timedelta(days=3))

    assert services.contracts_clock_run()["payment_overdue"] == 1

    text = page(client_for(t.approver), county_agency)
    assert "The agency's record" in text or "agency-record" in text
    assert 'data-testid="overdue-payments"' in text
    assert contract.number in text and reverse("contracts:detail", args=[contract.pk]) in text
    record = agency_record(county_agency)
    assert [(o.contract.pk, o.days_overdue, o.amount) for o in record.overdue_payments] == [
        (contract.pk, 3, first.terms.get().amount)
    ]
    assert record.overdue_payments[0].label == "第1阶段服务"
    assert record.overdue_payments[0].escalated is not None  # the sweep's mark


def test_paid_in_time_is_not_overdue_and_counts_on_time(county_agency, contract, t):
    first, second = milestones(contract)
    for milestone in (first, second):
        deliver(milestone, t)
        accept(milestone, t)
    pay(first, t, "GK-1")
    Milestone.objects.filter(pk=second.pk).update(payment_due=timezone.localdate() - timedelta(days=1))
    record = agency_record(county_agency)
    assert [o.milestone.pk for o in record.overdue_payments] == [second.pk]
    assert (record.payments_due, record.payments_on_time, record.on_time_percent) == (2, 1, 50)
    assert record.days_to_accept == 0 and record.days_to_pay == 0
    # The agency's money, summed from the journal: both accepted, the first paid.
    paid = first.terms.get().amount
    owed = second.terms.get().amount
    assert (record.balances.committed, record.balances.payable, record.balances.paid) == (0, owed, paid)


def test_the_medians(county_agency, contract, t):
    first, second = milestones(contract)
    now = timezone.now()
    for milestone in (first, second):
        deliver(milestone, t)
        accept(milestone, t)
    pay(first, t, "GK-2")
    # The first waited 4 days for acceptance and was paid 6 days after; the second waited 10.
    Milestone.objects.filter(pk=first.pk).update(
        submitted_at=now - timedelta(days=10), accepted_at=now - timedelta(days=6)
    )
    Milestone.objects.filter(pk=second.pk).update(submitted_at=now - timedelta(days=10))
    record = agency_record(county_agency)
    assert record.days_to_accept == 7  # (4 + 10) / 2
    assert record.days_to_pay == 6  # one milestone paid, six days after acceptance


def test_work_waiting_over_fifteen_days(client_for, county_agency, contract, t):
    first, _ = milestones(contract)
    deliver(first, t)
    Milestone.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=20, hours=1))
    record = agency_record(county_agency)
    assert [(o.contract.pk, o.days_overdue) for o in record.overdue_acceptance] == [(contract.pk, 5)]
    services.contracts_clock_run()
    text = page(client_for(t.caseworker), county_agency)
    assert 'data-testid="overdue-acceptance"' in text and contract.number in text


def test_nothing_overdue_says_so(client_for, county_agency, contract, t):
    first, _ = milestones(contract)
    deliver(first, t)  # just submitted: not overdue
    record = agency_record(county_agency)
    assert record.overdue_payments == [] and record.overdue_acceptance == []
    assert record.on_time_percent is None and record.days_to_pay is None
    text = page(client_for(t.finance), county_agency)
    assert "No payment is overdue." in text or 'data-testid="agency-record"' in text


def test_who_sees_the_record(
    client_for, county_agency, contract, t, auditor, other_caseworker, charity_member, outsider
):
    first, _ = milestones(contract)
    deliver(first, t)
    accept(first, t)
    Milestone.objects.filter(pk=first.pk).update(payment_due=timezone.localdate() - timedelta(days=2))
    city = AgencyFactory(name="成都市民政局", region=region("510100"))
    county_agency.parent = city
    county_agency.save()
    county_agency.refresh_from_db()
    above = UserFactory(email="city.staff@example.test", mfa=True)
    Membership.objects.create(user=above, role=Role.AGENCY_CASEWORKER, agency=city)
    below_agency = AgencyFactory(name="晋原街道办事处", region=region("510129001"), parent=county_agency)
    below = UserFactory(email="township.staff@example.test", mfa=True)
    Membership.objects.create(user=below, role=Role.AGENCY_APPROVER, agency=below_agency)

    for person in (t.caseworker, t.approver, t.finance, auditor, above):
        client = client_for(person, reauthenticated=False)
        text = page(client, county_agency)
        assert 'data-testid="agency-record"' in text and contract.number in text, person
    for person in (other_caseworker, charity_member, outsider, below):
        client = client_for(person, reauthenticated=False)
        response = client.get(reverse("agencies:detail", args=[county_agency.pk]))
        assert response.status_code in (403, 404), person
        assert contract.number not in response.content.decode()


def test_the_record_costs_the_same_queries_for_more_contracts(county_agency, t, vetted_org):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def late_contract():
        contract = signed(claimed(county_agency, t, vetted_org), t)
        first, _ = milestones(contract)
        deliver(first, t)
        accept(first, t)
        Milestone.objects.filter(pk=first.pk).update(payment_due=timezone.localdate() - timedelta(days=1))

    late_contract()
    with CaptureQueriesContext(connection) as one:
        assert len(agency_record(county_agency).overdue_payments) == 1
    late_contract()
    late_contract()
    with CaptureQueriesContext(connection) as three:
        assert len(agency_record(county_agency).overdue_payments) == 3
    assert len(one) == len(three)
