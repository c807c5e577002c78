"""The sign-in pages, the client's home and the session: GET and POST, errors named, nothing changed."""

from __future__ import annotations

import re
import time

import pytest
from django.test import Client as Browser
from django.test import TestCase
from django.urls import reverse

from ceangal.portal.access import SESSION_CLIENT, SESSION_SEEN
from ceangal.portal.models import PortalAccess, SignInCode
from ceangal.portal.services import printed_code_issue
from ceangal.portal.tests.conftest import EMAIL, Signer, last_emailed_code
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db


def _post(browser: Browser, name: str, data: dict[str, str]):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return browser.post(reverse(f"portal:{name}"), data)


def signed_in(signer: Signer) -> Browser:
    browser = Browser()
    _post(browser, "sign_in", {"identifier": EMAIL})
    response = _post(browser, "sign_in_code", {"code": last_emailed_code()})
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    return browser


def test_the_sign_in_page_offers_a_code_or_a_printed_code(db):
    response = Browser().get(reverse("portal:sign_in"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Email address or mobile number" in page
    assert reverse("portal:sign_in_printed") in page
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("typed", "message"),
    [("", "Enter your email address or mobile number."), ("01592 123456", "Enter a UK mobile number")],
)
def test_a_bad_identifier_is_named_and_nothing_is_sent(db, typed, message, mailoutbox):
    response = _post(Browser(), "sign_in", {"identifier": typed})
    assert response.status_code == 422
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Email address or mobile number: " + message in page
    assert 'href="#f-identifier"' in page
    assert mailoutbox == []


def test_unknown_and_known_identifiers_get_the_same_page(signer: Signer):
    unknown, known = Browser(), Browser()
    a = _post(unknown, "sign_in", {"identifier": "nobody@example.org"})
    b = _post(known, "sign_in", {"identifier": EMAIL})
    assert (a.status_code, a["Location"]) == (b.status_code, b["Location"])
    assert _main(unknown.get(a["Location"])) == _main(known.get(b["Location"]))


def _main(response) -> str:
    page = response.content.decode()
    main = page[page.index("<main") : page.index("</main>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", main)


def test_signing_in_with_an_emailed_code_cycles_the_session_and_shows_home(signer: Signer, personas: Personas):
    browser = Browser()
    _post(browser, "sign_in", {"identifier": EMAIL})
    before = browser.session.session_key
    _post(browser, "sign_in_code", {"code": last_emailed_code()})
    assert browser.session.session_key != before
    assert browser.session[SESSION_CLIENT] == str(signer.client.pk)
    home = browser.get(reverse("portal:home"))
    assert home.status_code == 200
    page = home.content.decode()
    assert signer.client.reference in page
    assert personas.council.name in page
    assert personas.college.name not in page
    assert home["Cache-Control"] == "no-store"


def test_a_wrong_code_shows_the_error_and_signs_nobody_in(signer: Signer):
    browser = Browser()
    _post(browser, "sign_in", {"identifier": EMAIL})
    code = last_emailed_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    response = _post(browser, "sign_in_code", {"code": wrong})
    assert response.status_code == 422
    assert "Sign-in code: That code is not right." in response.content.decode()
    assert SESSION_CLIENT not in browser.session
    assert SignInCode.objects.get().used_at is None
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")


def test_a_code_that_is_not_six_digits_is_named(signer: Signer):
    browser = Browser()
    _post(browser, "sign_in", {"identifier": EMAIL})
    response = _post(browser, "sign_in_code", {"code": "12ab"})
    assert response.status_code == 422
    assert "Sign-in code: Enter the 6-digit code we sent you." in response.content.decode()


def test_the_code_page_needs_an_identifier_first(db):
    response = Browser().get(reverse("portal:sign_in_code"))
    assert response["Location"] == reverse("portal:sign_in")


def test_a_printed_code_signs_in_and_a_bad_one_is_named(signer: Signer, personas: Personas):
    printed = printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    browser = Browser()
    response = _post(browser, "sign_in_printed", {"code": "K7QM"})
    assert response.status_code == 422
    assert "Code from your key worker: Enter the code exactly as printed" in response.content.decode()
    response = _post(browser, "sign_in_printed", {"code": printed.code})
    assert response["Location"] == reverse("portal:home")
    assert browser.get(reverse("portal:home")).status_code == 200


def test_a_used_printed_code_gets_nothing(signer: Signer, personas: Personas):
    printed = printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    _post(Browser(), "sign_in_printed", {"code": printed.code})
    again = Browser()
    response = _post(again, "sign_in_printed", {"code": printed.code})
    assert response.status_code == 422
    assert "already been used" in response.content.decode()
    assert again.get(reverse("portal:home")).status_code == 302


def test_an_idle_session_is_signed_out(signer: Signer, settings):
    browser = signed_in(signer)
    session = browser.session
    session[SESSION_SEEN] = time.time() - settings.CEANGAL_PORTAL_IDLE_MINUTES * 60 - 1
    session.save()
    response = browser.get(reverse("portal:home"))
    assert response["Location"] == reverse("portal:sign_in")
    assert SESSION_CLIENT not in browser.session


def test_an_active_session_stays_signed_in(signer: Signer, settings):
    browser = signed_in(signer)
    session = browser.session
    session[SESSION_SEEN] = time.time() - settings.CEANGAL_PORTAL_IDLE_MINUTES * 60 + 60
    session.save()
    assert browser.get(reverse("portal:home")).status_code == 200


def test_switching_off_sign_in_ends_the_session(signer: Signer):
    browser = signed_in(signer)
    PortalAccess.objects.filter(client_id=signer.client.pk).update(active=False)
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")


def test_signing_out_flushes_the_session(signer: Signer):
    browser = signed_in(signer)
    assert browser.get(reverse("portal:sign_out")).status_code == 405
    response = browser.post(reverse("portal:sign_out"))
    assert response["Location"] == reverse("portal:sign_in")
    assert SESSION_CLIENT not in browser.session
    assert browser.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")


def test_a_client_session_opens_no_staff_page(signer: Signer):
    browser = signed_in(signer)
    for url in (reverse("web:caseload"), reverse("web:client_record", kwargs={"client_id": signer.client.pk})):
        response = browser.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    assert browser.get(reverse("web:portal_access", kwargs={"client_id": signer.client.pk})).status_code == 302


@pytest.mark.parametrize("name", ["home", "sign_in", "sign_in_code", "sign_in_printed", "sign_out"])
def test_staff_get_403_on_every_portal_page(personas: Personas, name):
    browser = Browser()
    browser.force_login(personas.council_worker.user)
    for response in (browser.get(reverse(f"portal:{name}")), browser.post(reverse(f"portal:{name}"), {})):
        assert response.status_code == 403
        assert "These pages are for clients" in response.content.decode()


def test_the_key_worker_switching_sign_in_off_signs_the_client_out(signer: Signer, personas: Personas):
    client_browser = signed_in(signer)
    staff = Browser()
    staff.force_login(personas.council_worker.user)
    url = reverse("web:portal_access", kwargs={"client_id": signer.client.pk})
    assert "Switched on" in staff.get(url).content.decode()
    assert staff.post(url, {"action": "switch_off"})["Location"] == url
    assert "Switched off" in staff.get(url).content.decode()
    assert client_browser.get(reverse("portal:home"))["Location"] == reverse("portal:sign_in")


def test_the_staff_page_names_bad_fields_and_saves_nothing(signer: Signer, personas: Personas):
    staff = Browser()
    staff.force_login(personas.council_worker.user)
    url = reverse("web:portal_access", kwargs={"client_id": signer.client.pk})
    response = staff.post(url, {"action": "set_up", "email": "not-an-email", "mobile": "0770"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "Email address: Enter an email address in the right format" in page
    assert "Mobile number: Enter a UK mobile number" in page
    assert PortalAccess.objects.get(client_id=signer.client.pk).email == EMAIL


def test_the_printed_code_page_shows_a_code_that_works_once(signer: Signer, personas: Personas):
    staff = Browser()
    staff.force_login(personas.council_worker.user)
    url = reverse("web:portal_access", kwargs={"client_id": signer.client.pk})
    page = staff.post(url, {"action": "print"}).content.decode()
    code = re.search(r'id="printed-code">([A-Z0-9-]+)<', page)
    assert code
    assert "/my/" in page
    assert "I have a code from my key worker" in page
    assert code.group(1) not in staff.get(url).content.decode()
    client_browser = Browser()
    assert _post(client_browser, "sign_in_printed", {"code": code.group(1)})["Location"] == reverse("portal:home")
