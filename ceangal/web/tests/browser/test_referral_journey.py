"""A referral across two organisations in a real browser, every page scanned with axe-core.

The council's key worker registers a client, records their consent for the college (for a
referral and for coordinating their support), finds the college's service from the client's
services page, previews the packet as the college will see it and sends it. The college's key
worker sees it waiting, reads the packet, accepts it, finds the shared sections already in the
client's record, records a stage and the start date. The council's key worker then sees the loop
closed: accepted and started.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from ceangal.agreements.services import PurposeTerms
from ceangal.clients.models import Client
from ceangal.clients.services import engagement_open, item_add
from ceangal.directory.tests.factories import make_service
from ceangal.referrals.models import Referral, ReferralStatus
from ceangal.referrals.services import message_send, referral_draft, referral_send
from ceangal.referrals.tests.world import make_world
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas, make_agreement, make_notice

pytestmark = pytest.mark.browser

CATEGORIES = ["identity", "contact", "qualifications", "health", "journey"]


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _tick(control: Locator) -> None:
    # The design system draws its own box over the real input; the label takes the click.
    control.check(force=True)
    expect(control).to_be_checked()


def _sign_out(page: Page) -> None:
    b.submit(page, page.get_by_role("button", name=re.compile(r"sign out", re.I)))


def _record_consent(page: Page, purpose: str, categories: list[str]) -> None:
    b.follow(page, _main(page).get_by_role("link", name="Record consent"))
    _tick(page.get_by_label("The client agreed"))
    b.choose(page, "Why the information is shared", purpose)
    college = page.get_by_role("group", name="Share with Fife College")
    for category in categories:
        _tick(college.get_by_label(category, exact=True))
    _tick(page.get_by_label("Verbal, with a witness"))
    b.field_by_label(page, "Witness name").fill("Tam Witness")
    b.submit(page, _main(page).get_by_role("button", name=re.compile(r"^Record consent")))
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Consent receipt"))


def test_a_referral_from_the_council_to_the_college_and_back(page: Page, base_url: str, people: Personas) -> None:
    make_agreement(
        [people.council_dpo, people.college_dpo],
        purposes=[
            PurposeTerms(purpose, "consent", CATEGORIES, article9_condition="A9-2-a")
            for purpose in ("referral", "support_coordination")
        ],
    )
    make_notice(people.council_dpo)
    service = make_service(
        people.college_leader,
        name="Access to Care",
        categories_needed=["identity", "contact", "health"],
        min_age=None,
        max_age=None,
        local_authorities=[],
        postcode_areas=[],
    )

    # The council's key worker registers the client.
    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.visit(page, f"{base_url}/clients/new/")
    b.field_by_label(page, "Given name").fill("Morag")
    b.field_by_label(page, "Family name").fill("Referwell")
    b.fill_date(page, "Date of birth", "2004-05-17")
    b.field_by_label(page, "Postcode").fill("KY1 1XX")
    b.choose(page, "Local authority", "Fife")
    b.submit(page, page.get_by_role("button", name=re.compile(r"register", re.I)))
    expect(page).to_have_url(re.compile(r"/clients/[0-9a-f-]{36}/$"))
    record_url = page.url
    # What the client told the council about their health (the service asks for it; the client
    # does not agree to share it).
    client = Client.objects.get(pk=record_url.rstrip("/").rsplit("/", 1)[-1])
    item_add(
        actor=people.council_worker,
        client=client,
        section_key="health",
        data={"condition_type": "MENTAL", "limitation": "LITTLE"},
    )

    # Consent for the college: identity and contact, for a referral and for coordinating support
    # (not health: the service asks for it, so the preview says it will not go).
    _record_consent(page, "Referral to another service", ["Identity", "Contact details"])
    b.visit(page, record_url)
    _record_consent(page, "Coordinating the client's support", ["Identity", "Contact details"])
    b.visit(page, record_url)

    # The college's service, from the client's services page.
    b.follow(page, _main(page).get_by_role("link", name="Services this client may be eligible for"))
    b.follow(page, _main(page).get_by_role("link", name=f"Refer to {service.name}"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Refer to {service.name}")
    page.get_by_label("Why are you referring the client?").fill("Morag wants to train as a care worker.")
    b.submit(page, _main(page).get_by_role("button", name="Save draft and preview"))

    # The preview: what the college will see, and what it will not.
    expect(page.get_by_role("heading", name="What Fife College will see")).to_be_visible()
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Referwell")
    expect(preview).to_contain_text("Will not be shared:")
    expect(preview.get_by_role("link", name=re.compile(r"record their consent to share health"))).to_be_visible()
    b.submit(page, _main(page).get_by_role("button", name="Send referral"))
    expect(page.locator(".ds_notification")).to_contain_text("The referral is sent to Fife College")
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.SENT
    assert sorted(referral.categories) == ["contact", "identity"]
    referral_url = page.url
    _sign_out(page)

    # The college's key worker sees it waiting, reads the packet and accepts.
    b.sign_in(page, base_url, people.college_worker.user.email, PASSWORD)
    waiting = page.get_by_role("link", name=re.compile(r"^Referrals \(1 waiting\)"))
    b.follow(page, waiting)
    row = _main(page).get_by_role("row", name=re.compile(referral.client.reference))
    expect(row).to_contain_text(service.name)
    expect(row).to_contain_text("Fife Council Employability")
    b.follow(page, row.get_by_role("link"))
    packet = page.locator("#packet")
    expect(packet).to_contain_text("Referwell")
    expect(packet).to_contain_text("Contact details")
    expect(packet).not_to_contain_text("Health")
    expect(_main(page)).to_contain_text("Morag wants to train as a care worker.")
    b.choose(page, "Key worker", people.college_worker.display_name)
    b.submit(page, _main(page).get_by_role("button", name="Accept referral"))
    expect(page.locator(".ds_notification")).to_contain_text("The referral is accepted")
    expect(_main(page)).to_contain_text("Tell us once:")

    # The client's record at the college: the shared sections are there already.
    b.follow(page, _main(page).get_by_role("link", name=re.compile(r"^Open Morag Referwell")))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Referwell")
    expect(page.get_by_role("region", name="Identity")).to_contain_text("17 May 2004")
    b.follow(page, _main(page).get_by_role("link", name="Add to pipeline stages"))
    b.choose(page, "Stage", "Needs assessment and barrier removal")
    today = timezone.localdate()
    b.fill_date(page, "From", today.isoformat())
    b.submit(page, _main(page).get_by_role("button", name=re.compile(r"^(Add|Save)")))
    expect(page.get_by_role("region", name="Pipeline stages")).to_contain_text("Needs assessment")

    # The start date, on the referral.
    b.visit(page, referral_url)
    b.fill_date(page, "Date the client started", today.isoformat())
    b.submit(page, _main(page).get_by_role("button", name="Record start date"))
    expect(_main(page)).to_contain_text(f"The client started on {today.day} {today:%B %Y}")
    _sign_out(page)

    # The council's key worker sees the loop closed.
    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.follow(page, page.get_by_role("link", name=re.compile(r"^Referrals")).first)
    b.follow(page, _main(page).get_by_role("link", name="Sent"))
    b.follow(page, _main(page).get_by_role("row", name=re.compile(referral.client.reference)).get_by_role("link"))
    outcome = page.locator("#outcome")
    expect(outcome).to_contain_text("Accepted")
    expect(outcome).to_contain_text("answered after")
    expect(outcome).to_contain_text("Started")
    expect(outcome).to_contain_text("Stage with Fife College")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.started_on == today
    assert referral.started_on - timezone.localtime(referral.sent_at).date() == dt.timedelta(0)


def test_the_other_referral_pages_and_their_errors_pass_the_scan(page: Page, base_url: str, people: Personas) -> None:
    """The pages and error states the journey above does not pass through."""
    world = make_world(people)
    draft = referral_draft(
        actor=people.council_worker, client_id=world.client.pk, service_id=world.service.pk, reason="Care course."
    )
    sent = referral_send(
        actor=people.council_worker,
        referral=referral_draft(
            actor=people.council_worker, client_id=world.client.pk, service_id=world.service.pk, reason="Again."
        ),
    )
    engagement_open(actor=people.outsider, client=world.client)
    message_send(
        actor=people.council_worker, body="She prefers mornings.", to_organisation_id=people.college.pk, referral=sent
    )

    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    refer = f"{base_url}/clients/{world.client.pk}/refer/"
    b.visit(page, refer)
    response = b.submit(page, _main(page).get_by_role("button", name="Continue"))
    expect(page.locator(".ds_error-summary")).to_have_count(0)  # nothing chosen: the list again
    assert response.status == 200
    b.visit(page, f"{refer}?service={world.service.pk}")
    response = b.submit(page, _main(page).get_by_role("button", name="Save draft and preview"))
    assert response.status == 422
    expect(page.locator(".ds_error-summary")).to_contain_text("Why are you referring the client?")
    b.visit(page, f"{base_url}/referrals/{draft.pk}/")
    response = b.submit(page, _main(page).get_by_role("button", name="Withdraw draft"))
    assert response.status == 422
    expect(page.locator(".ds_error-summary")).to_contain_text("Why are you withdrawing it?")
    b.visit(page, f"{base_url}/referrals/?direction=sent")
    b.visit(page, f"{base_url}/clients/{world.client.pk}/messages/")
    response = b.submit(page, _main(page).get_by_role("button", name="Send message"))
    assert response.status == 422
    _tick(page.get_by_label("Elsewhere Trust"))
    page.get_by_label("Your message").fill("Can we meet on Tuesday?")
    b.submit(page, _main(page).get_by_role("button", name="Send message"))
    expect(page.locator("#thread")).to_contain_text("Can we meet on Tuesday?")
    b.visit(page, f"{base_url}/referrals/gaps/new/?need=B_CONF")
    response = b.submit(page, _main(page).get_by_role("button", name="Record the gap"))
    assert response.status == 422
    page.get_by_label("What did the client need that no service offered?").fill("Evening confidence course")
    b.submit(page, _main(page).get_by_role("button", name="Record the gap"))
    expect(_main(page)).to_contain_text("Evening confidence course")
    _sign_out(page)

    b.sign_in(page, base_url, people.college_worker.user.email, PASSWORD)
    b.follow(page, page.get_by_role("link", name=re.compile(r"^Messages \(1 unread\)")))
    b.visit(page, f"{base_url}/referrals/{sent.pk}/")
    response = b.submit(page, _main(page).get_by_role("button", name="Decline referral"))
    assert response.status == 422
    expect(page.locator(".ds_error-summary")).to_contain_text("Why are you declining?")
    page.get_by_label("Your question for the referrer").fill("Full time or part time?")
    b.submit(page, _main(page).get_by_role("button", name="Ask the referrer"))
    expect(_main(page)).to_contain_text("You asked:")


def test_referring_and_answering_work_without_javascript(
    page_without_js: Page, base_url: str, people: Personas
) -> None:
    page = page_without_js
    # axe needs JavaScript: these pages are scanned with it on in the tests above.
    world = make_world(people)
    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD, scan=False)
    b.visit(page, f"{base_url}/clients/{world.client.pk}/refer/", scan=False)
    _tick(page.get_by_label(re.compile(rf"^{world.service.name}")))
    b.submit(page, _main(page).get_by_role("button", name="Continue"), scan=False)
    page.get_by_label("Why are you referring the client?").fill("A care course.")
    qualifications = page.get_by_label("Qualifications", exact=True)
    expect(qualifications).to_be_checked()  # what the service needs is offered ticked
    qualifications.uncheck(force=True)
    b.submit(page, _main(page).get_by_role("button", name="Save draft and preview"), scan=False)
    b.submit(page, _main(page).get_by_role("button", name="Send referral"), scan=False)
    referral = Referral.objects.get()
    assert referral.status == ReferralStatus.SENT
    assert "qualifications" not in referral.categories
    _sign_out_without_scan(page)

    b.sign_in(page, base_url, people.college_worker.user.email, PASSWORD, scan=False)
    b.visit(page, f"{base_url}/referrals/{referral.pk}/", scan=False)
    _tick(page.get_by_label("No places available"))
    b.submit(page, _main(page).get_by_role("button", name="Decline referral"), scan=False)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECLINED
    assert referral.decline_reason == "no_capacity"


def _sign_out_without_scan(page: Page) -> None:
    b.submit(page, page.get_by_role("button", name=re.compile(r"sign out", re.I)), scan=False)
