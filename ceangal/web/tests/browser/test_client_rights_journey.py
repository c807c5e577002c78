"""The client's rights from end to end, in a real browser, every page scanned with axe-core (WCAG
2.2 AA): a client signs in on a phone with a code sent to their email, sees that a partner has read
their record, withdraws consent for that partner (and the partner's very next read is refused),
asks for a copy of everything; the DPO verifies their identity, gathers the copy, decides each
flag and releases it; the client downloads it in each format."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.core import mail
from playwright.sync_api import Browser, Locator, Page, expect

from ceangal.portal.services import access_set_up
from ceangal.portal.tests.conftest import shared_world
from ceangal.rights.models import AccessPack, PackStatus, RightsRequest
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas

pytestmark = pytest.mark.browser

EMAIL = "eilidh.client@example.org"
HIDDEN_REASON = re.compile(r"has not agreed to share|has withdrawn their consent to share|Hidden\.")


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _tick(control: Locator) -> None:
    # The design system draws its own control over the real input: click its label, as a person does.
    control.evaluate("input => input.labels[0].click()")


@contextmanager
def _phone(browser: Browser) -> Iterator[Page]:
    """The client's own phone: a separate browser, so no staff session is shared with it."""
    context = browser.new_context(locale="en-GB", viewport={"width": 375, "height": 812})
    context.set_default_timeout(10_000)
    page = context.new_page()
    log = b.track_scans(page)
    try:
        yield page
    finally:
        b.forget_scans(page)
        context.close()
    assert not log.unscanned, f"pages visited without an accessibility scan: {log.unscanned}"


def _nav(page: Page, name: str) -> Locator:
    """A link of the portal's menu, which a phone shows once its toggle is pressed."""
    menu = page.get_by_role("navigation", name="Your pages")
    link = menu.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        menu.get_by_role("button", name="Menu: your pages").click()
    return link


def _fits(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), page.url


def test_a_client_sees_who_read_withdraws_asks_for_a_copy_and_downloads_it(
    page: Page, chromium: Browser, base_url: str, people: Personas
) -> None:
    world = shared_world(people)
    client = world.client
    access_set_up(actor=people.council_worker, client_id=client.pk, email=EMAIL)
    record_url = f"{base_url}/clients/{client.pk}/"

    # The college's key worker reads the record the client agreed the college may see.
    b.sign_in(page, base_url, people.college_worker.user.email, PASSWORD)
    b.visit(page, record_url)
    expect(page.get_by_role("region", name="Qualifications")).to_contain_text("N5 English")

    with _phone(chromium) as phone:
        # The client signs in with a code sent to their email.
        b.visit(phone, f"{base_url}/my/sign-in/")
        b.field_by_label(phone, "Email address or mobile number").fill(EMAIL)
        b.submit(phone, _main(phone).get_by_role("button", name="Send me a code"))
        emailed = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body))
        assert emailed, mail.outbox[-1].body
        b.field_by_label(phone, "Sign-in code").fill(emailed.group(1))
        b.submit(phone, _main(phone).get_by_role("button", name="Sign in"))
        expect(phone.get_by_role("heading", level=1)).to_have_text("Your information")
        _fits(phone)

        # Who has seen it: the college's read, in words.
        b.follow(phone, _nav(phone, "Who has seen your information"))
        expect(_main(phone)).to_contain_text(f"A key worker at {people.college.name} saw")
        expect(_main(phone)).to_contain_text("qualifications")
        _fits(phone)

        # Withdraw the consent for the college: one form, one button.
        b.follow(phone, _nav(phone, "Your consents"))
        b.follow(phone, _main(phone).get_by_role("link", name="Withdraw all or part of this consent"))
        _tick(_main(phone).get_by_label("All of this consent"))
        b.submit(phone, _main(phone).get_by_role("button", name="Withdraw consent"))
        expect(phone.get_by_role("heading", level=1)).to_have_text("Consent withdrawn")
        _fits(phone)

        # The college's very next read is refused.
        b.visit(page, record_url)
        qualifications = page.get_by_role("region", name="Qualifications")
        expect(qualifications).not_to_contain_text("N5 English")
        expect(qualifications).to_contain_text(HIDDEN_REASON)

        # The client asks for a copy of everything.
        b.follow(phone, _nav(phone, "Ask for something"))
        b.follow(phone, _main(phone).get_by_role("link", name="A copy of your information"))
        b.submit(phone, _main(phone).get_by_role("button", name="Send your request"))
        expect(phone.get_by_role("heading", level=1)).to_have_text("Request sent")
        request = RightsRequest.objects.get(client_id=client.pk)
        assert (request.kind, request.channel, request.status) == ("access", "portal", "received")

        # The DPO finds it in the queue, verifies identity, gathers the copy, decides and releases.
        page.context.clear_cookies()
        b.sign_in(page, base_url, people.council_dpo.user.email, PASSWORD)
        b.visit(page, f"{base_url}/dpo/rights/")
        b.follow(page, _main(page).get_by_role("link", name=re.compile(client.reference)))
        expect(page.get_by_role("heading", level=1)).to_have_text("Access (a copy of their information)")
        expect(_main(page)).to_contain_text(client.reference)
        step = page.locator("#step-verify_identity").locator("xpath=..")
        _tick(step.get_by_role("radio", name="Signed in to their own pages"))
        b.submit(page, step.get_by_role("button", name="Identity verified"))
        expect(page.get_by_role("status")).to_contain_text("Recorded: Identity verified")
        step = page.locator("#step-resume").locator("xpath=..")
        b.submit(page, step.get_by_role("button", name="Start or resume work"))
        b.follow(page, _main(page).get_by_role("link", name="Make a copy"))
        b.submit(page, _main(page).get_by_role("button", name="Gather the client\u2019s information"))
        expect(_main(page)).to_contain_text("Items that may reveal another person")
        pack = AccessPack.objects.get(request=request)
        assert pack.status == PackStatus.READY_FOR_REVIEW
        for flag in pack.flags.order_by("pk"):
            section = page.locator(f"#flag-{flag.pk}")
            _tick(section.get_by_role("radio", name="Release as it is"))
            section.get_by_label("Reason").fill("Only about the client.")
            b.submit(page, section.get_by_role("button", name="Save the decision"))
            expect(page.get_by_role("status")).to_contain_text("Decision recorded")
        _tick(page.get_by_role("checkbox", name="Complete the request too"))
        b.submit(page, _main(page).get_by_role("button", name="Release the copy"))
        expect(_main(page)).to_contain_text("Released on")
        request.refresh_from_db()
        assert request.status == "completed"

        # The client sees the request done and downloads the copy in each format.
        b.follow(phone, _nav(phone, "Your copies"))
        expect(phone.get_by_role("heading", level=1)).to_have_text("Your copies")
        _fits(phone)
        downloads = {}
        for name in ("Web page (HTML)", "PDF document", "Machine-readable (JSON)"):
            link = _main(phone).get_by_role("link", name=re.compile(rf"Download as {re.escape(name)}"))
            href = link.first.get_attribute("href")
            assert href, name
            response = phone.request.get(f"{base_url}{href}")
            assert response.status == 200, name
            downloads[name] = response.body()
        assert downloads["PDF document"].startswith(b"%PDF")
        assert "N5 English" in downloads["Web page (HTML)"].decode()
        pack_json = json.loads(downloads["Machine-readable (JSON)"])
        assert client.reference in json.dumps(pack_json)

        # And their request shows as done.
        b.follow(phone, _nav(phone, "Ask for something"))
        expect(_main(phone)).to_contain_text("Done")
        _fits(phone)
