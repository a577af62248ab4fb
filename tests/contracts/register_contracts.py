"""Contracts in every state the register shows, made with the services: one in force
(half delivered and paid, 25,000 yuan), one closed and evaluated, one terminated with a
settlement, and a draft that must never show. Each need is for a different made-up
person, whose identity the privacy tests look for in every page and download."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from categories.models import Category
from contracts import services
from contracts.models import Contract, Milestone
from tests.contracts.helpers import draft, sign
from tests.contracts.steps import Team, accept, beneficiary, claimed, closed, deliver, milestones, pay, team
from tests.world import World


@dataclass
class Register:
    team: Team
    active: Contract
    closed: Contract
    terminated: Contract
    draft: Contract
    people: list[dict]


def build_register(world: World) -> Register:
    """The register's contracts, between the county bureau and the vetted charity of ``world``."""
    county_agency, vetted_org = world.county_agency, world.vetted_org
    vetted_org.description = "扎根大邑县的慈善组织，提供养老、助残和儿童关爱服务。"
    world.serving(capacity=50, categories=["elderly_care", "disability", "child_care"])
    t = team(world)
    people = [beneficiary() for _ in range(4)]

    need = claimed(
        county_agency,
        t,
        vetted_org,
        who=people[0],
        title="独居老人助餐与探访",
        budget=Decimal("30000"),
        urgency="emergency",
    )
    active = sign(
        draft(need, t.caseworker, amounts=("12500", "12500"), price=Decimal("25000")), t.approver, t.org_admin
    )
    first = milestones(active)[0]
    deliver(first, t)
    accept(first, t)
    pay(first, t, "GK-REG-1")

    need = claimed(
        county_agency,
        t,
        vetted_org,
        who=people[1],
        title="困境儿童课后陪伴",
        category=Category.objects.get(code="child_care"),
    )
    done = closed(need, t, scores=(5, 4))

    need = claimed(
        county_agency,
        t,
        vetted_org,
        who=people[2],
        title="残疾人康复训练",
        category=Category.objects.get(code="disability"),
    )
    ended = sign(draft(need, t.caseworker), t.approver, t.org_admin)
    first = milestones(ended)[0]
    deliver(first, t)
    accept(first, t)
    pay(first, t, "GK-REG-2")
    services.contract_terminate(
        contract=ended,
        by=t.approver,
        reason="服务需求发生变化，双方协商终止",
        settlement=Decimal("600"),
        settlement_description="第二阶段已完成的部分服务",
    )
    settlement = Milestone.objects.get(contract=ended, settlement=True)
    pay(settlement, t, "GK-REG-3")

    need = claimed(county_agency, t, vetted_org, who=people[3], title="精神障碍家庭喘息服务")
    unsigned = draft(need, t.caseworker)

    for contract in (active, done, ended, unsigned):
        contract.refresh_from_db()
    return Register(t, active, done, ended, unsigned, people)
