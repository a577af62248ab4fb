"""The public contract register at /contracts/: its columns, filters, search, sort and
pages, what each role sees in it, and the figures kept on the contract row."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Membership, Role
from contracts import selectors, services
from contracts.register import register_figures, register_out_of_step
from regions.models import Region
from tests.contracts.register_contracts import build_register
from tests.contracts.steps import accept, deliver, milestones, pay
from tests.factories import OrganisationFactory, UserFactory

URL = "/en/contracts/"


@pytest.fixture
def register(world):
    return build_register(world)


def register_part(response) -> str:
    """The register's section of the page (not the signed-in party's own list)."""
    body = response.content.decode()
    return body[body.index('data-testid="register"') :]


def shown(response, register) -> set[str]:
    part = register_part(response)
    return {
        name
        for name, contract in {
            "active": register.active,
            "closed": register.closed,
            "terminated": register.terminated,
            "draft": register.draft,
        }.items()
        if f">{contract.number}<" in part
    }


def test_the_register_shows_every_signed_contract_with_its_figures(client, register):
    response = client.get(URL)
    assert response.status_code == 200
    assert shown(response, register) == {"active", "closed", "terminated"}
    part = register_part(response)
    assert "3 signed contracts" in part
    county = Region.objects.get(code="510129").full_name_en  # the English register names it in English
    rows = {row.split("</tr>")[0] for row in part.split('data-testid="register-row"')[1:]}
    active = next(r for r in rows if register.active.number in r)
    for text in ("独居老人助餐与探访", "大邑县民政局", "大邑县仁爱慈善会", "Elderly care", county, "25,000", "1 / 2"):
        assert text in active, text
    assert "12,500" in active and "In force" in active
    today = timezone.localdate()
    assert f"{register.active.term_start:%Y-%m-%d} – {register.active.term_end:%Y-%m-%d}" in active
    assert f"{today:%Y-%m-%d}" in active  # signed today
    closed = next(r for r in rows if register.closed.number in r)
    assert "2 / 2" in closed and "3,600" in closed and "4.50" in closed and "Closed" in closed
    terminated = next(r for r in rows if register.terminated.number in r)
    # One milestone accepted, the other cancelled; the settlement is paid but is no milestone.
    assert "1 / 1" in terminated and "2,400" in terminated and "Terminated" in terminated
    # The township the needs are in is never shown: the county is the finest place.
    assert "晋原街道" not in part and "Jinyuan" not in part


def test_the_register_never_names_the_people_helped(client, register):
    body = client.get(URL).content.decode()
    for person in register.people:
        assert person["name"] not in body and person["id_number"] not in body


def test_the_kept_figures_match_the_milestones_payments_and_evaluation(register):
    assert register_out_of_step() == []
    for contract in (register.active, register.closed, register.terminated):
        figures = register_figures(contract)
        summary = selectors.summary(contract)
        assert (contract.milestones_total, contract.milestones_met) == (summary.milestones, summary.milestones_met)
        assert contract.paid_total == summary.paid == figures.paid_total
        assert contract.score == summary.score
    assert (register.closed.milestones_met, register.closed.paid_total, register.closed.score) == (
        2,
        Decimal("3600"),
        Decimal("4.5"),
    )


def test_the_kept_figures_follow_acceptance_payment_reversal_and_amendment(register):
    t, contract = register.team, register.active
    second = milestones(contract)[1]
    deliver(second, t)
    accept(second, t)
    contract.refresh_from_db()
    assert (contract.milestones_met, contract.milestones_total) == (2, 2)
    payment = pay(second, t, "GK-REG-9")
    contract.refresh_from_db()
    assert contract.paid_total == Decimal("25000")
    entry = contract.journal.get(payment=payment, kind="payment")
    services.journal_reverse(entry=entry, by=t.finance, reason="银行退回，重新支付")
    contract.refresh_from_db()
    assert contract.paid_total == Decimal("12500")
    assert register_out_of_step() == []


FILTERS = [
    ({"q": "GM"}, {"active", "closed", "terminated"}),
    ({"q": "儿童"}, {"closed"}),  # a Chinese substring of the need's title
    ({"q": "仁爱"}, {"active", "closed", "terminated"}),  # of the organisation's name
    ({"q": "民政局"}, {"active", "closed", "terminated"}),  # of the agency's name
    ({"q": "康复 残疾人"}, {"terminated"}),  # every word must match
    ({"q": "康复 儿童"}, set()),
    ({"category": "child_care"}, {"closed"}),
    ({"category": "housing"}, set()),
    ({"region": "510129"}, {"active", "closed", "terminated"}),
    ({"region": "大邑县"}, {"active", "closed", "terminated"}),
    ({"region": "510104"}, set()),
    ({"status": "terminated"}, {"terminated"}),
    ({"status": "active"}, {"active"}),
    ({"amount": "20k-100k"}, {"active"}),
    ({"amount": "under-5k"}, {"closed", "terminated"}),
    ({"amount": "100k-up"}, set()),
    ({"status": "closed", "category": "child_care", "q": "陪伴"}, {"closed"}),
]


def test_each_filter_and_the_search(client, register, county_agency, other_agency, vetted_org):
    year = timezone.localdate().year
    cases = [
        *FILTERS,
        ({"agency": county_agency.pk}, {"active", "closed", "terminated"}),
        ({"agency": other_agency.pk}, set()),
        ({"organisation": vetted_org.pk}, {"active", "closed", "terminated"}),
        ({"year": year}, {"active", "closed", "terminated"}),
        ({"year": year - 1}, set()),
        ({"q": register.closed.number}, {"closed"}),
    ]
    for params, expected in cases:
        response = client.get(URL, params)
        assert response.status_code == 200, params
        assert shown(response, register) == expected, params
        if not expected:
            assert 'data-testid="register-empty"' in response.content.decode(), params
    # The filters are kept in the form (the state lives in the URL).
    page = client.get(URL, {"q": "儿童", "status": "closed", "sort": "amount"}).content.decode()
    assert 'value="儿童"' in page and '<option value="closed" selected>' in page
    assert '<option value="amount" selected>' in page


def test_the_organisation_filter_says_whose_contracts_are_shown(client, register, vetted_org):
    page = client.get(URL, {"organisation": vetted_org.pk}).content.decode()
    assert 'data-testid="organisation-filter"' in page and "大邑县仁爱慈善会" in page


@pytest.mark.parametrize(
    "params",
    [
        {"agency": "abc"},
        {"agency": "99999"},
        {"organisation": "-1"},
        {"status": "draft"},  # a draft is never in the register, even when asked for
        {"status": "signing"},
        {"status": "<script>"},
        {"year": "20x6"},
        {"year": "1900"},
        {"amount": "all-of-it"},
        {"region": "不存在的地方"},
        {"category": "no-such-category"},
        {"page": "999"},
    ],
)
def test_unknown_values_give_a_clear_empty_result(client, register, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    assert shown(response, register) == set()
    assert 'data-testid="register-empty"' in response.content.decode()
    assert "<script>" not in register_part(response)


# "x" * 2000: the longest value a query string may carry (MAX_QUERY_VALUE_CHARS; longer is a 400).
@pytest.mark.parametrize("params", [{"sort": "nonsense"}, {"page": "abc"}, {"page": "0"}, {"q": "x" * 2000}])
def test_odd_values_that_need_no_refusal(client, register, params):
    response = client.get(URL, params)
    assert response.status_code == 200
    expected = set() if "q" in params else {"active", "closed", "terminated"}
    assert shown(response, register) == expected


def test_sorting(client, register):
    def order(sort):
        part = register_part(client.get(URL, {"sort": sort}))
        numbers = [c.number for c in (register.active, register.closed, register.terminated)]
        return sorted(numbers, key=part.index)

    assert order("amount")[0] == register.active.number
    assert order("score")[0] == register.closed.number
    assert order("paid")[0] == register.active.number
    assert order("number") == sorted([register.active.number, register.closed.number, register.terminated.number])


def test_pages_keep_the_filters(client, register, monkeypatch):
    from contracts.views import register as register_views

    monkeypatch.setattr(register_views, "REGISTER_PAGE_SIZE", 2)
    first = client.get(URL, {"q": "GM", "sort": "number"}).content.decode()
    assert "Page 1 of 2" in first and "q=GM&amp;sort=number&amp;page=2" in first
    second = client.get(URL, {"q": "GM", "sort": "number", "page": 2})
    assert shown(second, register) == {"terminated"} or len(shown(second, register)) == 1
    past = client.get(URL, {"q": "GM", "page": 3}).content.decode()
    assert "There is no such page in the register." in past


def test_the_empty_register(client, db):
    page = client.get(URL).content.decode()
    assert "No contract has been signed yet." in page and "0 signed contracts" in page


def _other_org_member():
    organisation = OrganisationFactory(legal_name="锦江区阳光社工服务中心")
    user = UserFactory(email="sunshine.member@example.test", mfa=False)
    Membership.objects.create(user=user, role=Role.ORG_MEMBER, organisation=organisation)
    return user


@pytest.mark.parametrize("persona", ["anonymous", "outsider", "other_org_member", "other_caseworker", "auditor"])
def test_every_role_sees_the_signed_contracts_and_no_draft_in_the_register(
    request, client, client_for, register, persona
):
    if persona == "other_org_member":
        client = client_for(_other_org_member())
    elif persona != "anonymous":
        client = client_for(request.getfixturevalue(persona))
    response = client.get(URL)
    assert shown(response, register) == {"active", "closed", "terminated"}
    # Not even by asking for it.
    assert shown(client.get(URL, {"q": register.draft.number}), register) == set()


def test_the_parties_still_see_their_own_drafts(client_for, register, caseworker, charity_member):
    for person in (caseworker, charity_member):
        body = client_for(person).get(URL).content.decode()
        mine = body[body.index('data-testid="my-contracts"') : body.index('data-testid="register"')]
        assert register.draft.number in mine
