"""The accessibility scan itself: it must find real violations, or a clean result means nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from ceangal.testing.browser import axe_check, axe_violations

pytestmark = pytest.mark.browser

BAD_PAGE = """<!doctype html><html><head><title>Bad</title></head><body><main>
<h1>Register</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input type="text" name="postcode"><button></button></form>
</main></body></html>"""

GOOD_PAGE = """<!doctype html><html lang="en-GB"><head><title>Good</title></head><body><main>
<h1>Register</h1><form><label for="p">Postcode</label><input id="p" type="text" name="postcode">
<button type="submit">Register client</button></form></main></body></html>"""


def test_scan_reports_each_violation_with_rule_and_element(page: Page) -> None:
    page.set_content(BAD_PAGE)

    found = {v["id"] for v in axe_violations(page)}
    assert {"html-has-lang", "image-alt", "label", "button-name"} <= found
    with pytest.raises(AssertionError) as failure:
        axe_check(page)
    report = str(failure.value)
    assert "image-alt [critical]" in report
    assert "at img" in report


def test_scan_passes_a_clean_page(page: Page) -> None:
    page.set_content(GOOD_PAGE)

    axe_check(page)
