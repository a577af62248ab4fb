"""Direct acceptance: the first eligible organisation to accept gets the need, exactly one."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Membership, Role
from categories.models import Category
from needs import services
from needs.exceptions import AlreadyTaken, InvalidTransition, NotAllowed, NotEligible
from needs.models import Need, NeedState, Scope
from notifications.models import Notification
from regions.models import Region
from tests.factories import UserFactory
from tests.helpers import run_in_threads
from tests.needs.helpers import eligible_org, publish


@pytest.fixture
def published(world):
    return world.published_need()


def test_an_eligible_organisation_takes_the_need_on(published, caseworker, approver):
    org, member = eligible_org()
    claimed = services.need_transition(need=published, action="claim", by=member, organisation=org)
    assert claimed.state == NeedState.CLAIMED and claimed.claimed_by == org and claimed.claimed_by_user == member
    for person_ in (caseworker, approver):
        assert Notification.objects.filter(user=person_, event="need_claimed").exists()


def test_a_second_claim_is_told_it_is_taken(published):
    first, first_member = eligible_org()
    second, second_member = eligible_org()
    services.need_transition(need=published, action="claim", by=first_member, organisation=first)
    with pytest.raises(AlreadyTaken):
        services.need_transition(need=published, action="claim", by=second_member, organisation=second)
    assert Need.objects.get(pk=published.pk).claimed_by == first


@pytest.mark.parametrize(
    "problem",
    ["not_vetted", "wrong_category", "out_of_scope", "no_capacity", "over_budget", "not_a_member"],
)
def test_ineligible_organisations_cannot_claim(county_agency, caseworker, approver, problem):
    need = publish(
        county_agency, caseworker, approver, budget=Decimal("9000") if problem == "over_budget" else Decimal("3600")
    )
    org, member = eligible_org()
    if problem == "not_vetted":
        org.vetting_state, org.approved_until = "suspended", org.approved_until
        org.save()
    elif problem == "wrong_category":
        org.service_categories.set(Category.objects.filter(code="housing"))
    elif problem == "out_of_scope":
        org.service_regions.set([Region.objects.get(code="110101")])
    elif problem == "no_capacity":
        org.capacity = 0
        org.save()
    elif problem == "not_a_member":
        member = UserFactory()
    refusal = {"not_a_member": NotAllowed, "over_budget": InvalidTransition}.get(problem, NotEligible)
    with pytest.raises(refusal):
        services.need_transition(need=need, action="claim", by=member, organisation=org)
    assert Need.objects.get(pk=need.pk).state == need.state


def test_an_emergency_above_the_budget_is_still_claimable(county_agency, caseworker, approver):
    need = publish(county_agency, caseworker, approver, budget=Decimal("20000"), urgency="emergency")
    org, member = eligible_org()
    assert services.need_transition(need=need, action="claim", by=member, organisation=org).state == NeedState.CLAIMED


def test_claiming_through_the_card(client_for, published):
    org, member = eligible_org()
    client = client_for(member, reauthenticated=False)
    page = client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    assert 'data-testid="claim"' in page
    client.post(reverse("needs:claim", args=[published.pk]), {"organisation": org.pk})
    assert Need.objects.get(pk=published.pk).claimed_by == org
    page = client.get(reverse("needs:detail", args=[published.pk])).content.decode()
    assert 'data-testid="claimed-by-us"' in page


def test_claiming_for_someone_elses_organisation_is_404(client_for, published, charity_member):
    org, _member = eligible_org()
    response = client_for(charity_member, reauthenticated=False).post(
        reverse("needs:claim", args=[published.pk]), {"organisation": org.pk}
    )
    assert response.status_code == 404
    assert Need.objects.get(pk=published.pk).state == NeedState.PUBLISHED


@pytest.mark.postgres  # row locks
@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_accepts_give_exactly_one_winner():
    from agencies.models import Agency
    from website.demo import ensure_reference_data

    ensure_reference_data()
    agency = Agency.objects.create(name="竞态测试民政局", region=Region.objects.get(code="510129"))
    caseworker, approver = UserFactory(), UserFactory()
    Membership.objects.create(user=caseworker, role=Role.AGENCY_CASEWORKER, agency=agency)
    Membership.objects.create(user=approver, role=Role.AGENCY_APPROVER, agency=agency)
    need = publish(agency, caseworker, approver, scope=Scope.ALL)
    contenders = [eligible_org() for _ in range(20)]

    def accept(i: int) -> None:
        org, member = contenders[i]
        services.need_transition(need=need, action="claim", by=member, organisation=org)

    errors = run_in_threads(20, accept)
    assert len(errors) == 19 and all(isinstance(e, AlreadyTaken) for e in errors), errors
    need.refresh_from_db()
    assert need.state == NeedState.CLAIMED
    assert need.claimed_by in [org for org, _m in contenders]
    assert need.events.filter(action="claim").count() == 1
