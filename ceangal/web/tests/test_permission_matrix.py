"""Every staff page, generated from the URL configuration, for every kind of visitor.

A page added to ceangal/web/urls.py without its arguments in _world() fails here, so no page can
be added without saying who may open it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import URLPattern, reverse

from ceangal.clients.services import document_upload, item_add
from ceangal.testing.factories import Personas, make_client
from ceangal.web import urls as web_urls

pytestmark = pytest.mark.django_db

PUBLIC = {"accessibility", "privacy"}
# "/" only redirects to the caseload, which then applies the rules below.
REDIRECT_ONLY = {"home"}


@dataclass
class World:
    personas: Personas
    kwargs: dict[str, dict[str, Any]]


def _world(personas: Personas) -> World:
    client = make_client(personas.council_worker, given_name="Matrix", family_name="Synthetic")
    qualification = item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={
            "title": "N5 Maths",
            "scqf_level": "SCQF05",
            "achieved_on": (dt.date.today() - dt.timedelta(days=400)).isoformat(),
        },
    )
    document = document_upload(
        actor=personas.council_worker,
        client=client,
        title="Letter",
        kind="letter",
        upload=SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    engagement = client.engagements.get()
    c = {"client_id": client.pk}
    return World(
        personas,
        {
            "home": {},
            "caseload": {},
            "client_find": {},
            "client_register": {},
            "client_record": c,
            "document_upload": c,
            "document_download": c | {"document_id": document.pk},
            "engagement_edit": c | {"engagement_id": engagement.pk},
            "section_edit": c | {"section_key": "contact"},
            "item_add": c | {"section_key": "qualifications"},
            "section_history": c | {"section_key": "identity"},
            "item_edit": c | {"section_key": "qualifications", "item_id": qualification.pk},
            "item_history": c | {"section_key": "qualifications", "item_id": qualification.pk},
            "accessibility": {},
            "privacy": {},
        },
    )


ALL_PAGES = [p.name for p in web_urls.urlpatterns if isinstance(p, URLPattern) and p.name]
PAGES = [name for name in ALL_PAGES if name not in REDIRECT_ONLY]
CLIENT_PAGES = [
    name
    for name in PAGES
    if "client_id" in str(next(p.pattern for p in web_urls.urlpatterns if getattr(p, "name", None) == name))
]


def test_home_redirects_to_the_caseload():
    response = Browser().get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:caseload")


def test_every_page_is_in_the_matrix(personas):
    world = _world(personas)
    assert set(ALL_PAGES) == set(world.kwargs), "Add the new page's arguments to _world() in this test"


def _url(world: World, name: str) -> str:
    return reverse(f"web:{name}", kwargs=world.kwargs[name])


@pytest.mark.parametrize("name", PAGES)
def test_anonymous(personas, name):
    world = _world(personas)
    response = Browser().get(_url(world, name))
    if name in PUBLIC:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", PAGES)
def test_permitted_key_worker(personas, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(personas.council_worker.user)
    response = browser.get(_url(world, name))
    assert response.status_code in (200, 302), name
    if response.status_code == 302:
        assert not response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["outsider", "college_worker"])
@pytest.mark.parametrize("name", CLIENT_PAGES)
def test_other_organisations_get_not_found(personas, persona, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, name)).status_code == 404
    assert browser.post(_url(world, name), {"given_name": "Changed"}).status_code == 404


@pytest.mark.parametrize("name", CLIENT_PAGES)
def test_expired_training_is_refused(personas, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(personas.untrained.user)
    assert browser.get(_url(world, name)).status_code == 403


@pytest.mark.parametrize("name", [n for n in PAGES if n not in PUBLIC])
def test_signed_in_without_a_staff_record(personas, name):
    world = _world(personas)
    user = get_user_model().objects.create_user(username="nostaff", email="nostaff@example.org", password="x" * 16)
    browser = Browser()
    browser.force_login(user)
    assert browser.get(_url(world, name)).status_code == 403


@pytest.mark.parametrize("name", [n for n in PAGES if n not in PUBLIC])
def test_deactivated_staff_are_signed_out(personas, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(personas.inactive.user)
    response = browser.get(_url(world, name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
