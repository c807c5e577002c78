"""Invariant 1, one door: the import contracts run with the tests, not only with `make lint`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_hold():
    linter = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(linter)], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "One door" in result.stdout
    assert "0 broken" in result.stdout


def test_client_models_are_not_in_the_admin():
    from django.contrib import admin

    registered = {model._meta.app_label for model in admin.site._registry}
    assert "clients" not in registered
