"""Every portal page, from the portal's URL configuration, for every kind of visitor.

Anonymous visitors are sent to sign in; a client sees only their own home (the client comes from
the session, never from the address); an expired or reused code gets nothing; staff get 403
(ceangal/web/tests/test_permission_matrix.py). A page added to ceangal/portal/urls.py without a
row here fails test_every_portal_page_is_in_the_matrix.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client as Browser
from django.test import TestCase
from django.urls import reverse

from ceangal.clients.services import item_add
from ceangal.consent.services import consent_withdraw
from ceangal.directory.tests.factories import make_service
from ceangal.policy.selectors import client_record
from ceangal.portal import services
from ceangal.portal.access import SESSION_CLIENT
from ceangal.portal.services import access_set_up, printed_code_issue
from ceangal.portal.tests.conftest import EMAIL, PURPOSE, Signer, last_emailed_code, printed_sign_in, shared_world
from ceangal.portal.tests.pages import PAGES, portal_url
from ceangal.referrals.services import referral_draft, referral_send
from ceangal.rights.subject import request_from_client
from ceangal.testing.factories import Personas, make_client

pytestmark = pytest.mark.django_db

# What an anonymous visitor gets from a GET: the sign-in pages are open, the code page needs an
# identifier first, the client's pages send them to sign in, signing out is POST only.
CLIENT_PAGES = {
    "home",
    "information",
    "who_has_seen",
    "consents",
    "consent_withdraw",
    "consent_receipt",
    "requests",
    "request_new",
    "request_detail",
    "request_sent",
    "request_withdraw",
    "referrals",
    "copies",
    "copy_download",
    "copy_document",
}
ANONYMOUS = {"sign_in": 200, "sign_in_printed": 200, "sign_in_code": 302, "sign_out": 405} | {
    name: 302 for name in CLIENT_PAGES
}
# Pages that show the signed-in client's own data, found from the session alone.
CLIENT_ONLY = {"home", "information", "who_has_seen", "consents", "requests", "referrals", "copies"}
# Pages about one of the client's own things, named in the address: another client's is not found.
OWN_THINGS = {"consent_withdraw", "consent_receipt", "request_detail", "request_sent", "request_withdraw"}


def test_every_portal_page_is_in_the_matrix():
    assert set(PAGES) == set(ANONYMOUS), "Say what an anonymous visitor gets from the new page"


@pytest.mark.parametrize("name", PAGES)
def test_anonymous(db, name):
    response = Browser().get(portal_url(name))
    assert response.status_code == ANONYMOUS[name]
    if response.status_code == 302:
        assert response["Location"] == reverse("portal:sign_in")


def _printed_sign_in(browser: Browser, code: str) -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return browser.post(reverse("portal:sign_in_printed"), {"code": code}).status_code


@dataclass
class Lived:
    """A client with something on every page: a consent and its withdrawal receipt, a partner's
    read in the ledger, a request, a referral."""

    client: Any
    browser: Browser
    ids: dict[str, dict[str, object]]
    markers: dict[str, str]


def _lived(personas: Personas, given: str, qualification: str, service_name: str) -> Lived:
    world = shared_world(personas, given_name=given, family_name=f"{given}son")
    item_add(
        actor=personas.council_worker,
        client=world.client,
        section_key="qualifications",
        data={"title": qualification, "scqf_level": "SCQF06"},
    )
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose=PURPOSE)
    row = world.consent.scopes.get(category="qualifications")
    event = consent_withdraw(record=world.consent, scopes=[row], by_client=True)
    made = request_from_client(client_id=world.client.pk, kind="access", details=f"{given} asks for a copy")
    referral = referral_draft(
        actor=personas.council_worker,
        client_id=world.client.pk,
        service_id=make_service(personas.college_leader, name=service_name).pk,
        reason="A synthetic referral.",
    )
    referral_send(actor=personas.council_worker, referral=referral, override_note="Sent anyway for the test.")
    consent: dict[str, object] = {"record_id": world.consent.pk}
    return Lived(
        client=world.client,
        browser=printed_sign_in(world.code),
        ids={
            "consent_withdraw": consent,
            "consent_receipt": consent | {"event_id": event.pk},
            "request_detail": {"request_id": made.pk},
            "request_sent": {"request_id": made.pk},
            "request_withdraw": {"request_id": made.pk},
        },
        markers={
            "home": world.client.reference,
            "information": qualification,
            "who_has_seen": "",  # the same partner reads both: told apart by the ledger test
            "consents": world.consent.pk.hex[:8],
            "requests": str(made.pk),
            "referrals": service_name,
            "copies": "",  # no copy released: ceangal/web/tests/test_rights_packs_portal.py shows only their own
        },
    )


def test_each_client_sees_only_their_own_data(personas: Personas):
    a = _lived(personas, "Aileen", "Alpha Certificate", "Alpha Service")
    b = _lived(personas, "Bruce", "Beta Diploma", "Beta Service")
    for name in sorted(CLIENT_ONLY):
        page_a = a.browser.get(reverse(f"portal:{name}")).content.decode().replace("-", "")
        page_b = b.browser.get(reverse(f"portal:{name}")).content.decode().replace("-", "")
        for lived, mine, theirs in ((a, page_a, page_b), (b, page_b, page_a)):
            marker = lived.markers[name].replace("-", "")
            if marker:
                assert marker in mine, name
                assert marker not in theirs, name
            assert lived.client.reference.replace("-", "") not in theirs, name
    # Only the client's own page shows their own name: there is no page naming anyone else.
    assert "Aileen" in a.browser.get(reverse("portal:information")).content.decode()
    assert "Aileen" not in b.browser.get(reverse("portal:information")).content.decode()


@pytest.mark.parametrize("name", sorted(OWN_THINGS))
def test_another_clients_things_are_not_found(personas: Personas, name):
    a = _lived(personas, "Aileen", "Alpha Certificate", "Alpha Service")
    b = _lived(personas, "Bruce", "Beta Diploma", "Beta Service")
    assert a.browser.get(reverse(f"portal:{name}", kwargs=a.ids[name])).status_code == 200
    assert a.browser.get(reverse(f"portal:{name}", kwargs=b.ids[name])).status_code == 404
    assert b.browser.get(reverse(f"portal:{name}", kwargs=a.ids[name])).status_code == 404
    assert a.browser.get(portal_url(name)).status_code == 404  # made-up ids


def test_a_made_up_copy_is_not_found(personas: Personas):
    a = _lived(personas, "Aileen", "Alpha Certificate", "Alpha Service")
    assert a.browser.get(portal_url("copy_download")).status_code == 404


def test_a_client_id_in_the_session_of_another_browser_is_not_shared(personas: Personas):
    a = make_client(personas.council_worker, given_name="Aileen")
    browser = Browser()
    _printed_sign_in(browser, printed_code_issue(actor=personas.council_worker, client_id=a.pk).code)
    assert Browser().get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")


@pytest.mark.parametrize("how", ["reused", "expired"])
@pytest.mark.parametrize("name", sorted(CLIENT_PAGES))
def test_an_expired_or_reused_printed_code_gets_nothing(personas: Personas, monkeypatch, how, name):
    client = make_client(personas.council_worker)
    code = printed_code_issue(actor=personas.council_worker, client_id=client.pk).code
    if how == "reused":
        assert _printed_sign_in(Browser(), code) == 302
    else:
        moved = services._now() + dt.timedelta(days=15)
        monkeypatch.setattr(services, "_now", lambda: moved)
    browser = Browser()
    assert _printed_sign_in(browser, code) == 422
    assert SESSION_CLIENT not in browser.session
    response = browser.get(portal_url(name))
    assert response.status_code == 302
    assert client.reference not in response.content.decode()


@pytest.mark.parametrize("how", ["reused", "expired"])
def test_an_expired_or_reused_emailed_code_gets_nothing(personas: Personas, monkeypatch, how):
    client = make_client(personas.council_worker)
    access_set_up(actor=personas.council_worker, client_id=client.pk, email=EMAIL)
    signer = Signer(client)
    first = Browser()
    with TestCase.captureOnCommitCallbacks(execute=True):
        first.post(reverse("portal:sign_in"), {"identifier": signer.email})
    code = last_emailed_code()
    if how == "reused":
        assert first.post(reverse("portal:sign_in_code"), {"code": code}).status_code == 302
    else:
        moved = services._now() + dt.timedelta(minutes=11)
        monkeypatch.setattr(services, "_now", lambda: moved)
    second = Browser()
    session = second.session
    session["ceangal_portal_identifier"] = signer.email
    session.save()
    assert second.post(reverse("portal:sign_in_code"), {"code": code}).status_code == 422
    assert second.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")
