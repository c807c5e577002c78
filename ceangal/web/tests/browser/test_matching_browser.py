"""Checking before registering and merging duplicates in a real browser, each page scanned with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from ceangal.clients import models as cm
from ceangal.clients.services import client_set_discoverable
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas, make_client

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def test_check_before_registering_then_merge_a_duplicate(page: Page, base_url: str, people: Personas) -> None:
    college = make_client(
        people.college_worker, given_name="Morag", family_name="McLeod", date_of_birth="1998-04-12", postcode="KY1 1YG"
    )
    client_set_discoverable(actor=people.college_worker, client=college, discoverable=True)
    kept = make_client(people.council_worker, given_name="Morag", family_name="MacLeod", date_of_birth="1998-04-12")
    twin = make_client(people.council_worker, given_name="Morag", family_name="Macleod", date_of_birth="1998-04-12")

    b.sign_in(page, base_url, people.council_leader.user.email, PASSWORD)
    b.visit(page, f"{base_url}/caseload/")
    b.follow(page, _main(page).get_by_role("link", name="Check before registering"))
    b.submit(page, _main(page).get_by_role("button", name="Check"))
    expect(page.get_by_role("alert")).to_contain_text("Family name")
    b.field_by_label(page, "Given name").fill("Morag")
    b.field_by_label(page, "Family name").fill("Mcleod")
    b.fill_date(page, "Date of birth", "1998-04-12")
    b.field_by_label(page, "Postcode").fill("ky1 1yg")
    b.submit(page, _main(page).get_by_role("button", name="Check"))
    expect(_main(page)).to_contain_text("This person may already be known to:")
    expect(_main(page)).to_contain_text("Fife College")
    expect(_main(page)).not_to_contain_text(college.reference)
    yours = _main(page).get_by_role("table", name="Your clients who may match")
    expect(yours.get_by_role("link", name="Morag MacLeod", exact=True)).to_have_count(1)
    expect(yours.get_by_role("link", name="Morag Macleod", exact=True)).to_have_count(1)

    b.visit(page, f"{base_url}/clients/{kept.pk}/")
    b.follow(page, _main(page).get_by_role("link", name="Merge duplicate records"))
    b.submit(page, _main(page).get_by_role("button", name="Compare"))
    expect(_main(page).get_by_role("table", name="The two records")).to_contain_text(twin.reference)
    b.submit(page, _main(page).get_by_role("button", name="Merge the records"))
    expect(page.get_by_role("alert")).to_contain_text("Why are these the same person?")
    b.field_by_label(page, "Why are these the same person").fill("Registered twice, once misspelt.")
    b.submit(page, _main(page).get_by_role("button", name="Merge the records"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Morag MacLeod")
    assert cm.Client.objects.get(pk=twin.pk).merged_into_id == kept.pk
