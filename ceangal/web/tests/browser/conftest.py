"""Fixtures for the browser tests: a live server, Debian's Chromium and the personas.

Without Chromium the tests skip, loudly (and the terminal summary says so); with
CEANGAL_REQUIRE_BROWSER=1, as CI sets it, they fail instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from ceangal.testing import browser as b
from ceangal.testing.browser_fixtures import base_url, chromium, people

__all__ = ["base_url", "chromium", "people"]

pytestmark = pytest.mark.browser


def _page(browser: Browser, *, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(
        java_script_enabled=javascript, locale="en-GB", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    log = b.track_scans(page, javascript=javascript)
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
    """A context with JavaScript off: the service must work without it. axe cannot run there."""
    yield from _page(chromium, javascript=False)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if b.SKIPPED_FOR_NO_CHROMIUM:
        reason = b.chromium_missing_message() or "no Chromium"
        terminalreporter.section("browser tests", sep="!", red=True, bold=True)
        terminalreporter.line(f"WARNING: {len(b.SKIPPED_FOR_NO_CHROMIUM)} browser test(s) did not run.", red=True)
        terminalreporter.line(reason, red=True, bold=True)
