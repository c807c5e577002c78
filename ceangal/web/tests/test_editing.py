"""Changing a client's record through the pages: forms made from the section specs, versions that
stop one editor silently overwriting another, and the history of every change."""

from __future__ import annotations

import pytest

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.services import item_add

pytestmark = pytest.mark.django_db


def identity_form(**overrides: str) -> dict[str, str]:
    data = {
        "given_name": "Morag",
        "family_name": "Macleod",
        "preferred_name": "",
        "date_of_birth": "12 4 1998",
        "ni_number": "",
        "postcode": "KY1 1XX",
        "local_authority": "S12000047",
        "version": "1",
    }
    data.update(overrides)
    return data


def test_the_edit_form_is_filled_with_what_is_held_and_carries_its_version(kirsty, morag):
    html = kirsty.get(f"/clients/{morag.pk}/identity/edit/").content.decode()

    assert 'name="version" value="1"' in html
    assert 'id="f-given_name" name="given_name" value="Morag"' in html
    assert 'value="12 4 1998"' in html
    assert '<option value="S12000047" selected>Fife</option>' in html


def test_saving_a_section_changes_it_and_returns_to_the_record(kirsty, morag):
    response = kirsty.post(f"/clients/{morag.pk}/identity/edit/", identity_form(preferred_name="Mo"))

    assert response.status_code == 302
    assert response["Location"] == f"/clients/{morag.pk}/#section-identity"
    identity = cm.IdentitySection.objects.get(client=morag)
    assert identity.preferred_name == "Mo"
    assert identity.version == 2
    assert AuditEvent.objects.filter(action="client.identity.changed", client_id=morag.pk).exists()
    assert "Identity saved." in kirsty.get(response["Location"]).content.decode()


def test_a_one_per_client_section_can_be_added_from_nothing(kirsty, morag):
    form = kirsty.get(f"/clients/{morag.pk}/caring/edit/").content.decode()
    assert 'name="version" value="0"' in form
    assert 'type="checkbox" value="PF_LONE"' in form  # CODES are checkboxes
    assert 'inputmode="numeric"' in form  # INTEGER

    response = kirsty.post(
        f"/clients/{morag.pk}/caring/edit/",
        {
            "version": "0",
            "unpaid_carer": "N",
            "number_of_children": "2",
            "priority_family_groups": ["PF_LONE", "PF_YOUNG"],
        },
    )

    assert response.status_code == 302
    caring = cm.CaringAndFamily.objects.get(client=morag)
    assert caring.number_of_children == 2
    assert caring.priority_family_groups == ["PF_LONE", "PF_YOUNG"]


def test_bad_input_is_refused_with_422_naming_the_field_and_nothing_changes(kirsty, morag):
    response = kirsty.post(f"/clients/{morag.pk}/identity/edit/", identity_form(postcode="nowhere"))

    html = response.content.decode()
    assert response.status_code == 422
    assert '<a href="#f-postcode">Postcode: ' in html
    assert 'value="nowhere"' in html
    assert cm.IdentitySection.objects.get(client=morag).version == 1


def test_two_editors_the_second_is_told_of_the_conflict_and_the_first_change_is_kept(sign_in, personas, morag):
    kirsty, tam = sign_in(personas.council_worker), sign_in(personas.council_leader)
    url = f"/clients/{morag.pk}/identity/edit/"
    assert 'name="version" value="1"' in kirsty.get(url).content.decode()
    assert 'name="version" value="1"' in tam.get(url).content.decode()

    first = kirsty.post(url, identity_form(preferred_name="Mo"))
    second = tam.post(url, identity_form(preferred_name="Rags"))

    assert first.status_code == 302
    html = second.content.decode()
    assert second.status_code == 409
    assert "There is a problem" in html
    assert "was changed by someone else after you opened it" in html
    assert 'value="Rags"' in html  # the second editor's input is not lost from the page
    assert cm.IdentitySection.objects.get(client=morag).preferred_name == "Mo"


def test_adding_an_item_to_a_list_section(kirsty, morag):
    form = kirsty.get(f"/clients/{morag.pk}/qualifications/add/").content.decode()
    assert 'name="version"' not in form
    assert '<label class="ds_label" for="f-title">Qualification</label>' in form

    response = kirsty.post(
        f"/clients/{morag.pk}/qualifications/add/",
        {"title": "Higher Maths", "scqf_level": "SCQF06", "achieved_on": "30 6 2016", "verified": "true"},
    )

    assert response.status_code == 302
    qualification = cm.Qualification.objects.get(client=morag)
    assert qualification.title == "Higher Maths"
    assert qualification.verified is True
    assert "Higher Maths" in kirsty.get(f"/clients/{morag.pk}/").content.decode()


def test_adding_an_item_with_a_missing_required_field_is_refused(kirsty, morag):
    response = kirsty.post(f"/clients/{morag.pk}/qualifications/add/", {"title": "", "scqf_level": ""})

    assert response.status_code == 422
    assert '<a href="#f-title">Qualification: ' in response.content.decode()
    assert not cm.Qualification.objects.filter(client=morag).exists()


def test_editing_an_item_of_a_list(kirsty, personas, morag):
    item = item_add(
        actor=personas.council_worker,
        client=morag,
        section_key="experience",
        data={"kind": "volunteering", "role_title": "Shop helper"},
    )
    url = f"/clients/{morag.pk}/experience/{item.pk}/edit/"
    form = kirsty.get(url).content.decode()
    assert 'type="radio" value="volunteering" checked' in form  # CHOICE as radios

    response = kirsty.post(url, {"version": "1", "kind": "employment", "role_title": "Sales assistant"})

    assert response.status_code == 302
    saved = cm.ExperienceItem.objects.get(pk=item.pk)
    assert (saved.kind, saved.role_title, saved.version) == ("employment", "Sales assistant", 2)


def test_an_item_of_another_client_is_not_found(kirsty, personas, morag):
    from ceangal.testing.factories import make_client

    other = make_client(personas.council_worker)
    item = item_add(
        actor=personas.council_worker,
        client=other,
        section_key="qualifications",
        data={"title": "Other", "scqf_level": "SCQF05"},
    )

    assert kirsty.get(f"/clients/{morag.pk}/qualifications/{item.pk}/edit/").status_code == 404


def test_history_lists_every_version_with_who_and_what(kirsty, personas, morag):
    kirsty.post(f"/clients/{morag.pk}/identity/edit/", identity_form(preferred_name="Mo"))

    response = kirsty.get(f"/clients/{morag.pk}/identity/history/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "History of identity" in html
    assert "Created" in html
    assert "Changed" in html
    assert str(personas.council_worker.user) in html
    assert "<dt>Preferred name</dt>" in html
    assert "<dd>Mo</dd>" in html


def test_item_history(kirsty, personas, morag):
    item = item_add(
        actor=personas.council_worker,
        client=morag,
        section_key="qualifications",
        data={"title": "N5 Maths", "scqf_level": "SCQF05"},
    )

    html = kirsty.get(f"/clients/{morag.pk}/qualifications/{item.pk}/history/").content.decode()

    assert "N5 Maths" in html
    assert "Created" in html


def test_changing_the_engagement_status(kirsty, morag):
    engagement = cm.Engagement.objects.get(client=morag)
    url = f"/clients/{morag.pk}/engagements/{engagement.pk}/edit/"
    form = kirsty.get(url).content.decode()
    assert 'type="radio" value="registered" checked' in form

    response = kirsty.post(url, {"version": "1", "status": "active", "key_worker": str(engagement.key_worker_id)})

    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == "active"


def test_closing_an_engagement_needs_a_reason(kirsty, morag):
    engagement = cm.Engagement.objects.get(client=morag)
    url = f"/clients/{morag.pk}/engagements/{engagement.pk}/edit/"

    refused = kirsty.post(url, {"version": "1", "status": "closed", "closure_reason": ""})
    assert refused.status_code == 422
    assert '<a href="#f-closure_reason">Reason for closing: ' in refused.content.decode()

    closed = kirsty.post(url, {"version": "1", "status": "closed", "closure_reason": "ENTERED_WORK"})
    assert closed.status_code == 302
    assert closed["Location"] == "/caseload/"  # the record is no longer open to the organisation
    engagement.refresh_from_db()
    assert (engagement.status, engagement.closure_reason) == ("closed", "ENTERED_WORK")


def test_a_stale_engagement_edit_is_a_conflict(kirsty, morag):
    engagement = cm.Engagement.objects.get(client=morag)
    url = f"/clients/{morag.pk}/engagements/{engagement.pk}/edit/"
    kirsty.post(url, {"version": "1", "status": "active"})

    response = kirsty.post(url, {"version": "1", "status": "registered"})

    assert response.status_code == 409
    assert "changed by someone else" in response.content.decode()
