"""Acting on rights requests in a real browser, every page scanned with axe-core: the DPO restricts
processing (after a missing reason), looks at an erasure plan held up by a legal hold, and the
partner that received the client's data reads the notice and marks it read."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Locator, Page, expect

from ceangal.clients import models as cm
from ceangal.clients.holds import hold_place
from ceangal.policy.selectors import client_record
from ceangal.rights.tests.test_actions import make_world, request_of
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def test_restrict_plan_an_erasure_and_read_the_notice(page: Page, base_url: str, people: Personas) -> None:
    world = make_world(people)
    client_record(actor=people.college_worker, client_id=world.client.pk, purpose="support_coordination")
    restriction = request_of(world, "restriction")
    erasure = request_of(world, "erasure")
    hold_place(actor=people.council_dpo, client=world.client, reason="Tribunal", reference="ET/4100123/2026")

    b.sign_in(page, base_url, people.council_dpo.user.email, PASSWORD)
    b.visit(page, base_url + reverse("web:rights_request_detail", kwargs={"request_id": restriction.pk}))
    expect(_main(page)).to_contain_text("Processing is not restricted.")
    b.follow(page, _main(page).get_by_role("link", name="Restrict processing or record an objection"))
    b.submit(page, _main(page).get_by_role("button", name="Restrict processing"))
    expect(page.get_by_role("alert")).to_contain_text("Say why processing is restricted")
    assert not cm.ProcessingRestriction.objects.exists()
    page.get_by_label("Why is processing restricted?").fill("The client contests their qualifications.")
    b.submit(page, _main(page).get_by_role("button", name="Restrict processing"))
    expect(page.get_by_role("status")).to_contain_text("Recorded")
    expect(_main(page)).to_contain_text("Processing has been restricted since")
    expect(_main(page)).to_contain_text("Fife College")

    b.visit(page, base_url + reverse("web:rights_erasure", kwargs={"request_id": erasure.pk}))
    expect(_main(page)).to_contain_text("ET/4100123/2026")
    expect(_main(page).get_by_role("button", name="Erase the information")).to_have_count(0)
    b.visit(page, base_url + reverse("web:legal_holds"))
    expect(_main(page)).to_contain_text(world.client.reference)

    page.context.clear_cookies()
    b.sign_in(page, base_url, people.college_leader.user.email, PASSWORD)
    b.visit(page, base_url + reverse("web:recipient_notices"))
    expect(_main(page).get_by_role("table")).to_contain_text(world.client.reference)
    expect(_main(page)).not_to_contain_text("Zebedee")
    b.submit(page, _main(page).get_by_role("button", name="Mark as read"))
    expect(page.get_by_role("status")).to_contain_text("Marked as read")
    assert cm.RecipientNotice.objects.get().read_by_id == people.college_leader.pk
