"""A need's card and person as the caseworker fills them in, the statutory-aid check
answered, a need taken to publication, and an organisation that may take it on."""

from __future__ import annotations

from decimal import Decimal

from accounts.models import Membership, Role
from categories.models import Category
from needs import proposals, services
from needs.models import Need, Scheme, SchemeAnswer, Scope
from needs.workflow import DEFAULT_WEIGHTS, claimable
from regions.models import Region
from tests.factories import OrganisationFactory, UserFactory

CANARY_NAME = "欧阳晓雯"
CANARY_ID = "510129198503120018"  # a valid check digit, a made-up person
CANARY_PHONE = "13912345678"


def card(**overrides) -> dict:
    data = {
        "title": "独居老人助餐与探访",
        "summary": "高龄独居老人，行动不便，需要每日助餐和每周两次上门探访，为期三个月。",
        "category": Category.objects.get(code="elderly_care"),
        "kind": "service",
        "urgency": "routine",
        "region": Region.objects.get(code="510129001"),
        "budget": Decimal("3600.00"),
        "duration_days": 90,
        "qualifications": "持证社工",
        "people_count": 1,
        "scope": Scope.REGION,
    }
    return {**data, **overrides}


def person(**overrides) -> dict:
    data = {
        "name": CANARY_NAME,
        "id_number": CANARY_ID,
        "phone": CANARY_PHONE,
        "address": "大邑县晋原街道某某路12号",
        "is_minor": False,
        "has_disability": False,
        "elderly_alone": True,
        "severe_illness": False,
    }
    return {**data, **overrides}


def answer_all(need, by, answer=SchemeAnswer.NOT_ELIGIBLE, **overrides):
    answers = {s.value: (overrides.get(s.value, answer), "") for s in Scheme}
    services.scheme_checks_record(need=need, by=by, answers=answers, gap_reason="service_not_cash", gap_note="")


def publish(agency, caseworker, approver, **overrides) -> Need:
    """A need recorded, checked, submitted, approved and published (or, when it may not be
    claimed directly, opened to proposals)."""
    need = services.need_create(
        agency=agency, by=caseworker, data=card(**overrides), beneficiary=person(), household=[]
    )
    answer_all(need, caseworker)
    services.need_transition(need=need, action="submit", by=caseworker)
    services.need_transition(need=need, action="approve", by=approver)
    if not claimable(need):
        return proposals.proposals_open(need=need, by=approver, weights=DEFAULT_WEIGHTS)
    return services.need_transition(need=need, action="publish", by=approver)


def eligible_org(**overrides):
    """A vetted organisation serving elderly care in 大邑县, with room for five, and its member."""
    org = OrganisationFactory(capacity=5, **overrides)
    org.service_regions.set([Region.objects.get(code="510129")])
    org.service_categories.set(Category.objects.filter(code="elderly_care"))
    member = UserFactory()
    Membership.objects.create(user=member, role=Role.ORG_MEMBER, organisation=org)
    return org, member
