"""A DPO drafts an agreement with several purposes in a real browser, with and without JavaScript.
"Add another purpose" re-renders the form with one more purpose block; errors name the purpose and
the field. Every page with JavaScript is scanned with axe (ceangal.testing.browser)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from ceangal.agreements.models import AgreementVersion
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _tick(control: Locator) -> None:
    # The design system draws its own box over the real input: click the input's label, as a person does.
    control.evaluate("input => input.labels[0].click()")
    expect(control).to_be_checked()


def _fill_agreement(page: Page) -> None:
    b.field_by_label(page, "Title").fill("Support and referrals")
    b.field_by_label(page, "Why the partners share").fill("So partners can support and refer clients.")
    _tick(page.get_by_role("group", name="Parties").get_by_label("Fife College"))
    _tick(page.get_by_label("Weekly"))
    page.get_by_role("textbox", name="Retention", exact=True).fill("For the support and two years after.")
    b.field_by_label(page, "Retention period in months").fill("24")
    _tick(page.get_by_label("Securely destroyed"))


def _fill_purpose(page: Page, number: int, purpose: str, basis: str, categories: list[str]) -> None:
    b.choose(page, f"Purpose {number}: why information is shared", purpose)
    b.choose(page, f"Purpose {number}: lawful basis", basis)
    group = page.get_by_role("group", name=f"Purpose {number}: information shared for this purpose")
    for category in categories:
        _tick(group.get_by_label(category, exact=True))


def test_a_dpo_drafts_an_agreement_with_two_purposes(page: Page, base_url: str, people: Personas) -> None:
    b.sign_in(page, base_url, people.council_dpo.user.email, PASSWORD)
    b.visit(page, f"{base_url}/agreements/new/")
    _fill_agreement(page)
    _fill_purpose(page, 1, "Referral to another service", "Public task (Article 6(1)(e))", ["Identity"])

    b.submit(page, _main(page).get_by_role("button", name="Add another purpose"))
    expect(page.get_by_role("group", name="Purpose 2", exact=True)).to_be_visible()
    assert page.url.endswith("#purpose-2")
    # What was filled in survives the round trip.
    expect(b.field_by_label(page, "Title")).to_have_value("Support and referrals")

    _fill_purpose(page, 2, "Coordinating the client's support", "Consent (Article 6(1)(a))", ["Health and disability"])
    b.submit(page, _main(page).get_by_role("button", name="Save draft"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Purpose 2: Article 9 condition")
    assert not AgreementVersion.objects.exists()

    b.choose(page, "Purpose 2: Article 9 condition", "Explicit consent (Article 9(2)(a))")
    b.submit(page, _main(page).get_by_role("button", name="Save draft"))
    expect(page.get_by_text("Draft saved")).to_be_visible()
    version = AgreementVersion.objects.get()
    assert {p.purpose for p in version.purposes.all()} == {"referral", "support_coordination"}


def test_adding_and_removing_purposes_works_without_javascript(
    page_without_js: Page, base_url: str, people: Personas
) -> None:
    page = page_without_js
    b.sign_in(page, base_url, people.council_dpo.user.email, PASSWORD, scan=False)
    b.visit(page, f"{base_url}/agreements/new/", scan=False)
    b.choose(page, "Purpose 1: why information is shared", "Evaluating services")
    b.submit(page, _main(page).get_by_role("button", name="Add another purpose"), scan=False)
    b.choose(page, "Purpose 2: why information is shared", "Safeguarding")
    b.submit(page, _main(page).get_by_role("button", name="Remove purpose 1"), scan=False)
    expect(page.get_by_role("group", name="Purpose 2", exact=True)).to_have_count(0)
    expect(b.field_by_label(page, "Purpose 1: why information is shared")).to_have_value("safeguarding")
    assert not AgreementVersion.objects.exists()
