"""The Chinese catalogue is complete: no untranslated and no fuzzy entries."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="GNU gettext (msgfmt) is not installed")
def test_the_chinese_catalogue_has_no_untranslated_or_fuzzy_entries():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(PO)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert "#, fuzzy" not in PO.read_text(encoding="utf-8")


def test_role_names_and_navigation_are_chinese_by_default():
    from accounts.models import Role

    with translation.override("zh-hans"):
        assert str(Role.AGENCY_CASEWORKER.label) == "机构经办人" or "经办人" in str(Role.AGENCY_CASEWORKER.label)
        assert translation.gettext("Dashboard") == "工作台"
    with translation.override("en"):
        assert translation.gettext("Dashboard") == "Dashboard"
