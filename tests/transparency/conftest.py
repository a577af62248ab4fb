from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.transparency.builders import World, at
from transparency.services import snapshot_compute

ON = date(2026, 6, 30)


@pytest.fixture
def world(county_agency, vetted_org):
    return World(county_agency, vetted_org)


def populate(world: World, *, scale: int = 1) -> None:
    """Needs of two categories (7 and 3 per ``scale``), five taken on and contracted, paid
    at the county bureau: some figures shown, some hidden."""
    march = date(2026, 3, 2)
    for i in range(7 * scale):
        need = world.need(published=at(march), claimed=at(march + timedelta(days=1 + i % 4)), category="elderly_care")
        if i < 5 * scale:
            contract = world.contract(need, signed=at(march + timedelta(days=6)), price="2000")
            world.milestone(
                contract,
                submitted=at(date(2026, 4, 1)),
                accepted=at(date(2026, 4, 3)),
                paid_on=date(2026, 4, 3) + timedelta(days=5 + i % 30),
                amount="2000",
            )
    for _ in range(3 * scale):
        world.need(published=at(date(2026, 4, 8)), category="medical", region="510129105")


@pytest.fixture
def snapshot(world):
    populate(world)
    return snapshot_compute(on=ON)
