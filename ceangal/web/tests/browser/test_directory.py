"""The directory in a real browser: a team leader publishes a service (after fixing a mistake), a
key worker of another partner finds it by filtering and reads it. Every page is scanned with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from ceangal.directory.models import Service
from ceangal.directory.tests.factories import make_service
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas, make_client

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _tick(control: Locator) -> None:
    # The design system draws its own box over the real input: click the input's label, as a person does.
    control.evaluate("input => input.labels[0].click()")
    expect(control).to_be_checked()


def test_publish_a_service_then_another_partner_finds_it(page: Page, base_url: str, people: Personas) -> None:
    b.sign_in(page, base_url, people.council_leader.user.email, PASSWORD)
    b.visit(page, f"{base_url}/directory/")
    b.follow(page, _main(page).get_by_role("link", name="Publish a service"))
    b.field_by_label(page, "Name of the service").fill("Money Advice for Work")
    b.field_by_label(page, "What the service offers").fill("Benefit checks and budgeting before starting work.")
    _tick(
        page.get_by_role("group", name="Stages of the pipeline served").get_by_label(
            "Needs assessment and barrier removal"
        )
    )
    _tick(
        page.get_by_role("group", name="Needs the service helps with (optional)").get_by_label("Debt or money worries")
    )
    page.get_by_label("Minimum age (optional)", exact=True).fill("eighteen")
    b.field_by_label(page, "Email for referrals").fill("money@example.org")
    b.submit(page, _main(page).get_by_role("button", name="Publish"))
    expect(page.get_by_role("alert")).to_contain_text("Minimum age (optional): Give a whole number")
    assert not Service.objects.exists()

    page.get_by_label("Minimum age (optional)", exact=True).fill("18")
    b.submit(page, _main(page).get_by_role("button", name="Publish"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Money Advice for Work")
    assert Service.objects.get().min_age == 18

    page.context.clear_cookies()
    b.sign_in(page, base_url, people.college_worker.user.email, PASSWORD)
    b.visit(page, f"{base_url}/directory/")
    b.choose(page, "Need", "Debt or money worries")
    b.submit(page, _main(page).get_by_role("button", name="Apply filters"))
    b.follow(page, _main(page).get_by_role("link", name="Money Advice for Work"))
    expect(_main(page)).to_contain_text("18 and over")
    expect(_main(page).get_by_role("link", name="Change this service")).to_have_count(0)


def test_a_key_worker_sees_the_services_a_client_may_be_eligible_for(
    page: Page, base_url: str, people: Personas
) -> None:
    client = make_client(people.council_worker, given_name="Catriona", family_name="Eligible")
    make_service(people.council_leader, name="Fife Youth Hub", min_age=16, max_age=99)
    make_service(people.council_leader, name="Edinburgh Works", local_authorities=["S12000036"], postcode_areas=[])
    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.visit(page, f"{base_url}/clients/{client.pk}/")
    b.follow(page, _main(page).get_by_role("link", name="Services this client may be eligible for"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Catriona Eligible")
    eligible = _main(page).get_by_role("table", name="Services the client may be eligible for")
    expect(eligible.get_by_role("link", name="Fife Youth Hub")).to_be_visible()
    others = _main(page).get_by_role("table", name="Services whose criteria the client does not meet, and why")
    expect(others).to_contain_text("The service covers City of Edinburgh; the client lives in Fife.")
    b.choose(page, "Stage", "Engagement and referral")
    b.submit(page, _main(page).get_by_role("button", name="Apply filters"))
    b.follow(page, _main(page).get_by_role("link", name="Fife Youth Hub"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fife Youth Hub")
