"""Fixtures for the portal's browser tests, as in ceangal/web/tests/browser: a live server,
Debian's Chromium (the tests skip without it, or fail with CEANGAL_REQUIRE_BROWSER=1), and a
client's phone-sized page on which every page visited must be scanned with axe."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from ceangal.testing import browser as b
from ceangal.testing.browser_fixtures import base_url, chromium, people

__all__ = ["base_url", "chromium", "people"]

pytestmark = pytest.mark.browser
PHONE: ViewportSize = {"width": 375, "height": 812}


def _phone_page(browser: Browser, *, javascript: bool) -> Iterator[Page]:
    context = browser.new_context(java_script_enabled=javascript, locale="en-GB", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    log = b.track_scans(page, javascript=javascript)
    try:
        yield page
    finally:
        b.forget_scans(page)
        context.close()
    if log.unscanned:
        pytest.fail(f"pages visited without an accessibility scan: {log.unscanned}", pytrace=False)


@pytest.fixture
def phone(chromium: Browser) -> Iterator[Page]:
    """A phone-sized page with JavaScript on: every page it shows is scanned with axe."""
    yield from _phone_page(chromium, javascript=True)


@pytest.fixture
def phone_without_js(chromium: Browser) -> Iterator[Page]:
    """A phone-sized page with JavaScript off (axe cannot run there; the same pages are scanned
    with it on)."""
    yield from _phone_page(chromium, javascript=False)
