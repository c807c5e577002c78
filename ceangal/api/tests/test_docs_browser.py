"""The docs page in a real browser: Swagger UI renders under our CSP, fetching nothing from elsewhere.

The HTML checks in test_openapi.py cannot see what the scripts do once they run (Swagger UI could
inject inline styles or call out to its validator); this can.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser
from pytest_django.live_server_helper import LiveServer

from ceangal.api.tests.test_openapi import EXPECTED_OPERATIONS
from ceangal.testing import browser as b

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    b.need_chromium(request.node.nodeid)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with b.launch_chromium() as browser:
        yield browser


def test_swagger_ui_renders_every_operation_without_breaking_the_csp(
    chromium: Browser, live_server: LiveServer
) -> None:
    page = chromium.new_page()
    requested: list[str] = []
    console_errors: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    page.on("console", lambda message: console_errors.append(message.text) if message.type == "error" else None)
    page.add_init_script(
        "window.__cspViolations = [];"
        "document.addEventListener('securitypolicyviolation', e => "
        "window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));"
    )

    response = page.goto(f"{live_server.url}/api/v1/docs")
    assert response is not None
    assert response.status == 200
    page.locator(".opblock").first.wait_for(timeout=15_000)

    assert page.locator(".opblock").count() == len(EXPECTED_OPERATIONS)
    assert page.evaluate("window.__cspViolations") == []
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    elsewhere = [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert elsewhere == [], elsewhere
