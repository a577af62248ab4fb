from __future__ import annotations

import pytest

from tests.transparency.builders import ON, World, populate
from transparency.services import snapshot_compute


@pytest.fixture
def world(county_agency, vetted_org):
    return World(county_agency, vetted_org)


@pytest.fixture
def snapshot(world):
    populate(world)
    return snapshot_compute(on=ON)
