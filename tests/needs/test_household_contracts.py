"""The household timeline shows the contracts of the person's needs and their
authorised payments, to those who may see the household already."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from contracts import services
from tests.contracts.steps import (
    accept,
    beneficiary,
    claimed,
    deliver,
    milestones,
    pay,
    published,
    serving,
    signed,
    team,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def t(world):
    serving(world.vetted_org)
    return team(world)


@pytest.fixture
def household(county_agency, t, vetted_org):
    """One person: a need under contract with one payment made (and one reversed), and a
    later need still open."""
    who = beneficiary(500)
    contract = signed(claimed(county_agency, t, vetted_org, who=who), t)
    first, second = milestones(contract)
    for milestone in (first, second):
        deliver(milestone, t)
        accept(milestone, t)
    pay(first, t, "GK-HH-1")
    wrong = pay(second, t, "GK-HH-2")
    entry = contract.journal.get(kind="payment", payment=wrong)
    services.journal_reverse(entry=entry, by=t.finance, reason="国库退回，账号有误")
    later = published(county_agency, t, who=who, title="冬季取暖补助")
    contract.refresh_from_db()
    return contract, later


def test_the_timeline_shows_the_contract_and_its_payments(client_for, household, t):
    contract, later = household
    response = client_for(t.caseworker, reauthenticated=False).get(reverse("needs:household", args=[later.pk]))
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    assert 'data-testid="household-contract"' in text
    assert contract.number in text and reverse("contracts:detail", args=[contract.pk]) in text
    assert contract.get_state_display() in text
    assert timezone.localtime(contract.signed_at).strftime("%Y-%m-%d") in text
    payments = text.count('data-testid="household-payment"')
    assert payments == 1  # the reversed one is not a payment made
    assert "¥1800.00" in text
    assert later.title in text


def test_the_timeline_stays_closed_to_others(client_for, household, other_caseworker, charity_member, outsider):
    contract, later = household
    for person in (other_caseworker, charity_member, outsider):
        response = client_for(person, reauthenticated=False).get(reverse("needs:household", args=[later.pk]))
        assert response.status_code in (403, 404), person
        assert contract.number not in response.content.decode()
