"""Fixtures for the staff-page tests: signed-in Django test clients for the personas, and a client
registered by the council."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as Browser

from ceangal.partners.models import StaffMember
from ceangal.testing.factories import Personas, make_client


@pytest.fixture
def sign_in() -> Callable[[StaffMember], Browser]:
    """A fresh test browser signed in as `member` (several can be open at once)."""

    def signed_in(member: StaffMember) -> Browser:
        browser = Browser()
        browser.force_login(member.user)
        return browser

    return signed_in


@pytest.fixture
def kirsty(sign_in: Callable[[StaffMember], Browser], personas: Personas) -> Browser:
    """The council's key worker."""
    return sign_in(personas.council_worker)


@pytest.fixture
def morag(personas: Personas):
    """A client the council registered (Kirsty is her key worker)."""
    return make_client(personas.council_worker, given_name="Morag", family_name="Macleod")
