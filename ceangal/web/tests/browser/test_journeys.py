"""The main staff journeys in a real browser, each page scanned for WCAG 2.2 AA problems.

Every navigation goes through `visit`, `submit` or `follow` (ceangal.testing.browser), which scan
the page they arrive at; the `page` fixture fails a test that reached a page it did not scan.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from ceangal.clients.models import Client
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas, make_client

pytestmark = pytest.mark.browser

NAME = {"given": "Eilidh", "family": "MacLeod"}
# The service may store a phone number with or without the space it was typed with.
PHONE_SHOWN = re.compile(r"07700\s?900123")


def _main(page: Page) -> Locator:
    # Narrows locators to the page's own content: the header and navigation repeat some links.
    return page.get_by_role("main")


def _fill_registration(page: Page, *, postcode: str) -> None:
    b.field_by_label(page, "Given name").fill(NAME["given"])
    b.field_by_label(page, "Family name").fill(NAME["family"])
    b.field_by_label(page, "Preferred name").fill("Eilidh")
    b.fill_date(page, "Date of birth", "2001-03-27")
    b.field_by_label(page, "National Insurance number").fill("")
    b.field_by_label(page, "Postcode").fill(postcode)
    b.choose(page, "Local authority", "Fife")


def _client_id_from(url: str) -> str:
    match = re.search(r"/clients/([0-9a-f-]{36})/", url)
    assert match, f"not a client record URL: {url}"
    return match.group(1)


def test_key_worker_registers_a_client_fixes_an_error_edits_contact_and_reads_history(
    page: Page, base_url: str, people: Personas
) -> None:
    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    expect(page).to_have_url(re.compile(r"/caseload/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("My caseload"))

    b.follow(page, _main(page).get_by_role("link", name=re.compile(r"register a client", re.I)))
    expect(page).to_have_url(re.compile(r"/clients/new/"))

    # One bad field: the page comes back with the error summary, linked to the field, and
    # everything typed kept; nothing is registered.
    _fill_registration(page, postcode="NOT A POSTCODE")
    response = b.submit(page, page.get_by_role("button", name=re.compile(r"register", re.I)))
    assert response.status in {200, 400, 422}
    expect(page).to_have_title(re.compile(r"^Error:"))
    summary = page.locator(".ds_error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert" or summary.evaluate("el => el.contains(document.activeElement)")
    error_link = summary.get_by_role("link", name=re.compile(r"postcode", re.I))
    expect(error_link).to_have_count(1)
    postcode = b.field_by_label(page, "Postcode")
    expect(postcode).to_have_value("NOT A POSTCODE")
    expect(postcode).to_have_attribute("aria-invalid", "true")
    expect(b.field_by_label(page, "Given name")).to_have_value(NAME["given"])
    error_link.click()
    expect(postcode).to_be_focused()
    assert not Client.objects.exists()

    postcode.fill("KY1 1XX")
    b.submit(page, page.get_by_role("button", name=re.compile(r"register", re.I)))
    expect(page).to_have_url(re.compile(r"/clients/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME["family"])
    client_id = _client_id_from(page.url)
    assert Client.objects.filter(pk=client_id).count() == 1

    # Edit the contact details (an "Add" link while the section is empty, "Edit" once it has a value).
    contact_link = page.get_by_role("link", name=re.compile(r"^(edit|add) contact details", re.I))
    b.follow(page, contact_link.first)
    expect(page).to_have_url(re.compile(rf"/clients/{client_id}/contact/edit/$"))
    b.field_by_label(page, "Phone number").fill("07700 900123")
    b.submit(page, _main(page).get_by_role("button", name=re.compile(r"save|add|update", re.I)))
    expect(page).to_have_url(re.compile(rf"/clients/{client_id}/"))
    expect(page.get_by_role("region", name="Contact details")).to_contain_text(PHONE_SHOWN)

    b.follow(page, page.get_by_role("link", name=re.compile(r"^history of contact details", re.I)))
    expect(page).to_have_url(re.compile(rf"/clients/{client_id}/contact/history/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("history", re.I))
    expect(_main(page)).to_contain_text(PHONE_SHOWN)


def test_key_worker_finds_their_client(page: Page, base_url: str, people: Personas) -> None:
    client = make_client(people.council_worker, given_name="Ruaridh", family_name="Findlay")

    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.visit(page, f"{base_url}/clients/find/")
    page.get_by_role("searchbox").first.fill("Findlay")
    b.submit(page, _main(page).get_by_role("button", name=re.compile(r"search", re.I)))
    result = _main(page).get_by_role("link", name=re.compile(r"Findlay"))
    expect(result).to_have_count(1)
    b.follow(page, result)
    expect(page).to_have_url(re.compile(rf"/clients/{client.pk}/$"))


def test_wrong_password_shows_an_error_and_lets_nobody_in(page: Page, base_url: str, people: Personas) -> None:
    b.sign_in(page, base_url, people.council_worker.user.email, "not-the-password-at-all")

    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator(".ds_error-summary")).to_be_visible()
    b.visit(page, f"{base_url}/caseload/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_another_partners_key_worker_gets_not_found_for_a_client_they_do_not_work_with(
    page: Page, base_url: str, people: Personas
) -> None:
    client = make_client(people.council_worker, given_name="Seonaid", family_name="Hidden")

    b.sign_in(page, base_url, people.college_worker.user.email, PASSWORD)
    for path in ("", "contact/edit/", "contact/history/", "identity/edit/"):
        response = b.visit(page, f"{base_url}/clients/{client.pk}/{path}")
        assert response.status == 404, path
        expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("not found", re.I))
        expect(page.locator("body")).not_to_contain_text("Seonaid")
        expect(page.locator("body")).not_to_contain_text("Hidden")


def test_signing_in_and_registering_work_without_javascript(
    page_without_js: Page, base_url: str, people: Personas
) -> None:
    page = page_without_js
    # axe needs JavaScript: these pages are scanned with it on in the journeys above.
    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD, scan=False)
    expect(page).to_have_url(re.compile(r"/caseload/"))

    b.visit(page, f"{base_url}/clients/new/", scan=False)
    _fill_registration(page, postcode="KY1 1XX")
    b.submit(page, page.get_by_role("button", name=re.compile(r"register", re.I)), scan=False)

    expect(page).to_have_url(re.compile(r"/clients/[0-9a-f-]{36}/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(NAME["family"])
    assert Client.objects.count() == 1
