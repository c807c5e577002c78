"""The "check before registering", discoverable and merge pages."""

from __future__ import annotations

import pytest

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.testing.factories import make_client, make_discoverable_morag

pytestmark = pytest.mark.django_db


@pytest.fixture
def college_morag(personas):
    return make_discoverable_morag(personas)


CHECK = {
    "ni_number": "",
    "given_name": "Morag",
    "family_name": "McLeod",
    "date_of_birth": "12 4 1998",
    "postcode": "ky1 1yg",
}


def test_the_check_page_is_linked_from_register_and_caseload(kirsty):
    assert "/clients/check/" in kirsty.get("/clients/new/").content.decode()
    assert "/clients/check/" in kirsty.get("/caseload/").content.decode()
    page = kirsty.get("/clients/check/")
    assert page.status_code == 200
    assert 'method="post"' in page.content.decode()


def test_another_partner_is_named_and_nothing_about_the_client_shown(kirsty, college_morag):
    response = kirsty.post("/clients/check/", CHECK)
    html = response.content.decode()
    assert response.status_code == 200
    assert "This person may already be known to:" in html
    assert "Fife College" in html
    # Nothing of the college's client beyond what the searcher typed: no reference, id or NI number.
    for secret in (college_morag.reference, str(college_morag.pk), "AB123456C", "1998-04-12"):
        assert secret not in html


def test_no_match_says_so_and_offers_to_register_with_the_details(kirsty):
    response = kirsty.post("/clients/check/", {**CHECK, "given_name": "Eilidh", "family_name": "Grant"})
    html = response.content.decode()
    assert "No match found." in html
    assert 'name="prefill"' in html
    register = kirsty.post("/clients/new/", {"prefill": "1", "given_name": "Eilidh", "family_name": "Grant"})
    assert register.status_code == 200
    assert 'value="Eilidh"' in register.content.decode()
    assert not cm.Client.objects.exists()


def test_own_clients_with_a_typo_are_listed_with_links(kirsty, morag):
    response = kirsty.post("/clients/check/", {**CHECK, "family_name": "MacLeod", "postcode": ""})
    html = response.content.decode()
    assert "Your clients who may match" in html
    assert f"/clients/{morag.pk}/" in html
    assert morag.reference in html


def test_errors_name_each_field_and_nothing_is_searched(kirsty):
    response = kirsty.post("/clients/check/", {"given_name": "Morag", "ni_number": "", "postcode": "nowhere"})
    html = response.content.decode()
    assert response.status_code == 422
    assert "There is a problem" in html
    for anchor in ("#f-family_name", "#f-date_of_birth", "#f-postcode"):
        assert f'href="{anchor}"' in html
    assert not AuditEvent.objects.filter(action="client.partnership_search").exists()


def test_identifiers_are_not_accepted_in_the_url(kirsty, college_morag):
    response = kirsty.get("/clients/check/?ni_number=AB123456C")
    assert "Fife College" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="client.partnership_search").exists()


def test_the_register_page_records_the_agreement_to_be_discoverable(kirsty):
    form = {
        "given_name": "Eilidh",
        "family_name": "Grant",
        "date_of_birth": "27 3 2001",
        "postcode": "KY1 1XX",
        "local_authority": "S12000047",
        "discoverable": "true",
    }
    html = kirsty.get("/clients/new/").content.decode()
    assert "other partners searching for them may be told they are known to us" in html
    assert kirsty.post("/clients/new/", form).status_code == 302
    assert cm.Client.objects.get().discoverable is True


def test_the_register_page_defaults_to_not_discoverable(kirsty):
    form = {
        "given_name": "Eilidh",
        "family_name": "Grant",
        "date_of_birth": "27 3 2001",
        "postcode": "KY1 1XX",
        "local_authority": "S12000047",
    }
    assert kirsty.post("/clients/new/", form).status_code == 302
    assert cm.Client.objects.get().discoverable is False


def test_the_discoverable_page(kirsty, morag):
    url = f"/clients/{morag.pk}/discoverable/"
    assert url in kirsty.get(f"/clients/{morag.pk}/").content.decode()
    assert kirsty.get(url).status_code == 200
    missing = kirsty.post(url, {"note": "x"})
    assert missing.status_code == 422
    assert 'href="#f-discoverable-0"' in missing.content.decode()
    response = kirsty.post(url, {"discoverable": "yes", "note": "Agreed on the phone."})
    assert response.status_code == 302
    morag.refresh_from_db()
    assert morag.discoverable is True
    assert AuditEvent.objects.filter(action="client.discoverable.changed", client_id=morag.pk).exists()


def test_the_merge_page_lists_compares_and_merges(personas, sign_in, morag):
    twin = make_client(personas.council_worker, given_name="Morag", family_name="MacLeod")
    leader = sign_in(personas.council_leader)
    url = f"/clients/{morag.pk}/merge/"
    assert url in leader.get(f"/clients/{morag.pk}/").content.decode()
    listing = leader.get(url).content.decode()
    assert twin.reference in listing
    compare = leader.get(url, {"duplicate": str(twin.pk)})
    html = compare.content.decode()
    assert compare.status_code == 200
    assert "Morag MacLeod" in html
    assert "the kept record" in html
    refused = leader.post(url, {"duplicate": str(twin.pk), "reason": ""})
    assert refused.status_code == 422
    assert 'href="#f-reason"' in refused.content.decode()
    twin.refresh_from_db()
    assert twin.merged_into_id is None
    done = leader.post(url, {"duplicate": str(twin.pk), "reason": "Registered twice."})
    assert done.status_code == 302
    twin.refresh_from_db()
    assert twin.merged_into_id == morag.pk
    # A bookmark of the merged record leads to the kept one.
    old = leader.get(f"/clients/{twin.pk}/")
    assert old.status_code == 302
    assert old["Location"] == f"/clients/{morag.pk}/"


def test_a_key_worker_may_not_merge(kirsty, personas, morag):
    twin = make_client(personas.council_worker, given_name="Morag", family_name="MacLeod")
    url = f"/clients/{morag.pk}/merge/"
    assert kirsty.get(url).status_code == 403
    assert kirsty.post(url, {"duplicate": str(twin.pk), "reason": "Same."}).status_code == 403
    # The record does not offer a key worker what the page would refuse.
    assert "Merge duplicate records" not in kirsty.get(f"/clients/{morag.pk}/").content.decode()
    twin.refresh_from_db()
    assert twin.merged_into_id is None


def test_the_merge_page_is_not_found_for_a_client_of_another_organisation(personas, sign_in, morag):
    college_client = make_client(personas.college_worker, given_name="Morag", family_name="McLeod")
    leader = sign_in(personas.council_leader)
    assert leader.get(f"/clients/{morag.pk}/merge/", {"duplicate": str(college_client.pk)}).status_code == 404
    assert (
        leader.post(f"/clients/{morag.pk}/merge/", {"duplicate": str(college_client.pk), "reason": "x"}).status_code
        == 404
    )
    assert not cm.Client.objects.filter(merged_into__isnull=False).exists()
