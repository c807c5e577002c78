"""Rights requests in a real browser, every page scanned with axe-core: the DPO opens the queue
(an overdue request stands out), logs a request by letter (after fixing a mistake), and extends it
with the reason told to the client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from ceangal.rights.models import RightsRequest
from ceangal.rights.tests.factories import log_request
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas, make_client

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _tick(control: Locator) -> None:
    # The design system draws its own radio over the real input: click its label, as a person does.
    control.evaluate("input => input.labels[0].click()")


def test_queue_log_and_extend(page: Page, base_url: str, people: Personas) -> None:
    client = make_client(people.council_worker, given_name="Eilidh", family_name="Synthetic")
    overdue = log_request(people.council_worker, client.pk, received_on=timezone.localdate() - dt.timedelta(days=40))

    b.sign_in(page, base_url, people.council_dpo.user.email, PASSWORD)
    b.follow(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Data protection"))
    b.follow(page, _main(page).get_by_role("link", name="Rights requests and their deadlines"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rights requests")
    table = _main(page).get_by_role("table")
    expect(table).to_contain_text(client.reference)
    expect(table).to_contain_text("Overdue")
    expect(table).not_to_contain_text("Eilidh")

    b.follow(page, _main(page).get_by_role("link", name="Log a request"))
    b.field_by_label(page, "Client reference").fill(client.reference)
    b.fill_date(page, "Date received", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
    b.submit(page, _main(page).get_by_role("button", name="Log the request"))
    expect(page.get_by_role("alert")).to_contain_text("What is the client asking for?")
    expect(page.get_by_role("alert")).to_contain_text("How did the request reach you?")
    assert RightsRequest.objects.count() == 1

    _tick(page.get_by_role("radio", name="Access (a copy of their information)"))
    _tick(page.get_by_role("radio", name="Letter"))
    page.get_by_label("What did the client say?", exact=True).fill("Please send me a copy of my file.")
    b.submit(page, _main(page).get_by_role("button", name="Log the request"))
    expect(page.get_by_role("status")).to_contain_text("The rights request is logged")
    logged = RightsRequest.objects.exclude(pk=overdue.pk).get()
    assert (logged.kind, logged.channel) == ("access", "letter")
    expect(_main(page)).to_contain_text("one month from")

    _tick(page.get_by_role("group", name="Extend by").get_by_role("radio", name="2 months"))
    b.field_by_label(page, "Why, as told to the client").fill("it covers six partners' records")
    b.submit(page, _main(page).get_by_role("button", name="Extend the deadline"))
    expect(_main(page)).to_contain_text("extended by 2 months on")
    expect(_main(page)).to_contain_text("because it covers six partners' records")
    logged.refresh_from_db()
    assert (logged.status, logged.extension_months) == ("extended", 2)
