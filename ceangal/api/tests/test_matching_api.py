"""POST /clients/search, PUT /clients/{id}/discoverable, POST /clients/{id}/merge."""

from __future__ import annotations

import json

import pytest

from ceangal.api.tests.conftest import API, problem
from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.services import client_set_discoverable, item_add
from ceangal.testing.factories import make_client, make_discoverable_morag

pytestmark = pytest.mark.django_db


@pytest.fixture
def college_morag(personas):
    return make_discoverable_morag(personas)


BODY = {"given_name": "morag", "family_name": "mcleod", "date_of_birth": "1998-04-12", "postcode": "KY11YG"}


def test_search_names_the_partner_and_returns_nothing_of_their_client(as_key, personas, college_morag):
    response = as_key(personas.council_worker).post(f"{API}/clients/search", BODY)
    assert response.status_code == 200, response.content
    body = json.loads(response.content)
    assert body["known_elsewhere"] == ["Fife College"]
    assert body["yours"] == []
    raw = response.content.decode()
    for secret in (str(college_morag.pk), college_morag.reference, "Morag", "McLeod", "KY1 1YG", "AB123456C"):
        assert secret not in raw


def test_search_by_ni_number_ignores_a_client_who_is_not_discoverable(as_key, personas, college_morag):
    caller = as_key(personas.council_worker)
    assert json.loads(caller.post(f"{API}/clients/search", {"ni_number": "ab123456c"}).content)["known_elsewhere"] == [
        "Fife College"
    ]
    client_set_discoverable(actor=personas.college_worker, client=college_morag, discoverable=False)
    body = json.loads(caller.post(f"{API}/clients/search", {"ni_number": "ab123456c"}).content)
    assert body == {"yours": [], "known_elsewhere": [], "identifiers": ["ni"]}


def test_search_finds_own_clients_with_a_typo(as_key, personas):
    mine = make_client(personas.council_worker, given_name="Morag", family_name="McLeod", date_of_birth="1998-04-12")
    body = json.loads(
        as_key(personas.council_worker).post(f"{API}/clients/search", {**BODY, "family_name": "Macleod"}).content
    )
    assert [(row["client_id"], row["reference"], row["name"]) for row in body["yours"]] == [
        (str(mine.pk), mine.reference, "Morag McLeod")
    ]
    assert 75 <= body["yours"][0]["score"] < 100


def test_search_validation_names_the_fields(as_key, personas):
    response = as_key(personas.council_worker).post(f"{API}/clients/search", {"given_name": "Morag"})
    assert response.status_code == 422
    assert set(problem(response)["errors"]) == {"family_name", "date_of_birth"}
    assert not AuditEvent.objects.filter(action="client.partnership_search").exists()


def test_search_is_audited_with_the_channel(as_key, personas):
    as_key(personas.council_worker).post(f"{API}/clients/search", {"ni_number": "AB123456C"})
    event = AuditEvent.objects.get(action="client.partnership_search")
    assert event.detail == {"identifiers": ["ni"], "yours": 0, "known_elsewhere": 0, "channel": "api"}


def test_discoverable_put(as_key, personas):
    client = make_client(personas.council_worker)
    response = as_key(personas.council_worker).put(
        f"{API}/clients/{client.pk}/discoverable", {"discoverable": True, "note": "Agreed."}
    )
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == {"client_id": str(client.pk), "discoverable": True}
    client.refresh_from_db()
    assert client.discoverable is True
    refused = as_key(personas.council_dpo).put(f"{API}/clients/{client.pk}/discoverable", {"discoverable": False})
    assert refused.status_code == 403
    client.refresh_from_db()
    assert client.discoverable is True


def test_merge(as_key, personas):
    keep = make_client(personas.council_worker, given_name="Morag", family_name="McLeod")
    duplicate = make_client(personas.council_worker, given_name="Morag", family_name="MacLeod")
    item_add(
        actor=personas.council_worker,
        client=duplicate,
        section_key="qualifications",
        data={"title": "N5 Maths", "scqf_level": "SCQF05"},
    )
    url = f"{API}/clients/{keep.pk}/merge"
    refused = as_key(personas.council_worker).post(url, {"duplicate_id": str(duplicate.pk), "reason": "Same."})
    assert refused.status_code == 403
    leader = as_key(personas.council_leader)
    missing_reason = leader.post(url, {"duplicate_id": str(duplicate.pk), "reason": ""})
    assert missing_reason.status_code == 422
    assert "reason" in problem(missing_reason)["errors"]
    response = leader.post(url, {"duplicate_id": str(duplicate.pk), "reason": "Registered twice."})
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == {
        "kept_id": str(keep.pk),
        "duplicate_id": str(duplicate.pk),
        "moved": {"qualifications": 1},
        "set_aside": ["identity"],
        "engagements_closed": ["Fife Council Employability"],
    }
    assert cm.Qualification.objects.get().client_id == keep.pk
    # The tombstone is gone from the API, as a client that does not exist.
    assert leader.get(f"{API}/clients/{duplicate.pk}").status_code == 404


def test_merge_with_a_client_of_another_organisation_is_refused(as_key, personas):
    keep = make_client(personas.council_worker)
    college_client = make_client(personas.college_worker)
    response = as_key(personas.council_leader).post(
        f"{API}/clients/{keep.pk}/merge", {"duplicate_id": str(college_client.pk), "reason": "Same."}
    )
    assert response.status_code == 422
    assert "duplicate_id" in problem(response)["errors"]
    assert not cm.Client.objects.filter(merged_into__isnull=False).exists()
