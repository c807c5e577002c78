"""The fixtures every browser test shares: Debian's Chromium, the live server's address and the
personas. Imported by each browser tests' conftest.py (pages themselves are made there: desktop
in ceangal/web, phone-sized in ceangal/portal).

Without Chromium the tests skip, loudly (and the terminal summary says so); with
CEANGAL_REQUIRE_BROWSER=1, as CI sets it, they fail instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from ceangal.testing import browser as b
from ceangal.testing.factories import Personas, make_personas


@pytest.fixture
def chromium(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """A headless Chromium for one test (see ceangal.testing.browser.launch_chromium for why per test)."""
    b.need_chromium(request.node.nodeid)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with b.launch_chromium() as browser:
        yield browser


@pytest.fixture
def base_url(live_server: LiveServer) -> str:
    return str(live_server.url)


@pytest.fixture
def people(reference_data: None) -> Personas:
    """The personas, in a transactional database that the live server can see."""
    return make_personas()
