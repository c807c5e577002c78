"""The signed paper form attached after the consent, and the DPO's review of consent records, in a
real browser. Every page is scanned with axe (ceangal.testing.browser)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from ceangal.clients.services import engagement_open
from ceangal.consent.models import ConsentRecord
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas, make_agreement, make_client, make_notice

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _sign_out(page: Page) -> None:
    b.submit(page, page.get_by_role("button", name="Sign out"))


def test_the_signed_form_is_attached_and_the_dpo_reviews_the_record(
    page: Page, base_url: str, people: Personas, tmp_path: Path
) -> None:
    client = make_client(people.council_worker, given_name="Ishbel", family_name="Paperform")
    notice = make_notice(people.council_dpo)
    make_agreement([people.council_dpo, people.college_dpo])
    engagement_open(actor=people.college_worker, client=client)
    record = consent_give(
        actor=people.council_worker,
        client=client,
        notice=notice,
        scopes=[ScopeChoice("support_coordination", "qualifications", people.college)],
        method="paper_form",
        valid_until=timezone.localdate() + dt.timedelta(days=20),
    )
    scan = tmp_path / "signed-form.pdf"
    scan.write_bytes(b"%PDF-1.4\nsigned\n%%EOF\n")

    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.visit(page, f"{base_url}/clients/{client.pk}/consent/{record.pk}/")
    expect(_main(page)).to_contain_text("does not count for any sharing")
    b.field_by_label(page, "Scan or photograph of the signed form").set_input_files(str(scan))
    b.submit(page, _main(page).get_by_role("button", name="Attach the signed form"))
    expect(_main(page).get_by_role("link", name="Download the signed form")).to_be_visible()
    assert ConsentRecord.objects.get(pk=record.pk).evidence_sha256
    _sign_out(page)

    b.sign_in(page, base_url, people.college_dpo.user.email, PASSWORD)
    b.visit(page, f"{base_url}/dpo/")
    b.follow(page, _main(page).get_by_role("link", name="ending within 30 days"))
    b.follow(page, _main(page).get_by_role("link", name=client.reference))
    expect(_main(page)).to_contain_text("Ishbel Paperform")
    expect(_main(page).get_by_role("link", name="Download the signed form")).to_be_visible()
