"""Consent in a real browser: a key worker records it with the client, the partner sees what it
covers (and why the rest is hidden), the key worker withdraws part of it, and the partner's very
next view no longer shows it. Every page is scanned with axe (ceangal.testing.browser)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.models import ConsentRecord, EventKind
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas, make_agreement, make_client, make_notice

pytestmark = pytest.mark.browser

HIDDEN_REASON = re.compile(r"has not agreed to share|has withdrawn their consent to share|Hidden\.")


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _tick(control: Locator) -> None:
    # The design system draws its own box over the real input, and the label takes the click, as
    # it does for a person.
    control.check(force=True)
    expect(control).to_be_checked()


def _sign_out(page: Page) -> None:
    b.submit(page, page.get_by_role("button", name=re.compile(r"sign out", re.I)))


def test_key_worker_records_consent_the_partner_sees_it_and_withdrawal_hides_it(
    page: Page, base_url: str, people: Personas
) -> None:
    client = make_client(people.council_worker, given_name="Iona", family_name="Consentwell")
    item_add(
        actor=people.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5 English", "scqf_level": "SCQF05", "achieved_on": "2020-06-01"},
    )
    make_notice(people.council_dpo)
    make_agreement([people.council_dpo, people.college_dpo])
    engagement_open(actor=people.college_worker, client=client)
    record_url = f"{base_url}/clients/{client.pk}/"

    # The council's key worker records consent for Fife College to see qualifications.
    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.visit(page, record_url)
    b.follow(page, _main(page).get_by_role("link", name="Record consent"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Record consent"))
    _tick(page.get_by_label("The client agreed"))
    college = page.get_by_role("group", name="Share with Fife College")
    _tick(college.get_by_label("Qualifications", exact=True))
    _tick(page.get_by_label("Verbal, with a witness"))
    b.field_by_label(page, "Witness name").fill("Tam Witness")
    b.submit(page, _main(page).get_by_role("button", name="Record consent"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Consent receipt"))
    expect(_main(page)).to_contain_text("Fife College")
    assert ConsentRecord.objects.filter(client_id=client.pk).count() == 1
    _sign_out(page)

    # The college's key worker sees the qualification, and a reason where something is hidden.
    b.sign_in(page, base_url, people.college_worker.user.email, PASSWORD)
    b.visit(page, record_url)
    expect(page.get_by_role("region", name="Qualifications")).to_contain_text("N5 English")
    expect(_main(page)).to_contain_text(HIDDEN_REASON)
    _sign_out(page)

    # The council's key worker withdraws it.
    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.visit(page, record_url)
    b.follow(page, _main(page).get_by_role("link", name="View consent"))
    b.follow(page, _main(page).get_by_role("link", name=re.compile(r"^Withdraw")))
    _tick(page.get_by_label(re.compile(r"^Qualifications with Fife College")))
    b.submit(page, _main(page).get_by_role("button", name="Withdraw consent"))
    expect(_main(page)).to_contain_text("Not in force")
    assert ConsentRecord.objects.get(client_id=client.pk).events.filter(kind=EventKind.WITHDRAWN).exists()
    _sign_out(page)

    # The college's very next view no longer shows it.
    b.sign_in(page, base_url, people.college_worker.user.email, PASSWORD)
    b.visit(page, record_url)
    qualifications = page.get_by_role("region", name="Qualifications")
    expect(qualifications).not_to_contain_text("N5 English")
    expect(qualifications).to_contain_text(HIDDEN_REASON)


def test_a_key_worker_records_a_refusal_and_it_shows_as_refused(page: Page, base_url: str, people: Personas) -> None:
    client = make_client(people.council_worker, given_name="Rona", family_name="Refuser")
    make_notice(people.council_dpo)
    make_agreement([people.council_dpo, people.college_dpo])

    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.visit(page, f"{base_url}/clients/{client.pk}/consent/new/")
    _tick(page.get_by_label("The client refused"))
    college = page.get_by_role("group", name="Share with Fife College")
    _tick(college.get_by_label("Qualifications", exact=True))
    _tick(page.get_by_label("Verbal, with a witness"))
    b.submit(page, _main(page).get_by_role("button", name="Record consent or refusal"))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Record of refusal"))
    expect(page.locator(".ds_notification")).to_contain_text("Nothing will be shared")
    expect(_main(page).locator(".ds_tag--red")).to_have_text("Refused")
    assert ConsentRecord.objects.get(client_id=client.pk).events.get().kind == EventKind.REFUSED
    b.visit(page, f"{base_url}/clients/{client.pk}/consent/")
    expect(_main(page)).to_contain_text("Refused on")
    expect(_main(page).get_by_role("link", name=re.compile(r"^Withdraw"))).to_have_count(0)


def test_sharing_pages_pass_the_accessibility_scan(page: Page, base_url: str, people: Personas) -> None:
    """The pages the journey above does not pass through, including their error states."""
    client = make_client(people.council_worker, given_name="Skye", family_name="Scanned")
    notice = make_notice(people.council_dpo)
    version = make_agreement([people.council_dpo, people.college_dpo])
    consent = f"{base_url}/clients/{client.pk}/consent/"

    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.visit(page, f"{consent}new/")
    response = b.submit(page, _main(page).get_by_role("button", name="Record consent"))
    assert response.status == 422
    expect(page.locator(".ds_error-summary")).to_contain_text("What the client agrees to share")
    b.visit(page, f"{consent}form/")
    b.visit(page, f"{base_url}/clients/{client.pk}/break-glass/")
    response = b.submit(page, _main(page).get_by_role("button", name="Open the record"))
    assert response.status == 422
    _tick(page.get_by_label("Contact details", exact=True))
    _tick(page.get_by_label(re.compile(r"^Safeguarding")))
    b.field_by_label(page, "What is happening").fill("Client disclosed risk of harm from a partner at home.")
    b.submit(page, _main(page).get_by_role("button", name="Open the record"))
    expect(page.locator(".ds_notification")).to_contain_text("Break-glass access is open until")
    b.visit(page, f"{base_url}/agreements/")
    b.visit(page, f"{base_url}/notices/")
    b.visit(page, f"{base_url}/notices/{notice.pk}/")
    _sign_out(page)

    b.sign_in(page, base_url, people.council_dpo.user.email, PASSWORD)
    b.follow(page, page.get_by_role("link", name="Data protection"))
    b.follow(page, _main(page).get_by_role("link", name="Review break-glass access"))
    b.follow(page, _main(page).get_by_role("link", name=re.compile(r"^Review access by")))
    response = b.submit(page, _main(page).get_by_role("button", name="Record review"))
    assert response.status == 422
    b.visit(page, f"{base_url}/agreements/{version.pk}/")
    expect(page.get_by_role("heading", name="12. Sign-off")).to_be_visible()
    response = b.submit(page, _main(page).get_by_role("button", name="Change status"))
    assert response.status == 422
