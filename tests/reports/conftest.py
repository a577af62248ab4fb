"""Reports from the public: a private storage in the test's own folder, and a browser of
its own (tests/reports/helpers.py has the form and the reports)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.test import Client

from reports.models import ReportFile


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path, monkeypatch) -> Path:
    """Point the private storage at a temporary folder for this test."""
    root = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    monkeypatch.setattr(ReportFile._meta.get_field("file"), "storage", storages["private"])
    return root


@pytest.fixture
def browser() -> Client:
    return Client()
