"""The source layout: `platform/` must never shadow the standard library."""

from __future__ import annotations

import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_platform_is_the_standard_library_module():
    import platform

    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    assert Path(platform.__file__).resolve().parent == stdlib
    assert platform.python_version().startswith("3.13")


def test_platform_folder_is_not_a_package():
    assert not (ROOT / "platform" / "__init__.py").exists()


def test_stripe_and_elasticsearch_import_inside_django(settings):
    import elasticsearch
    import stripe

    assert settings.configured
    assert stripe.VERSION
    assert elasticsearch.__version__


def test_manage_py_runs_with_stdlib_platform():
    """A fresh interpreter through manage.py: Django boots and `platform` is stdlib."""
    code = "import platform, stripe; print(platform.system())"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Linux" in result.stdout
