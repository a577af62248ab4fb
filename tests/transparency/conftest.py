from __future__ import annotations

import pytest

from tests.transparency.builders import ON, Figures, populate
from transparency.services import snapshot_compute


@pytest.fixture
def figures(county_agency, vetted_org):
    return Figures(county_agency, vetted_org)


@pytest.fixture
def snapshot(figures):
    populate(figures)
    return snapshot_compute(on=ON)
