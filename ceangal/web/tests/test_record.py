"""The client record page: every section, what is hidden and why, and who supplied what."""

from __future__ import annotations

import pytest

from ceangal.clients.services import item_add

pytestmark = pytest.mark.django_db


def test_the_record_shows_the_name_reference_and_a_contents_list(kirsty, morag):
    html = kirsty.get(f"/clients/{morag.pk}/").content.decode()

    assert '<h1 class="ds_page-header__title">Morag Macleod</h1>' in html
    assert morag.reference in html
    assert 'class="ds_contents-nav' in html
    for key in ("identity", "contact", "qualifications", "health", "convictions", "documents"):
        assert f'href="#section-{key}"' in html
        assert f'id="section-{key}"' in html


def test_identity_is_a_summary_list_with_its_supplier(kirsty, morag):
    html = kirsty.get(f"/clients/{morag.pk}/").content.decode()

    assert 'class="ds_summary-list"' in html
    assert '<span class="ds_summary-list__key">Date of birth</span>' in html
    assert "12 April 1998" in html
    assert "Supplied by Fife Council Employability on" in html
    assert f'href="/clients/{morag.pk}/identity/edit/"' in html
    assert f'href="/clients/{morag.pk}/identity/history/"' in html


def test_a_key_worker_is_told_why_convictions_are_hidden(kirsty, morag):
    html = kirsty.get(f"/clients/{morag.pk}/").content.decode()

    assert "Convictions: your role is not cleared" in html
    assert 'class="ds_inset-text"' in html


def test_a_team_leader_sees_convictions(sign_in, personas, morag):
    html = sign_in(personas.council_leader).get(f"/clients/{morag.pk}/").content.decode()

    assert "Convictions: your role is not cleared" not in html
    assert f'href="/clients/{morag.pk}/convictions/add/"' in html


def test_a_key_worker_cannot_open_the_convictions_form_either(kirsty, morag):
    response = kirsty.get(f"/clients/{morag.pk}/convictions/add/")

    assert response.status_code == 403
    assert "Convictions: your role is not cleared" in response.content.decode()


def test_list_items_show_supplier_and_links_to_edit_and_history(kirsty, personas, morag):
    item = item_add(
        actor=personas.council_worker,
        client=morag,
        section_key="qualifications",
        data={"title": "National 5 English", "scqf_level": "SCQF05"},
    )

    html = kirsty.get(f"/clients/{morag.pk}/").content.decode()

    assert "National 5 English" in html
    assert f'href="/clients/{morag.pk}/qualifications/{item.pk}/edit/"' in html
    assert f'href="/clients/{morag.pk}/qualifications/{item.pk}/history/"' in html
    assert f'href="/clients/{morag.pk}/qualifications/add/"' in html


def test_engagements_show_status_and_key_worker(kirsty, personas, morag):
    html = kirsty.get(f"/clients/{morag.pk}/").content.decode()

    assert "Registered" in html
    assert str(personas.council_worker.user) in html
    assert f"/clients/{morag.pk}/engagements/" in html


def test_staff_who_cannot_change_records_are_not_offered_edit_links(sign_in, personas, morag):
    html = sign_in(personas.council_admin).get(f"/clients/{morag.pk}/").content.decode()

    assert "/identity/edit/" not in html
    assert "Health and disability: your role is not cleared" in html
