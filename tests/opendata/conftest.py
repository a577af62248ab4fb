import pytest

from tests.contracts.register_contracts import build_register


@pytest.fixture(autouse=True)
def _open_data_dir(settings, tmp_path):
    """Each test publishes into its own folder."""
    settings.OPEN_DATA_DIR = tmp_path / "opendata"
    settings.SITE_URL = "https://safetynet.example"


@pytest.fixture
def register(world):
    """The contract register's contracts, in every state it shows."""
    return build_register(world)
