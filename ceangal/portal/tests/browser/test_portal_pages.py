"""The client's pages in a real browser on a phone-sized screen: sign in with a printed code,
visit every page (each scanned with axe, WCAG 2.2 AA, and none wider than the screen), withdraw
one row of a consent and ask for a copy; and the withdrawal again with JavaScript off."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from ceangal.consent.models import ConsentEvent
from ceangal.policy.selectors import client_record
from ceangal.portal.services import printed_code_issue
from ceangal.portal.tests.conftest import PURPOSE, SharedWorld, shared_world
from ceangal.rights.models import RightsRequest
from ceangal.testing import browser as b
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def _sign_in(page: Page, base_url: str, code: str, *, scan: bool) -> None:
    b.visit(page, f"{base_url}/my/", scan=scan)
    b.follow(page, _main(page).get_by_role("link", name="I have a code from my key worker"), scan=scan)
    b.field_by_label(page, "Code from your key worker").fill(code)
    b.submit(page, _main(page).get_by_role("button", name="Sign in"), scan=scan)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your information")


def _nav(page: Page, name: str) -> Locator:
    """A link of the portal's menu, which a phone shows once its toggle is pressed."""
    menu = page.get_by_role("navigation", name="Your pages")
    link = menu.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        # The design system's script turns the toggle into a button; without it, it is a label.
        button = menu.get_by_role("button", name="Menu: your pages")
        (button if button.count() else menu.locator("label", has_text="Menu: your pages")).click()
    return link


def _world(people: Personas) -> SharedWorld:
    world = shared_world(people)
    client_record(actor=people.college_worker, client_id=world.client.pk, purpose=PURPOSE)
    return world


def test_a_client_visits_every_page_withdraws_a_row_and_asks_for_a_copy(
    phone: Page, base_url: str, people: Personas
) -> None:
    page = phone
    world = _world(people)
    _sign_in(page, base_url, world.code, scan=True)
    _fits(page)
    expect(_main(page)).to_contain_text("1 organisation has seen your information in the last month.")

    b.follow(page, _nav(page, "What we hold about you"))
    expect(_main(page)).to_contain_text("N5 English")
    expect(_main(page)).to_contain_text(f"From {people.council.name}")
    _fits(page)
    b.follow(page, _main(page).get_by_role("link", name="Ask for a correction to Qualifications"))
    expect(page.get_by_label("Which part of your information is wrong?")).to_have_value("qualifications")
    b.follow(page, _nav(page, "Who has seen your information"))
    expect(_main(page)).to_contain_text(f"A key worker at {people.college.name} saw your name and identity details")
    _fits(page)
    b.follow(page, _nav(page, "Your referrals"))
    _fits(page)

    b.follow(page, _nav(page, "Your consents"))
    expect(_main(page)).to_contain_text("In force")
    _fits(page)
    b.follow(page, _main(page).get_by_role("link", name="Withdraw all or part of this consent"))
    _fits(page)
    b.submit(page, _main(page).get_by_role("button", name="Withdraw consent"))
    expect(page.get_by_role("alert")).to_contain_text("What to withdraw: Tick what you want to withdraw")
    _main(page).get_by_label("Qualifications, with Fife College").check(
        force=True
    )  # the design system draws the box over it
    b.submit(page, _main(page).get_by_role("button", name="Withdraw consent"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent withdrawn")
    expect(_main(page)).to_contain_text("Qualifications, with Fife College, for: Coordinating your support")
    _fits(page)
    event = ConsentEvent.objects.get(record=world.consent, kind="withdrawn")
    assert [s.category for s in event.scopes.all()] == ["qualifications"]
    assert (
        client_record(actor=people.college_worker, client_id=world.client.pk, purpose=PURPOSE)
        .section("qualifications")
        .items
        == []
    )

    b.follow(page, _nav(page, "Ask for something"))
    _fits(page)
    b.follow(page, _main(page).get_by_role("link", name="A copy of your information"))
    _fits(page)
    b.submit(page, _main(page).get_by_role("button", name="Send your request"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    expect(_main(page)).to_contain_text("the law gives us one month")
    assert RightsRequest.objects.get(client_id=world.client.pk).kind == "access"
    b.follow(page, _main(page).get_by_role("link", name="See where your request stands"))
    expect(_main(page)).to_contain_text("We received your request")
    _fits(page)
    b.follow(page, _main(page).get_by_role("link", name="Your copies to download"))
    _fits(page)
    b.follow(page, _nav(page, "Your home"))
    expect(_main(page)).to_contain_text("1 of your requests is being worked on.")

    # The client changes their mind: withdrawing the request takes one page and one button.
    b.follow(page, _nav(page, "Ask for something"))
    b.follow(page, _main(page).get_by_role("link", name="A copy of your information").last)
    b.follow(page, _main(page).get_by_role("link", name="Withdraw this request"))
    _fits(page)
    b.submit(page, _main(page).get_by_role("button", name="Withdraw the request"))
    expect(page.get_by_role("status")).to_contain_text("You have withdrawn your request")
    expect(_main(page)).to_contain_text("You withdrew your request")
    assert RightsRequest.objects.get(client_id=world.client.pk).status == "withdrawn"


def test_withdrawing_without_javascript(phone_without_js: Page, base_url: str, people: Personas) -> None:
    page = phone_without_js
    world = _world(people)
    _sign_in(page, base_url, world.code, scan=False)
    b.follow(page, _nav(page, "Your consents"), scan=False)
    b.follow(page, _main(page).get_by_role("link", name="Withdraw all or part of this consent"), scan=False)
    _main(page).get_by_label("All of this consent").check(force=True)
    b.submit(page, _main(page).get_by_role("button", name="Withdraw consent"), scan=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Consent withdrawn")
    expect(_main(page)).to_contain_text("All of this consent.")
    event = ConsentEvent.objects.get(record=world.consent, kind="withdrawn")
    assert not event.scopes.exists()
    fresh = printed_code_issue(actor=people.council_worker, client_id=world.client.pk).code
    assert fresh != world.code
