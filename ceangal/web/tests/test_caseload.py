"""My caseload and finding a client: only clients the organisation works with, ever."""

from __future__ import annotations

import pytest

from ceangal.testing.factories import make_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def clients(personas):
    return {
        "mine": make_client(personas.council_worker, given_name="Ailsa", family_name="Mine"),
        "colleague": make_client(personas.council_leader, given_name="Beth", family_name="Colleague"),
        "college": make_client(personas.college_worker, given_name="Cara", family_name="College"),
    }


def test_a_key_worker_sees_their_own_clients_by_default(kirsty, clients):
    html = kirsty.get("/caseload/").content.decode()

    assert "Ailsa Mine" in html
    assert clients["mine"].reference in html
    assert f'href="/clients/{clients["mine"].pk}/"' in html
    assert "Beth Colleague" not in html
    assert "Cara College" not in html


def test_the_organisation_scope_shows_colleagues_clients_but_never_another_partners(kirsty, clients):
    html = kirsty.get("/caseload/?scope=organisation").content.decode()

    assert "Ailsa Mine" in html
    assert "Beth Colleague" in html
    assert "Cara College" not in html
    assert clients["college"].reference not in html


def test_the_caseload_can_be_searched(kirsty, clients):
    html = kirsty.get("/caseload/?scope=organisation&q=Colleague").content.decode()

    assert "Beth Colleague" in html
    assert "Ailsa Mine" not in html


def test_an_empty_caseload_says_so_and_offers_registration(sign_in, personas):
    html = sign_in(personas.council_worker).get("/caseload/").content.decode()

    assert "You are not the key worker for any clients yet." in html
    assert 'href="/clients/new/"' in html


def test_find_searches_only_clients_the_organisation_works_with(kirsty, clients):
    page = kirsty.get("/clients/find/")
    assert "Only clients your organisation is working with are searched" in page.content.decode()

    found = kirsty.get("/clients/find/?q=Beth").content.decode()
    assert "Beth Colleague" in found

    elsewhere = kirsty.get("/clients/find/?q=Cara").content.decode()
    assert "Cara College" not in elsewhere
    assert "0 clients match" in elsewhere


def test_find_by_reference_and_date_of_birth(kirsty, clients):
    by_reference = kirsty.get(f"/clients/find/?q={clients['mine'].reference}").content.decode()
    assert "Ailsa Mine" in by_reference

    by_birth = kirsty.get("/clients/find/?q=1998-04-12").content.decode()
    assert "Ailsa Mine" in by_birth
    assert "12 April 1998" in by_birth
