"""Every portal page, from the portal's URL configuration, for every kind of visitor.

Anonymous visitors are sent to sign in; a client sees only their own home (the client comes from
the session, never from the address); an expired or reused code gets nothing; staff get 403
(ceangal/web/tests/test_permission_matrix.py). A page added to ceangal/portal/urls.py without a
row here fails test_every_portal_page_is_in_the_matrix.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client as Browser
from django.test import TestCase
from django.urls import URLPattern, reverse

from ceangal.portal import services
from ceangal.portal import urls as portal_urls
from ceangal.portal.access import SESSION_CLIENT
from ceangal.portal.services import access_set_up, printed_code_issue
from ceangal.portal.tests.conftest import EMAIL, Signer, last_emailed_code
from ceangal.testing.factories import Personas, make_client

pytestmark = pytest.mark.django_db

PAGES = [p.name for p in portal_urls.urlpatterns if isinstance(p, URLPattern) and p.name]
# What an anonymous visitor gets from a GET: the sign-in pages are open, the code page needs an
# identifier first, the client's pages send them to sign in, signing out is POST only.
ANONYMOUS = {"sign_in": 200, "sign_in_printed": 200, "sign_in_code": 302, "home": 302, "sign_out": 405}
# Pages that show the signed-in client's own data.
CLIENT_ONLY = {"home"}


def test_every_portal_page_is_in_the_matrix():
    assert set(PAGES) == set(ANONYMOUS), "Say what an anonymous visitor gets from the new page"


@pytest.mark.parametrize("name", PAGES)
def test_anonymous(db, name):
    response = Browser().get(reverse(f"portal:{name}"))
    assert response.status_code == ANONYMOUS[name]
    if response.status_code == 302:
        assert response["Location"] == reverse("portal:sign_in")


def _printed_sign_in(browser: Browser, code: str) -> int:
    with TestCase.captureOnCommitCallbacks(execute=True):
        return browser.post(reverse("portal:sign_in_printed"), {"code": code}).status_code


@pytest.mark.parametrize("name", sorted(CLIENT_ONLY))
def test_each_client_sees_only_their_own_data(personas: Personas, name):
    a = make_client(personas.council_worker, given_name="Aileen", family_name="Alpha")
    b = make_client(personas.college_worker, given_name="Bruce", family_name="Beta")
    browsers = {}
    for client, worker in ((a, personas.council_worker), (b, personas.college_worker)):
        browser = Browser()
        assert _printed_sign_in(browser, printed_code_issue(actor=worker, client_id=client.pk).code) == 302
        browsers[client.pk] = browser
    page_a = browsers[a.pk].get(reverse(f"portal:{name}")).content.decode()
    page_b = browsers[b.pk].get(reverse(f"portal:{name}")).content.decode()
    assert a.reference in page_a
    assert b.reference not in page_a
    assert personas.council.name in page_a
    assert personas.college.name not in page_a
    assert b.reference in page_b
    assert a.reference not in page_b
    # Not even the names the key workers recorded are shown yet.
    assert "Aileen" not in page_a
    assert "Bruce" not in page_b


def test_a_client_id_in_the_session_of_another_browser_is_not_shared(personas: Personas):
    a = make_client(personas.council_worker, given_name="Aileen")
    browser = Browser()
    _printed_sign_in(browser, printed_code_issue(actor=personas.council_worker, client_id=a.pk).code)
    assert Browser().get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")


@pytest.mark.parametrize("how", ["reused", "expired"])
@pytest.mark.parametrize("name", sorted(CLIENT_ONLY))
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
    response = browser.get(reverse(f"portal:{name}"))
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
