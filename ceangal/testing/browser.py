"""Browser-test helpers: Debian's Chromium driven by Playwright, and an axe-core scan of every page.

Playwright cannot download its own browser builds on our machines, so it drives the distribution's
Chromium (`/usr/bin/chromium`, or `CEANGAL_CHROMIUM`). Every page a browser test visits is scanned
with axe-core against WCAG 2.2 AA: `visit`, `submit` and `follow` navigate and then scan, and the
`page` fixture fails a test that navigated somewhere it never scanned.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from django.db import connections
from playwright.sync_api import Browser, Frame, Locator, Page, Response, sync_playwright

DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
)
# WCAG 2.0, 2.1 and 2.2 at levels A and AA: the standard public-sector services in Scotland meet.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
REQUIRE_ENV = "CEANGAL_REQUIRE_BROWSER"


def chromium_path() -> str:
    return os.environ.get("CEANGAL_CHROMIUM") or DEFAULT_CHROMIUM


def chromium_missing_message() -> str | None:
    """Why the browser tests cannot run here, or None when they can."""
    path = chromium_path()
    if Path(path).is_file() and os.access(path, os.X_OK):
        return None
    return (
        f"BROWSER TESTS SKIPPED: no Chromium at {path} — install Debian's chromium package to run them "
        "(sudo apt-get install chromium), or point CEANGAL_CHROMIUM at a Chromium binary."
    )


def browser_required() -> bool:
    """CI sets CEANGAL_REQUIRE_BROWSER=1 so that a missing Chromium fails instead of skipping."""
    return os.environ.get(REQUIRE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


SKIPPED_FOR_NO_CHROMIUM: list[str] = []


def need_chromium(nodeid: str = "") -> None:
    """Skip the calling test, loudly, where there is no Chromium; fail it instead where CI requires one."""
    reason = chromium_missing_message()
    if reason is None:
        return
    if browser_required():
        pytest.fail(reason.replace("SKIPPED", "FAILED") + f" ({REQUIRE_ENV} is set)", pytrace=False)
    SKIPPED_FOR_NO_CHROMIUM.append(nodeid)
    pytest.skip(reason)


@contextlib.contextmanager
def launch_chromium() -> Iterator[Browser]:
    """A headless Chromium for the length of one test.

    While Playwright's sync API runs, its event loop makes Django refuse database access from this
    thread (SynchronousOnlyOperation). The caller allows it for the test's own lifetime
    (monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")); starting Playwright per test, not per
    session, keeps Django's guard for the tests that run after it.
    """
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=list(CHROMIUM_ARGS), headless=True)
        try:
            yield browser
        finally:
            browser.close()
            # While Playwright's loop runs, Django keeps this thread's connections apart from the
            # ones opened before it started (asgiref switches to context-local storage). Close
            # them now: once the loop stops nothing can reach them, and an open one stops
            # PostgreSQL from dropping the test database at the end of the run.
            connections.close_all()


# --- accessibility --------------------------------------------------------------------------------


@functools.cache
def _axe_script() -> str:
    # axe-playwright-python bundles a release of axe-core; we inject it ourselves so that the run
    # options go to axe.run as data rather than through string formatting.
    return (resources.files("axe_playwright_python") / "axe.min.js").read_text(encoding="utf-8")


@dataclass
class ScanLog:
    """What a page navigated to and whether each of those documents was scanned."""

    javascript: bool = True
    unscanned: list[str] = field(default_factory=list)
    scanned: list[str] = field(default_factory=list)
    exempt: list[str] = field(default_factory=list)


_LOGS: dict[int, ScanLog] = {}


def track_scans(page: Page, *, javascript: bool = True) -> ScanLog:
    """Record every main-frame navigation of `page`, so that a test cannot skip a scan by accident."""
    log = ScanLog(javascript=javascript)
    _LOGS[id(page)] = log

    def navigated(frame: Frame) -> None:
        if frame != page.main_frame or frame.url == "about:blank":
            return
        seen = log.unscanned or log.scanned or log.exempt
        if seen and _without_fragment(seen[-1]) == _without_fragment(frame.url):
            return  # a jump within the document (an error summary's link), not a new page
        log.unscanned.append(frame.url)

    page.on("framenavigated", navigated)
    return log


def _without_fragment(url: str) -> str:
    return url.split("#", 1)[0]


def forget_scans(page: Page) -> ScanLog | None:
    return _LOGS.pop(id(page), None)


def _mark(page: Page, bucket: str) -> None:
    log = _LOGS.get(id(page))
    if log is not None:
        getattr(log, bucket).extend(log.unscanned)
        log.unscanned.clear()


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"{len(violations)} accessibility violation(s) (WCAG 2.2 AA, axe-core) on {url}:"]
    for violation in violations:
        lines.append(
            f"- {violation['id']} [{violation.get('impact') or 'unknown'}]: {violation.get('help', '')}"
            f" ({violation.get('helpUrl', '')})"
        )
        for node in violation.get("nodes", []):
            target = " ".join(json.dumps(t) if not isinstance(t, str) else t for t in node.get("target", []))
            html = re.sub(r"\s+", " ", node.get("html", ""))[:200]
            lines.append(f"    at {target}: {html}")
            summary = node.get("failureSummary")
            if summary:
                lines.append("      " + re.sub(r"\s+", " ", summary))
    return "\n".join(lines)


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    log = _LOGS.get(id(page))
    if log is not None and not log.javascript:
        # Playwright's evaluate never returns in a context with JavaScript off.
        raise RuntimeError("axe cannot run in a context without JavaScript; use scan=False there")
    page.evaluate(_axe_script())
    options = {"runOnly": {"type": "tag", "values": list(AXE_TAGS)}, "resultTypes": ["violations"]}
    results: dict[str, Any] = page.evaluate(
        "([context, options]) => axe.run(context || document, options)", [context, options]
    )
    violations: list[dict[str, Any]] = results["violations"]
    return violations


def axe_check(page: Page, context: str | None = None) -> None:
    """Fail unless the page as it is now has no WCAG 2.2 A/AA violations that axe-core can find."""
    violations = axe_violations(page, context)
    if violations:
        # Printed too, so the report appears in the captured output of a test that fails later.
        report = format_violations(page.url, violations)
        print(report)
        raise AssertionError(report)
    _mark(page, "scanned")


def no_scan_possible(page: Page) -> None:
    """For pages in a context without JavaScript, where axe cannot run: the same pages are scanned
    with JavaScript on in the other journeys."""
    _mark(page, "exempt")


def _scan_after(page: Page, action: Callable[[], None], *, scan: bool) -> Response:
    with page.expect_navigation() as navigation:
        action()
    response = _loaded(navigation.value)  # expect_navigation waits for the load event
    if scan:
        axe_check(page)
    else:
        no_scan_possible(page)
    return response


# --- navigation that scans ------------------------------------------------------------------------


def _loaded(response: Response | None) -> Response:
    # Playwright gives None only for a jump within the same document, which these helpers never make.
    if response is None:
        raise AssertionError("expected the browser to load a new page")
    return response


def visit(page: Page, url: str, *, scan: bool = True) -> Response:
    """Go to `url` and scan the page it shows (whatever its status: error pages must pass too)."""
    response = _loaded(page.goto(url, wait_until="load"))
    if scan:
        axe_check(page)
    else:
        no_scan_possible(page)
    return response


def submit(page: Page, button: Locator, *, scan: bool = True) -> Response:
    """Press a form's submit button, wait for the page the server answers with, and scan it."""
    return _scan_after(page, button.click, scan=scan)


def follow(page: Page, link: Locator, *, scan: bool = True) -> Response:
    """Follow a link and scan the page it leads to."""
    return _scan_after(page, link.click, scan=scan)


# --- forms ----------------------------------------------------------------------------------------


def sign_in(page: Page, base_url: str, email: str, password: str, *, scan: bool = True) -> Response:
    visit(page, f"{base_url}/accounts/login/", scan=scan)
    field_by_label(page, "Email").fill(email)
    field_by_label(page, "Password").fill(password)
    return submit(page, page.get_by_role("button", name=re.compile(r"sign in|log in", re.I)), scan=scan)


def fill_date(page: Page, label: str, iso_date: str) -> None:
    """Fill a date asked for either as one input or as a fieldset of Day, Month and Year inputs."""
    year, month, day = iso_date.split("-")
    group = page.get_by_role("group", name=re.compile(rf"^\s*{re.escape(label)}", re.I))
    if group.count():
        group.get_by_label(re.compile(r"^\s*day", re.I)).fill(str(int(day)))
        group.get_by_label(re.compile(r"^\s*month", re.I)).fill(str(int(month)))
        group.get_by_label(re.compile(r"^\s*year", re.I)).fill(year)
        return
    field = field_by_label(page, label)
    if field.get_attribute("type") == "date":
        field.fill(iso_date)
    else:
        field.fill(f"{int(day)} {int(month)} {year}")  # as a person types it: 27 3 2007


def field_by_label(page: Page, label: str) -> Locator:
    """The one control whose accessible name starts with `label`. Strict: two such controls on a
    page make the test fail, since a person could not tell them apart either."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\b", re.I))


def choose(page: Page, label: str, option_label: str) -> None:
    """Pick an option of a select by the texts a person sees."""
    field_by_label(page, label).select_option(label=option_label)
