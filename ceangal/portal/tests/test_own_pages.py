"""The client's own pages: what each shows, withdrawing consent (and the partner's very next read
refused), asking for something, bad input on every form (422, the field named, nothing changed),
and every read audited but never written to the access ledger."""

from __future__ import annotations

import pytest
from django.test import Client as Browser
from django.urls import reverse

from ceangal.audit.models import AuditEvent
from ceangal.consent.models import ConsentEvent
from ceangal.ledger.models import LedgerEntry
from ceangal.policy.selectors import client_record
from ceangal.portal.tests.conftest import PURPOSE, printed_sign_in, shared_world
from ceangal.rights.models import RightsRequest
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db


def _page(browser: Browser, name: str, **kwargs: object) -> str:
    response = browser.get(reverse(f"portal:{name}", kwargs=kwargs or None))
    assert response.status_code == 200, response.status_code
    assert response["Cache-Control"] == "no-store"
    return response.content.decode()


def test_home_links_every_page_with_counts(personas: Personas):
    world = shared_world(personas)
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose=PURPOSE)
    page = _page(printed_sign_in(world.code), "home")
    for name in ("information", "who_has_seen", "consents", "requests", "referrals"):
        assert reverse(f"portal:{name}") in page
    assert "1 organisation has seen your information in the last month." in page
    assert "1 consent is in force." in page


def test_what_is_held_shows_everything_with_its_supplier_and_a_correction_link(personas: Personas):
    world = shared_world(personas)
    browser = printed_sign_in(world.code)
    before = LedgerEntry.objects.count()
    page = _page(browser, "information")
    assert "N5 English" in page
    assert "Anxiety in crowds" in page  # health: special category, and the client's own
    assert "Mental health condition" in page  # the code's label
    assert f"From {personas.council.name}, last changed on" in page
    assert reverse("portal:request_new", kwargs={"kind": "rectification"}) + "?section=qualifications" in page
    assert LedgerEntry.objects.count() == before  # not a disclosure
    audit = AuditEvent.objects.filter(action="portal.page_viewed", client_id=world.client.pk).latest("at")
    assert audit.detail == {"page": "information"}
    assert audit.actor_id is None


def test_who_has_seen_in_words_with_a_filter(personas: Personas):
    world = shared_world(personas)
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose=PURPOSE)
    client_record(actor=personas.council_worker, client_id=world.client.pk, purpose=PURPOSE)
    browser = printed_sign_in(world.code)
    page = _page(browser, "who_has_seen")
    assert f"A key worker at {personas.college.name} saw your name and identity details" in page
    assert f"A key worker at {personas.council.name} saw" in page
    assert personas.college_worker.display_name not in page
    response = browser.get(reverse("portal:who_has_seen"), {"organisation": personas.college.pk})
    filtered = response.content.decode()
    assert f"A key worker at {personas.college.name} saw" in filtered
    assert f"A key worker at {personas.council.name} saw" not in filtered
    assert browser.get(reverse("portal:who_has_seen"), {"organisation": "x", "page": "99"}).status_code == 200


def test_withdrawing_a_row_stops_the_partners_very_next_read(personas: Personas):
    world = shared_world(personas)
    staff = Browser()
    staff.force_login(personas.college_worker.user)
    record_url = reverse("web:client_record", kwargs={"client_id": world.client.pk})
    assert "N5 English" in staff.get(record_url).content.decode()
    browser = printed_sign_in(world.code)
    consents = _page(browser, "consents")
    assert "In force" in consents
    assert reverse("portal:consent_withdraw", kwargs={"record_id": world.consent.pk}) in consents
    assert f"talk to your key worker at {personas.council.name}" in consents
    row = world.consent.scopes.get(category="qualifications")
    form = _page(browser, "consent_withdraw", record_id=world.consent.pk)
    assert f'value="{row.pk}"' in form
    response = browser.post(
        reverse("portal:consent_withdraw", kwargs={"record_id": world.consent.pk}), {"scopes": [str(row.pk)]}
    )
    assert response.status_code == 302
    event = ConsentEvent.objects.get(record=world.consent, kind="withdrawn")
    assert event.by_client
    assert [s.pk for s in event.scopes.all()] == [row.pk]
    assert response["Location"] == reverse(
        "portal:consent_receipt", kwargs={"record_id": world.consent.pk, "event_id": event.pk}
    )
    # The partner's very next read: the staff page and the selector both refuse it.
    assert "N5 English" not in staff.get(record_url).content.decode()
    after = client_record(actor=personas.college_worker, client_id=world.client.pk, purpose=PURPOSE)
    assert after.section("qualifications").items == []
    assert any("has withdrawn their consent to share this" in w for w in after.section("qualifications").withheld)
    assert after.display_name == "Eilidh Synthetic"  # the identity row was not withdrawn
    receipt = browser.get(response["Location"]).content.decode()
    assert "Consent withdrawn" in receipt
    assert f"W-{str(world.consent.pk)[:8].upper()}-{event.pk}" in receipt
    assert "Qualifications, with Fife College, for: Coordinating your support" in receipt
    assert "What happens now" in receipt


def test_withdrawing_everything_ends_the_whole_record(personas: Personas):
    world = shared_world(personas)
    browser = printed_sign_in(world.code)
    response = browser.post(
        reverse("portal:consent_withdraw", kwargs={"record_id": world.consent.pk}), {"everything": "true"}
    )
    assert response.status_code == 302
    event = ConsentEvent.objects.get(record=world.consent, kind="withdrawn")
    assert not event.scopes.exists()
    after = client_record(actor=personas.college_worker, client_id=world.client.pk, purpose=PURPOSE)
    assert after.display_name == world.client.reference
    page = _page(browser, "consents")
    assert "Withdrawn" in page
    assert reverse("portal:consent_withdraw", kwargs={"record_id": world.consent.pk}) not in page


@pytest.mark.parametrize("data", [{}, {"scopes": ["999999"]}, {"scopes": ["nonsense"]}])
def test_a_withdrawal_with_nothing_valid_ticked_is_named_and_changes_nothing(personas: Personas, data):
    world = shared_world(personas)
    browser = printed_sign_in(world.code)
    response = browser.post(reverse("portal:consent_withdraw", kwargs={"record_id": world.consent.pk}), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert "What to withdraw: " in page
    assert 'href="#f-scopes"' in page
    assert not ConsentEvent.objects.filter(record=world.consent, kind="withdrawn").exists()


def test_asking_for_a_correction_from_the_section_then_seeing_it(personas: Personas):
    world = shared_world(personas)
    browser = printed_sign_in(world.code)
    url = reverse("portal:request_new", kwargs={"kind": "rectification"})
    form = browser.get(url, {"section": "qualifications"}).content.decode()
    assert '<option value="qualifications" selected>' in form
    response = browser.post(url, {"section": "qualifications", "details": "It is Higher English."})
    assert response.status_code == 302
    made = RightsRequest.objects.get(client_id=world.client.pk)
    assert response["Location"] == reverse("portal:request_sent", kwargs={"request_id": made.pk})
    sent = browser.get(response["Location"]).content.decode()
    assert "Request sent" in sent
    assert "What happens next" in sent
    assert "the law gives us one month" in sent
    listing = _page(browser, "requests")
    assert reverse("portal:request_detail", kwargs={"request_id": made.pk}) in listing
    assert "A correction" in listing
    detail = _page(browser, "request_detail", request_id=made.pk)
    assert "We received your request" in detail
    assert "It is Higher English." in detail
    assert "Made by the client on their own pages." not in detail
    assert reverse("portal:copies") not in detail.split('id="side-navigation-root"')[1].split("</ul>", 1)[1]
    browser.post(reverse("portal:request_new", kwargs={"kind": "access"}), {"details": ""})
    access = RightsRequest.objects.get(client_id=world.client.pk, kind="access")
    copy_page = _page(browser, "request_detail", request_id=access.pk)
    assert "Your copies to download" in copy_page


@pytest.mark.parametrize(
    ("kind", "data", "field", "label"),
    [
        ("rectification", {"section": "", "details": "Wrong"}, "section", "Which part of your information is wrong?"),
        ("rectification", {"section": "qualifications", "details": ""}, "details", "What is wrong, and what should"),
        ("objection", {"details": "I object"}, "purpose", "Which use of your information do you object to?"),
        ("objection", {"purpose": "evaluation", "details": ""}, "details", "Why do you object?"),
        ("complaint", {"details": " "}, "details", "What is your complaint about?"),
        ("access", {"details": "x" * 4001}, "details", "Anything you want to tell us (optional)"),
    ],
)
def test_bad_input_on_a_request_form_is_named_and_creates_nothing(personas: Personas, kind, data, field, label):
    world = shared_world(personas)
    browser = printed_sign_in(world.code)
    response = browser.post(reverse("portal:request_new", kwargs={"kind": kind}), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'href="#f-{field}"' in page
    assert label in page
    assert not RightsRequest.objects.exists()


@pytest.mark.parametrize("kind", ["access", "erasure", "restriction", "portability"])
def test_the_short_requests_need_nothing_but_the_button(personas: Personas, kind):
    world = shared_world(personas)
    browser = printed_sign_in(world.code)
    response = browser.post(reverse("portal:request_new", kwargs={"kind": kind}), {"details": ""})
    assert response.status_code == 302
    assert RightsRequest.objects.get(client_id=world.client.pk).kind == kind


def test_an_unknown_kind_of_request_is_not_found(personas: Personas):
    world = shared_world(personas)
    browser = printed_sign_in(world.code)
    assert browser.get(reverse("portal:request_new", kwargs={"kind": "nonsense"})).status_code == 404
    assert browser.post(reverse("portal:request_new", kwargs={"kind": "nonsense"}), {}).status_code == 404


def test_the_client_withdraws_an_open_request_and_cannot_withdraw_it_twice(personas: Personas):
    world = shared_world(personas)
    browser = printed_sign_in(world.code)
    browser.post(reverse("portal:request_new", kwargs={"kind": "access"}), {"details": ""})
    made = RightsRequest.objects.get(client_id=world.client.pk)
    detail = _page(browser, "request_detail", request_id=made.pk)
    url = reverse("portal:request_withdraw", kwargs={"request_id": made.pk})
    assert url in detail
    assert "we will stop working on it" in browser.get(url).content.decode()

    response = browser.post(url)
    assert response.status_code == 302
    made.refresh_from_db()
    assert (made.status, made.completed_on is not None) == ("withdrawn", True)
    event = made.events.get(kind="withdrawn")
    assert event.by is None
    audit = AuditEvent.objects.get(action="rights_request.withdrawn", object_id=str(made.pk))
    assert audit.actor_id is None
    assert audit.detail["by_client"] is True
    after = browser.get(response["Location"]).content.decode()
    assert "You withdrew your request" in after
    assert url not in after

    again = browser.post(url)
    assert again.status_code == 422
    assert "already closed" in again.content.decode()
    assert made.events.filter(kind="withdrawn").count() == 1


def test_referrals_page_without_referrals(personas: Personas):
    world = shared_world(personas)
    assert "You have not been referred to another service." in _page(printed_sign_in(world.code), "referrals")
