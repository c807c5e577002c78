"""The docs page in a real browser: Swagger UI renders under our CSP, fetching nothing from elsewhere.

The HTML checks in test_openapi.py cannot see what the scripts do once they run (Swagger UI could
inject inline styles or call out to its validator); this can.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright
from pytest_django.live_server_helper import LiveServer

from ceangal.testing import browser as b

pytestmark = pytest.mark.browser


@pytest.fixture
def chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    reason = b.chromium_missing_message()
    if reason is not None:
        if b.browser_required():
            pytest.fail(reason, pytrace=False)
        pytest.skip(reason)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=b.chromium_path(), args=list(b.CHROMIUM_ARGS))
        try:
            yield browser
        finally:
            browser.close()


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

    assert page.locator(".opblock").count() == 10
    assert page.evaluate("window.__cspViolations") == []
    assert not [e for e in console_errors if "Content Security Policy" in e], console_errors
    elsewhere = [url for url in requested if not url.startswith(live_server.url) and not url.startswith("data:")]
    assert elsewhere == [], elsewhere
