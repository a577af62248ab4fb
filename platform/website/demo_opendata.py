"""The demo's open data: generated once the demo's contracts exist."""

from __future__ import annotations

from opendata.publish import open_data_publish


def seed_open_data() -> None:

    open_data_publish()
