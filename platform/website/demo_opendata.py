"""The demo's open data: generated once the demo's contracts exist."""

from __future__ import annotations


def seed_open_data() -> None:
    from opendata.publish import open_data_publish

    open_data_publish()
