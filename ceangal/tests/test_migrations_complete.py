"""Every model change has its migration: a change without one would work in tests (which build
the tables from the models' migrations) only until someone deploys it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_is_missing_its_migration() -> None:
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as missing:
        pytest.fail(f"Run `manage.py makemigrations`: {out.getvalue()} ({missing})")
