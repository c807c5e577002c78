"""Who may open staff pages, what missing and forbidden look like, and what the browser may keep."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client as Browser
from django.urls import reverse

from ceangal.testing.factories import PASSWORD
from ceangal.web.tests.helpers import without_tokens

pytestmark = pytest.mark.django_db


def test_sign_in_page_is_in_the_design_system_with_labelled_fields():
    response = Browser().get("/accounts/login/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="ds_site-header"' in html
    assert '<label class="ds_label" for="id_login">Email address</label>' in html
    assert '<label class="ds_label" for="id_password">Password</label>' in html
    assert ">Sign in</button>" in html
    assert "<script>" not in html  # CSP: no inline script


def test_signing_in_with_email_and_password_opens_the_caseload(personas):
    browser = Browser()
    response = browser.post("/accounts/login/", {"login": personas.council_worker.user.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("web:caseload")


def test_a_wrong_password_is_explained_in_an_error_summary(personas):
    response = Browser().post("/accounts/login/", {"login": personas.council_worker.user.email, "password": "nope"})

    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()


@pytest.mark.parametrize("path", ["/caseload/", "/clients/find/", "/clients/new/", f"/clients/{uuid.uuid4()}/"])
def test_anonymous_people_are_sent_to_sign_in(path):
    response = Browser().get(path)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_home_redirects_to_the_caseload(kirsty):
    response = kirsty.get("/")

    assert response.status_code == 302
    assert response["Location"] == "/caseload/"


def test_a_signed_in_person_who_is_not_staff_is_refused():
    user = get_user_model().objects.create_user(username="x@example.org", email="x@example.org", password=PASSWORD)
    browser = Browser()
    browser.force_login(user)

    response = browser.get("/caseload/")

    assert response.status_code == 403
    assert "not linked to a partner organisation" in response.content.decode()


def test_pages_with_client_data_are_never_stored_by_the_browser(kirsty, morag):
    for path in ("/caseload/", f"/clients/{morag.pk}/", "/clients/new/"):
        response = kirsty.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store"


def test_header_names_the_person_their_organisation_and_role_and_offers_sign_out(kirsty, personas):
    html = kirsty.get("/caseload/").content.decode()

    assert str(personas.council_worker.user) in html
    assert "Fife Council Employability" in html
    assert "Key worker" in html
    assert f'action="{reverse("account_logout")}"' in html
    assert ">Sign out</button>" in html


@pytest.mark.parametrize("persona", ["outsider", "college_worker"])
def test_a_client_of_another_organisation_looks_exactly_like_one_that_does_not_exist(sign_in, personas, morag, persona):
    browser = sign_in(getattr(personas, persona))

    forbidden = browser.get(f"/clients/{morag.pk}/")
    missing = browser.get(f"/clients/{uuid.uuid4()}/")

    assert forbidden.status_code == missing.status_code == 404
    assert without_tokens(forbidden.content.decode()) == without_tokens(missing.content.decode())
    assert morag.reference not in forbidden.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/clients/{id}/identity/edit/",
        "/clients/{id}/qualifications/add/",
        "/clients/{id}/identity/history/",
        "/clients/{id}/documents/upload/",
        "/clients/{id}/documents/1/download/",
    ],
)
def test_every_client_page_is_404_for_an_outsider(sign_in, personas, morag, path):
    response = sign_in(personas.outsider).get(path.format(id=morag.pk))

    assert response.status_code == 404


def test_an_outsider_cannot_change_a_client_by_posting(sign_in, personas, morag):
    response = sign_in(personas.outsider).post(
        f"/clients/{morag.pk}/identity/edit/", {"given_name": "Hacked", "version": "1"}
    )

    assert response.status_code == 404


def test_untrained_staff_are_told_why_they_cannot_open_a_record(sign_in, personas, morag):
    response = sign_in(personas.untrained).get(f"/clients/{morag.pk}/")

    assert response.status_code == 403
    assert "training" in response.content.decode()


def test_accessibility_statement_and_privacy_are_public():
    for name in ("web:accessibility", "web:privacy"):
        response = Browser().get(reverse(name))
        assert response.status_code == 200


def test_an_unknown_section_is_not_found(kirsty, morag):
    assert kirsty.get(f"/clients/{morag.pk}/nonsense/edit/").status_code == 404
    assert kirsty.get(f"/clients/{morag.pk}/identity/add/").status_code == 404
    assert kirsty.get(f"/clients/{morag.pk}/qualifications/edit/").status_code == 404


def test_the_server_error_page_renders_without_a_request_or_database():
    from django.template import loader

    html = loader.get_template("500.html").render()

    assert "Sorry, there is a problem with the service" in html
