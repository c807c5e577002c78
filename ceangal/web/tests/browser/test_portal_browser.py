"""A client's sign-in in a real browser, each page scanned with axe (WCAG 2.2 AA): the key worker
sets it up and prints a code, the client signs in with it (a wrong code first), signs out, and
signs in again with an emailed code on a phone-sized screen."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas, make_client

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_key_worker_sets_up_sign_in_and_the_client_signs_in(page: Page, base_url: str, people: Personas) -> None:
    client = make_client(people.council_worker, given_name="Morag", family_name="MacLeod")

    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.visit(page, f"{base_url}/clients/{client.pk}/")
    b.follow(page, _main(page).get_by_role("link", name="The client's sign-in"))
    b.field_by_label(page, "Mobile number").fill("07700")
    b.submit(page, _main(page).get_by_role("button", name="Save the client's choice"))
    expect(page.get_by_role("alert")).to_contain_text("Mobile number: Enter a UK mobile number")
    b.field_by_label(page, "Email address").fill("morag@example.org")
    b.field_by_label(page, "Mobile number").fill("")
    b.submit(page, _main(page).get_by_role("button", name="Save the client's choice"))
    expect(_main(page)).to_contain_text("m•••@example.org")
    b.submit(page, _main(page).get_by_role("button", name="Make a printed code"))
    code = page.locator("#printed-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    expect(_main(page)).to_contain_text("I have a code from my key worker")
    b.submit(page, page.get_by_role("button", name="Sign out"))

    b.visit(page, f"{base_url}/my/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to see your information")
    b.follow(page, _main(page).get_by_role("link", name="I have a code from my key worker"))
    b.field_by_label(page, "Code from your key worker").fill("AAAA-BBBB-CCCC")
    b.submit(page, _main(page).get_by_role("button", name="Sign in"))
    expect(page.get_by_role("alert")).to_contain_text("Code from your key worker: That code is not right.")
    b.field_by_label(page, "Code from your key worker").fill(code.lower())
    b.submit(page, _main(page).get_by_role("button", name="Sign in"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your information")
    expect(_main(page)).to_contain_text(client.reference)
    expect(_main(page)).to_contain_text(people.council.name)
    expect(page.get_by_role("navigation", name="Main")).to_have_count(0)
    b.submit(page, _main(page).get_by_role("button", name="Sign out"))
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")

    # On a phone: ask for a code by email and sign in with it.
    page.set_viewport_size({"width": 375, "height": 812})
    b.visit(page, f"{base_url}/my/sign-in/")
    _fits(page)
    b.field_by_label(page, "Email address or mobile number").fill("Morag@Example.org")
    b.submit(page, _main(page).get_by_role("button", name="Send me a code"))
    _fits(page)
    emailed = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body))
    assert emailed
    assert "Morag" not in str(mail.outbox[-1].body)
    b.field_by_label(page, "Sign-in code").fill("000000" if emailed.group(1) != "000000" else "111111")
    b.submit(page, _main(page).get_by_role("button", name="Sign in"))
    expect(page.get_by_role("alert")).to_contain_text("Sign-in code: That code is not right.")
    _fits(page)
    b.field_by_label(page, "Sign-in code").fill(emailed.group(1))
    b.submit(page, _main(page).get_by_role("button", name="Sign in"))
    expect(_main(page)).to_contain_text(client.reference)
    _fits(page)
    b.visit(page, f"{base_url}/my/sign-in/printed/")
    _fits(page)
