from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from ceangal.testing.factories import Personas, make_personas


def _load_reference() -> None:
    from ceangal.reference.loader import load_code_lists

    load_code_lists()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> None:
    # Reference code lists are part of the schema as far as the service is concerned: load them
    # once for the session. Transactional (browser) tests reload them after each flush.
    with django_db_blocker.unblock():
        _load_reference()


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """For transactional tests, whose flush empties every table."""
    from ceangal.reference.models import Code

    if not Code.objects.exists():
        _load_reference()


@pytest.fixture
def personas(db: None) -> Personas:
    return make_personas()


@pytest.fixture
def db_vendor() -> str:
    return connection.vendor
