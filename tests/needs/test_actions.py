"""One answer to "may I": the steps a need's page offers (``need_actions``) are exactly the
ones ``need_transition`` does not refuse for who is asking or which way the need goes."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse

from needs import services
from needs.exceptions import NeedError, NotAllowed, ProposalsSealed
from needs.models import NeedState
from needs.selectors import need_actions
from needs.workflow import TRANSITIONS, Actor, route_refusal
from tests.needs.helpers import answer_all, card, person, publish

pytestmark = pytest.mark.django_db

# Refusals that mean "not you, not this way, not yet": the page must not offer these.
NOT_OFFERED = (NotAllowed, ProposalsSealed)
# The steps the sweeps and the contracts service take: never a person's button.
NOT_A_PERSON = {Actor.SYSTEM, Actor.CONTRACT}


class _Undo(Exception):
    pass


def _refusal(need, action, user):
    """What the service answers ``user`` taking ``action`` on ``need`` (a reason given),
    with nothing kept either way."""
    try:
        with transaction.atomic():
            services.need_transition(need=need, action=action, by=user, reason="因为需要")
            raise _Undo
    except _Undo:
        return None
    except NeedError as exc:
        return exc


def _draft(county_agency, caseworker):
    need = services.need_create(agency=county_agency, by=caseworker, data=card(), beneficiary=person(), household=[])
    answer_all(need, caseworker)
    return need


def _states(county_agency, caseworker, approver):
    published = publish(county_agency, caseworker, approver)  # first: no duplicate yet
    draft = _draft(county_agency, caseworker)
    submitted = _draft(county_agency, caseworker)
    # The same person each time: going ahead with open duplicates takes a reason.
    services.need_transition(need=submitted, action="submit", by=caseworker, reason="另一项需求")
    approved = _draft(county_agency, caseworker)
    services.need_transition(need=approved, action="submit", by=caseworker, reason="另一项需求")
    services.need_transition(need=approved, action="approve", by=approver, reason="另一项需求")
    needs = [draft, submitted, approved, published]
    for need in needs:
        need.refresh_from_db()  # the service moved the row, not these objects
    assert [n.state for n in needs] == [NeedState.DRAFT, NeedState.SUBMITTED, NeedState.APPROVED, NeedState.PUBLISHED]
    return needs


def test_the_page_offers_what_the_service_allows_to_each_person(
    county_agency, caseworker, approver, agency_admin, other_caseworker, charity_member, auditor
):
    """Over four states and seven people: every step offered is one the service does not
    refuse by role, route or deadline, and every step the service refuses that way is not
    offered. (The preparer is the caseworker; the approver did not prepare.)"""
    people = [caseworker, approver, agency_admin, other_caseworker, charity_member, auditor]
    checked = 0
    for need in _states(county_agency, caseworker, approver):
        for user in people:
            offered = {t.action for t in need_actions(user, need)}
            for transition in TRANSITIONS.values():
                if need.state not in transition.sources or transition.actor == Actor.ORGANISATION:
                    continue
                refusal = _refusal(need, transition.action, user)
                wrong_way = route_refusal(transition, need)
                refused_here = isinstance(refusal, NOT_OFFERED) or (
                    wrong_way is not None and str(refusal) == str(wrong_way)
                )
                if transition.actor in NOT_A_PERSON:
                    assert transition.action not in offered, (transition.action, user.email)
                    continue
                assert (transition.action in offered) == (not refused_here), (
                    need.state,
                    transition.action,
                    user.email,
                    refusal,
                )
                checked += 1
    assert checked > 40


def test_an_approver_is_not_offered_the_sweeps_expiry(client_for, county_agency, caseworker, approver):
    """Expiry is the escalation sweep's step: the approver's page has no button for it
    (it used to offer one that ended in a 403)."""
    need = publish(county_agency, caseworker, approver)
    assert need.state == NeedState.PUBLISHED
    assert "expire" not in {t.action for t in need_actions(approver, need)}
    page = client_for(approver).get(reverse("needs:detail", args=[need.pk])).content.decode()
    assert 'value="expire"' not in page
    assert 'value="withdraw"' in page  # the approver's own steps are still there
