"""A claimed need and the people a contract involves: the agency's preparer
(caseworker), two approvers (one signs, the other accepts), two finance officers
(one records, the other authorises) and the charity's administrator and member."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Membership, Role
from categories.models import Category
from contracts import services
from contracts.models import Contract
from needs import services as need_services
from regions.models import Region
from tests.factories import UserFactory
from tests.needs.test_claims import publish


def staff(agency, role: str, email: str):
    user = UserFactory(email=email, mfa=True)
    Membership.objects.create(user=user, role=role, agency=agency)
    return user


@pytest.fixture
def second_approver(county_agency):
    return staff(county_agency, Role.AGENCY_APPROVER, "approver2@example.test")


@pytest.fixture
def finance(county_agency):
    return staff(county_agency, Role.AGENCY_FINANCE, "finance@example.test")


@pytest.fixture
def second_finance(county_agency):
    return staff(county_agency, Role.AGENCY_FINANCE, "finance2@example.test")


@pytest.fixture
def claimed_need(county_agency, caseworker, approver, vetted_org, charity_admin, charity_member):
    vetted_org.capacity = 5
    vetted_org.save()
    vetted_org.service_regions.set([Region.objects.get(code="510129")])
    vetted_org.service_categories.set(Category.objects.filter(code="elderly_care"))
    need = publish(county_agency, caseworker, approver)
    return need_services.need_transition(need=need, action="claim", by=charity_member, organisation=vetted_org)


def terms(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "content_scope": "为一位独居老人提供每周两次上门助餐与居家照护服务。",
        "term_start": today,
        "term_end": today + timedelta(days=180),
        "quantity": "每周两次，共 48 次上门服务",
        "quality_standards": "按《养老机构服务质量基本规范》执行",
        "price": Decimal("3600.00"),
        "settlement_method": "按里程碑验收后支付",
        "payment_days": 30,
        "rights_obligations": "甲方按期验收付款；乙方按计划提供服务并保存服务记录。",
        "breach_liability": "乙方未按约提供服务的，甲方可扣减相应费用。",
        "long_term_justification": "",
    }
    data.update(overrides)
    return data


def schedule(*amounts: str, service: bool = True) -> list[dict]:
    today = timezone.localdate()
    return [
        {
            "description": f"第{i + 1}阶段服务",
            "due_date": today + timedelta(days=30 * (i + 1)),
            "amount": Decimal(amount),
            "deliverables": "服务记录与照片",
            "evidence_required": "服务记录",
            "service": service,
        }
        for i, amount in enumerate(amounts)
    ]


INDICATORS = [{"name": "服务按时完成率", "target": "≥ 95%"}, {"name": "服务对象满意度", "target": "≥ 4 分"}]


def draft(need, by, *, amounts=("1800", "1800"), **overrides) -> Contract:
    return services.contract_draft(
        need=need, by=by, data=terms(**overrides), milestones=schedule(*amounts), indicators=INDICATORS
    )


def sign(contract, approver, charity_admin) -> Contract:
    services.contract_send(contract=contract, by=approver)
    services.contract_sign(contract=contract, by=charity_admin, side="organisation")
    services.contract_sign(contract=contract, by=approver, side="agency")
    contract.refresh_from_db()
    return contract


@pytest.fixture
def signed(claimed_need, caseworker, approver, charity_admin):
    return sign(draft(claimed_need, caseworker), approver, charity_admin)
