"""Imports keep their files in the private storage: here, the test's own folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.storage import storages

from imports.models import NeedImport


@pytest.fixture(autouse=True)
def private_root(settings, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root), "base_url": None},
        },
    }
    # The field took its storage when the model was defined; hand it the new one.
    monkeypatch.setattr(NeedImport._meta.get_field("file"), "storage", storages["private"])
    return root
