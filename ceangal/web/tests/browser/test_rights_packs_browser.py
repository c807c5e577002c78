"""The copy of a client's information in a real browser, every page scanned with axe-core: the DPO
gathers it, is refused release while a flag waits, redacts one item, releases it; the client signs
in with a printed code and downloads it from their own pages, without the redacted text."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from ceangal.portal.services import printed_code_issue
from ceangal.rights import pack_services
from ceangal.rights.models import AccessPack, PackStatus
from ceangal.rights.tests.packs_world import CONTACT_NOTE, make_pack_world, ready_request
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _tick(control: Locator) -> None:
    # The design system draws its own radio over the real input: click its label, as a person does.
    control.evaluate("input => input.labels[0].click()")


def test_the_dpo_releases_a_copy_and_the_client_downloads_it(page: Page, base_url: str, people: Personas) -> None:
    world = make_pack_world(people)
    request = ready_request(people, world.client)

    b.sign_in(page, base_url, people.council_dpo.user.email, PASSWORD)
    b.visit(page, f"{base_url}/dpo/rights/{request.pk}/")
    b.follow(page, _main(page).get_by_role("link", name="Make a copy"))
    b.submit(page, _main(page).get_by_role("button", name="Gather the client\u2019s information"))
    expect(_main(page)).to_contain_text("Items that may reveal another person")
    pack = AccessPack.objects.get(request=request)
    assert pack.status == PackStatus.READY_FOR_REVIEW

    b.submit(page, _main(page).get_by_role("button", name="Release the copy"))
    expect(page.get_by_role("alert")).to_contain_text("Decide every flag before release")

    # Every flag but the contact note released by the service; the note redacted on the page.
    # The flagged text is encrypted: found by reading, not by a query.
    note = next(flag for flag in pack.flags.all() if flag.text == CONTACT_NOTE)
    for flag in pack.flags.exclude(pk=note.pk):
        pack_services.flag_decide(actor=people.council_dpo, flag=flag, decision="release", reason="Checked.")
    b.visit(page, f"{base_url}/dpo/rights/{request.pk}/pack/")
    section = page.locator(f"#flag-{note.pk}")
    _tick(section.get_by_role("radio", name="Redact"))
    section.get_by_label("Reason").fill("Names her neighbour.")
    b.submit(page, section.get_by_role("button", name="Save the decision"))
    expect(page.get_by_role("status")).to_contain_text("Decision recorded")
    _tick(page.get_by_role("checkbox", name="Complete the request too"))
    b.submit(page, _main(page).get_by_role("button", name="Release the copy"))
    expect(_main(page)).to_contain_text("Released on")
    pack.refresh_from_db()
    assert pack.status == PackStatus.RELEASED

    page.context.clear_cookies()
    code = printed_code_issue(actor=people.council_worker, client_id=world.client.pk).code
    b.visit(page, f"{base_url}/my/sign-in/printed/")
    b.field_by_label(page, "Code from your key worker").fill(code)
    b.submit(page, _main(page).get_by_role("button", name="Sign in"))
    b.visit(page, f"{base_url}/my/copies/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your copies")
    link = _main(page).get_by_role("link", name="Download as Web page (HTML)")
    href = link.get_attribute("href")
    assert href
    downloaded = page.request.get(f"{base_url}{href}")
    assert downloaded.status == 200
    text = downloaded.text()
    assert "[Withheld: would reveal information about another person]" in text
    assert CONTACT_NOTE not in text
