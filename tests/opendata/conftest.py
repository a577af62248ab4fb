import pytest

from tests.contracts.register_world import build_world


@pytest.fixture(autouse=True)
def _open_data_dir(settings, tmp_path):
    """Each test publishes into its own folder."""
    settings.OPEN_DATA_DIR = tmp_path / "opendata"
    settings.SITE_URL = "https://safetynet.example"


@pytest.fixture
def world(county_agency, caseworker, approver, charity_admin, charity_member, vetted_org):
    return build_world(county_agency, caseworker, approver, charity_admin, charity_member, vetted_org)
