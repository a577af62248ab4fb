"""The demo's needs, one at each step of the workflow, recorded through the needs' services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from accounts.models import User
from agencies.models import Agency
from categories.models import Category
from needs import services
from needs.forms import resident_id_check_digit
from needs.models import Need, Scheme, SchemeAnswer, Scope
from needs.proposals import proposals_open
from needs.workflow import DEFAULT_WEIGHTS
from regions.models import Region
from website.demo_people import COUNTY, TOWNSHIP_ANREN, TOWNSHIP_JINYUAN


@dataclass(frozen=True)
class DemoNeed:
    title: str
    summary: str
    category: str
    kind: str
    urgency: str
    region: str
    budget: str
    days: int
    state: str  # how far along the workflow: draft, submitted, published or proposals_open
    person: tuple[str, str]  # a made-up name and ID-number body (17 digits; the check digit is computed)


NEEDS = [
    DemoNeed(
        "独居老人助餐与探访",
        "高龄独居老人，行动不便，需要每日助餐和每周两次上门探访，为期三个月。",
        "elderly_care",
        "service",
        "routine",
        TOWNSHIP_JINYUAN,
        "3600.00",
        90,
        "published",
        ("示例甲", "51012919400101002"),
    ),
    DemoNeed(
        "困境儿童课后照料",
        "父母外出务工，两名儿童放学后无人照看，需要课后照料和作业辅导。",
        "child_care",
        "service",
        "urgent",
        TOWNSHIP_ANREN,
        "2400.00",
        60,
        "published",
        ("示例乙", "51012920150301003"),
    ),
    DemoNeed(
        "大病家庭康复护理",
        "家庭主要劳动力重病出院，医疗救助后仍需三个月居家康复护理服务。",
        "disability",
        "service",
        "routine",
        COUNTY,
        "8000.00",
        90,
        "submitted",
        ("示例丙", "51012919700505004"),
    ),
    DemoNeed(
        "失能老人半年居家照护",
        "两位失能老人需要为期半年的居家照护与康复训练，每周三次上门。",
        "elderly_care",
        "service",
        "routine",
        TOWNSHIP_JINYUAN,
        "24000.00",
        180,
        "proposals_open",
        ("示例戊", "51012919361212006"),
    ),
    DemoNeed(
        "受灾家庭过冬物资",
        "房屋受损的家庭需要棉被、取暖器等过冬物资。",
        "emergency",
        "material",
        "emergency",
        COUNTY,
        "1500.00",
        7,
        "draft",
        ("示例丁", "51012919800808005"),
    ),
]


def record_demo_need(
    agency: Agency,
    caseworker: User,
    *,
    card: dict,
    person: tuple[str, str],
    flags: dict | None = None,
    submit: bool = True,
):
    """A demo need recorded through the services (so the audit log and events are real):
    ``card`` names its category and region by code; ``person`` is a made-up name and the
    first 17 digits of an ID number. Submitted past the statutory-aid check unless
    ``submit`` is false."""
    from decimal import Decimal

    name, body = person
    data = {
        **card,
        "category": Category.objects.get(code=card["category"]),
        "region": Region.objects.get(code=card["region"]),
        "budget": Decimal(card["budget"]),
        "qualifications": "",
        "people_count": 1,
        "scope": Scope.REGION,
    }
    beneficiary = {
        "name": name,
        "id_number": body + resident_id_check_digit(body),
        # Made up like the name, so that the privacy crawl has all four to look for.
        "phone": "139" + body[-8:],
        "address": f"{name[0]}家巷{int(body[-3:]) % 97 + 1}号",
        "is_minor": False,
        "has_disability": False,
        "elderly_alone": False,
        "severe_illness": False,
        **(flags or {}),
    }
    need = services.need_create(
        agency=agency,
        by=caseworker,
        data=cast(services.NeedCard, data),
        beneficiary=cast(services.BeneficiaryData, beneficiary),
        household=[],
    )
    if submit:
        answers = {s.value: (SchemeAnswer.NOT_ELIGIBLE, "") for s in Scheme}
        answers[Scheme.DIBAO] = (SchemeAnswer.INSUFFICIENT, "")
        services.scheme_checks_record(
            need=need, by=caseworker, answers=answers, gap_reason="service_not_cash", gap_note=""
        )
        need = services.need_transition(need=need, action="submit", by=caseworker)
    return need


def seed_needs(*, agency: Agency, caseworker: User, approver: User) -> None:
    """Needs at each step of the workflow, recorded through the services (so the audit
    log and events are real). The people are made up."""

    for spec in NEEDS:
        if Need.objects.filter(agency=agency, title=spec.title).exists():
            continue
        need = record_demo_need(
            agency,
            caseworker,
            card={
                "title": spec.title,
                "summary": spec.summary,
                "category": spec.category,
                "kind": spec.kind,
                "urgency": spec.urgency,
                "region": spec.region,
                "budget": spec.budget,
                "duration_days": spec.days,
            },
            person=spec.person,
            flags={
                "is_minor": spec.person[1][6:10] >= "2010",
                "elderly_alone": spec.category == "elderly_care",
                "severe_illness": spec.category == "disability",
            },
            submit=spec.state != "draft",
        )
        if spec.state == "draft":
            continue
        if spec.state == "published":
            services.need_transition(need=need, action="approve", by=approver)
            services.need_transition(need=need, action="publish", by=approver)
        elif spec.state == "proposals_open":
            services.need_transition(need=need, action="approve", by=approver)
            proposals_open(need=need, by=approver, weights=DEFAULT_WEIGHTS)
