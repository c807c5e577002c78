"""Fixtures for the browser tests: a live server, Debian's Chromium and the personas.

Without Chromium the tests skip, loudly (and the terminal summary says so); with
CEANGAL_REQUIRE_BROWSER=1, as CI sets it, they fail instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from pytest_django.live_server_helper import LiveServer

from ceangal.testing import browser as b
from ceangal.testing.factories import Personas, make_personas

pytestmark = pytest.mark.browser

_skipped_for_no_chromium: list[str] = []


def _need_chromium(nodeid: str) -> None:
    reason = b.chromium_missing_message()
    if reason is None:
        return
    if b.browser_required():
        pytest.fail(reason.replace("SKIPPED", "FAILED") + f" ({b.REQUIRE_ENV} is set)", pytrace=False)
    _skipped_for_no_chromium.append(nodeid)
    pytest.skip(reason)


@pytest.fixture
def chromium(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Browser]:
    """A headless Chromium for one test.

    Started per test, not per session: while Playwright's sync API is running, its event loop makes
    Django refuse database access from this thread (SynchronousOnlyOperation), so it is allowed
    only for the browser test's own lifetime and the tests after it keep Django's guard.
    """
    _need_chromium(request.node.nodeid)
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=b.chromium_path(), args=list(b.CHROMIUM_ARGS), headless=True
        )
        try:
            yield browser
        finally:
            browser.close()


def _page(browser: Browser, *, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(
        java_script_enabled=javascript, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log = b.track_scans(page)
    try:
        yield page
    finally:
        b.forget_scans(page)
        context.close()
    if log.unscanned:
        pytest.fail(
            "pages visited without an accessibility scan (navigate with ceangal.testing.browser.visit, "
            f"submit or follow): {log.unscanned}",
            pytrace=False,
        )


@pytest.fixture
def page(chromium: Browser) -> Iterator[Page]:
    """A fresh browser context and page; every page it navigates to must be scanned with axe."""
    yield from _page(chromium, javascript=True)


@pytest.fixture
def page_without_js(chromium: Browser) -> Iterator[Page]:
    """A context with JavaScript off: the service must work without it."""
    yield from _page(chromium, javascript=False)


@pytest.fixture
def base_url(live_server: LiveServer) -> str:
    return str(live_server.url)


@pytest.fixture
def people(reference_data: None) -> Personas:
    """The personas, in a transactional database that the live server can see."""
    return make_personas()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped_for_no_chromium:
        reason = b.chromium_missing_message() or "no Chromium"
        terminalreporter.section("browser tests", sep="!", red=True, bold=True)
        terminalreporter.line(f"WARNING: {len(_skipped_for_no_chromium)} browser test(s) did not run.", red=True)
        terminalreporter.line(reason, red=True, bold=True)
