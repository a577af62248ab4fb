"""Six published needs to search, with the words, categories, regions and budgets the
search tests reason about."""

from __future__ import annotations

from decimal import Decimal

import pytest

from categories.models import Category
from needs.models import Scope
from regions.models import Region
from tests.matching.helpers import published


@pytest.fixture
def corpus(county_agency, caseworker, approver):
    make = lambda **o: published(county_agency, caseworker, approver, **o)  # noqa: E731
    return {
        "meals": make(title="独居老人助餐", summary="高龄独居老人需要每日助餐服务。"),
        "empty_nest": make(title="空巢老人送餐上门", summary="子女在外地，老人行动不便，需要送餐和探访。"),
        "scattered": make(title="老人探访", summary="独居在山区，需要定期探访；另需要助餐补贴。"),
        "children": make(
            title="困境儿童课后照料",
            summary="父母外出务工，儿童放学后无人照看。",
            category=Category.objects.get(code="child_care"),
            urgency="urgent",
            region=Region.objects.get(code="510129002"),
        ),
        "medical": make(
            title="重病家庭康复护理",
            summary="出院后需要三个月居家康复护理。",
            category=Category.objects.get(code="medical"),
            budget=Decimal("20000"),
            scope=Scope.ALL,
        ),
        "english": make(title="Meal delivery for elderly people", summary="Daily hot meals for an elderly couple."),
    }
