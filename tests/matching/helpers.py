"""Needs published for searching (each for a different made-up person, so the duplicate
check lets them through) and members of organisations that search them."""

from __future__ import annotations

import itertools

from accounts.models import Membership, Role
from categories.models import Category
from needs import proposals, services
from needs.forms import resident_id_check_digit
from needs.workflow import DEFAULT_WEIGHTS, claimable
from regions.models import Region
from tests.factories import OrganisationFactory, UserFactory
from tests.needs.helpers import answer_all, card, person

_serial = itertools.count(1)


def published(agency, caseworker, approver, **overrides):
    body = f"51012919{60 + next(_serial) % 40:02d}0101{next(_serial) % 1000:03d}"
    need = services.need_create(
        agency=agency,
        by=caseworker,
        data=card(**overrides),
        beneficiary=person(id_number=body + resident_id_check_digit(body)),
        household=[],
    )
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker, reason="另一需求")
    services.need_transition(need=need, action="approve", by=approver, reason="另一需求")
    if claimable(need):
        return services.need_transition(need=need, action="publish", by=approver)
    return proposals.proposals_open(need=need, by=approver, weights=DEFAULT_WEIGHTS)


def member_of(region_code="510129", categories=("elderly_care", "child_care", "medical")):
    org = OrganisationFactory(capacity=5)
    org.service_regions.set([Region.objects.get(code=region_code)])
    org.service_categories.set(Category.objects.filter(code__in=categories))
    user = UserFactory()
    Membership.objects.create(user=user, role=Role.ORG_MEMBER, organisation=org)
    return user
