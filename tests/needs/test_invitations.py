"""The invited scope: only invited organisations see and take the need on; an invitation
puts an organisation in scope whatever the scope says."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from needs import services
from needs.exceptions import InvalidTransition, NotAllowed, NotEligible
from needs.models import Need, NeedInvitation, NeedState, Scope
from needs.selectors import needs_visible_to
from notifications.models import Notification
from regions.models import Region
from tests.needs.helpers import answer_all, card, eligible_org, person


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def approved(county_agency, caseworker, approver):
    need = services.need_create(
        agency=county_agency, by=caseworker, data=card(scope=Scope.INVITED), beneficiary=person(), household=[]
    )
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker)
    return services.need_transition(need=need, action="approve", by=approver)


def test_an_invited_only_need_is_not_published_before_an_invitation(approved, approver):
    with pytest.raises(InvalidTransition, match="Invite at least one"):
        services.need_transition(need=approved, action="publish", by=approver)
    assert Need.objects.get(pk=approved.pk).state == NeedState.APPROVED


def test_only_the_invited_organisation_sees_and_claims_it(approved, approver, caseworker):
    invited, invited_member = eligible_org()
    passed_over, other_member = eligible_org()  # serves the same region and category
    services.need_invite(need=approved, organisation=invited, by=caseworker)
    assert not Notification.objects.filter(user=invited_member, event="need_invited").exists()  # not yet public
    need = services.need_transition(need=approved, action="publish", by=approver)
    assert Notification.objects.filter(user=invited_member, event="need_invited").count() == 1
    assert needs_visible_to(invited_member).filter(pk=need.pk).exists()
    assert not needs_visible_to(other_member).filter(pk=need.pk).exists()
    with pytest.raises(NotEligible):
        services.need_transition(need=need, action="claim", by=other_member, organisation=passed_over)
    claimed = services.need_transition(need=need, action="claim", by=invited_member, organisation=invited)
    assert claimed.state == NeedState.CLAIMED and claimed.claimed_by == invited


def test_an_invitation_reaches_an_organisation_outside_the_region(county_agency, caseworker, approver):
    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker)
    services.need_transition(need=need, action="approve", by=approver)
    need = services.need_transition(need=need, action="publish", by=approver)
    far, member = eligible_org()
    far.service_regions.set([Region.objects.get(code="110101")])
    assert not needs_visible_to(member).filter(pk=need.pk).exists()
    services.need_invite(need=need, organisation=far, by=approver)
    assert needs_visible_to(member).filter(pk=need.pk).exists()
    assert Notification.objects.filter(user=member, event="need_invited").exists()


def test_bad_invitations_are_refused(approved, caseworker, other_caseworker, unvetted_org, charity_member):
    org, _member = eligible_org()
    for person_ in (other_caseworker, charity_member):
        with pytest.raises(NotAllowed):
            services.need_invite(need=approved, organisation=org, by=person_)
    with pytest.raises(NotEligible):
        services.need_invite(need=approved, organisation=unvetted_org, by=caseworker)
    services.need_invite(need=approved, organisation=org, by=caseworker)
    with pytest.raises(InvalidTransition, match="already invited"):
        services.need_invite(need=approved, organisation=org, by=caseworker)
    assert NeedInvitation.objects.count() == 1


def test_a_draft_cannot_invite_yet(county_agency, caseworker):
    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    org, _member = eligible_org()
    with pytest.raises(InvalidTransition):
        services.need_invite(need=need, organisation=org, by=caseworker)


def test_the_agency_invites_from_the_need_page(client_for, approved, caseworker, charity_member, other_caseworker):
    org, _member = eligible_org()
    url = reverse("needs:invite", args=[approved.pk])
    for outsider in (charity_member, other_caseworker):
        assert client_for(outsider, reauthenticated=False).post(url, {"organisation": org.pk}).status_code == 404
    client = client_for(caseworker)
    page = client.get(reverse("needs:detail", args=[approved.pk])).content.decode()
    assert org.legal_name in page  # offered: vetted, serves the category
    client.post(url, {"organisation": org.pk})
    assert NeedInvitation.objects.filter(need=approved, organisation=org).exists()
    refused = client.post(url, {"organisation": 999999}, follow=True)
    assert refused.status_code == 200 and NeedInvitation.objects.count() == 1


def test_claims_still_need_the_budget_rule_when_invited(county_agency, caseworker, approver):
    need = services.need_create(
        agency=county_agency,
        by=caseworker,
        data=card(scope=Scope.INVITED, budget=Decimal("9000")),
        beneficiary=person(),
        household=[],
    )
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker)
    services.need_transition(need=need, action="approve", by=approver)
    org, _member = eligible_org()
    services.need_invite(need=need, organisation=org, by=approver)
    with pytest.raises(InvalidTransition):
        services.need_transition(need=need, action="publish", by=approver)
