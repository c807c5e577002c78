"""Registering clients and reading and changing their records through the API."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from ceangal.api.tests.conftest import API, ApiCaller, CouncilCase, problem
from ceangal.audit.models import AuditEvent
from ceangal.clients.services import engagement_open, item_add
from ceangal.partners.models import StaffMember
from ceangal.testing.factories import Personas, identity_data, make_client

Caller = Callable[[StaffMember], ApiCaller]
VALIDATION = "https://ceangal.scot/problems/validation-error"


@pytest.fixture
def worker(personas: Personas, as_key: Caller) -> ApiCaller:
    return as_key(personas.council_worker)


def _json(response: Any) -> Any:
    return json.loads(response.content)


# --- registration -----------------------------------------------------------------------------


def test_register_creates_the_client_and_its_audit_event(worker: ApiCaller) -> None:
    identity = identity_data(given_name="Isla", ni_number="AB 12 34 56 C")
    response = worker.post(f"{API}/clients", {"identity": identity, "contact": {"email": "isla@example.org"}})
    assert response.status_code == 201, response.content
    body = _json(response)
    assert body["reference"].startswith("CG-")
    assert body["location"] == f"{API}/clients/{body['id']}"
    assert response["Location"] == body["location"]

    event = AuditEvent.objects.get(action="client.registered", client_id=body["id"])
    assert "ni_number" in event.fields

    record = _json(worker.get(body["location"]))
    assert record["reference"] == body["reference"]
    identity_section = next(s for s in record["sections"] if s["key"] == "identity")
    values = identity_section["items"][0]["values"]
    assert values["given_name"] == "Isla"
    assert values["ni_number"] == "AB123456C"
    assert values["date_of_birth"] == identity["date_of_birth"]  # JSON-safe: a date as YYYY-MM-DD
    contact = next(s for s in record["sections"] if s["key"] == "contact")
    assert contact["items"][0]["values"]["email"] == "isla@example.org"


def test_register_names_every_bad_field_and_saves_nothing(worker: ApiCaller) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    identity = identity_data(
        ni_number="QQ 12 34 56 Z", date_of_birth=tomorrow, local_authority="S99999999", postcode="NOT A CODE"
    )
    response = worker.post(f"{API}/clients", {"identity": identity, "contact": {"email": "not-an-email"}})
    assert response.status_code == 422
    body = problem(response)
    assert body["type"] == VALIDATION
    assert {"ni_number", "date_of_birth", "local_authority", "postcode", "contact.email"} <= set(body["errors"])
    assert all(body["errors"][name] for name in body["errors"])
    assert not AuditEvent.objects.filter(action="client.registered").exists()
    assert _json(worker.get(f"{API}/clients")) == []


def test_a_body_of_the_wrong_shape_names_the_fields(worker: ApiCaller) -> None:
    response = worker.post(f"{API}/clients", {"identity": "Morag", "discoverable": "perhaps"})
    assert response.status_code == 422
    body = problem(response)
    assert body["type"] == VALIDATION
    assert {"identity", "discoverable"} <= set(body["errors"])

    missing = problem(worker.post(f"{API}/clients", {}))
    assert "identity" in missing["errors"]


@pytest.mark.parametrize("raw", ['{"identity": {', "not json at all", '{"identity": {"given_name": "Morag",}}'])
def test_malformed_json_is_a_400_problem(worker: ApiCaller, raw: str) -> None:
    response = worker.post(f"{API}/clients", raw=raw)
    assert response.status_code == 400
    body = problem(response)
    assert body["type"] == "https://ceangal.scot/problems/invalid-json"
    assert "not valid JSON" in body["detail"]


# --- reading ----------------------------------------------------------------------------------


def test_the_record_withholds_convictions_from_a_key_worker_and_says_why(
    personas: Personas, council_case: CouncilCase, as_key: Caller
) -> None:
    record = _json(as_key(personas.council_worker).get(council_case.url))
    withheld = {w["category"]: w["reason"] for w in record["withheld_categories"]}
    assert "convictions" in withheld
    assert "criminal offence" in withheld["convictions"].lower()
    convictions = next(s for s in record["sections"] if s["key"] == "convictions")
    assert convictions["permitted"] is False
    assert convictions["items"] == []
    assert convictions["reason"] == withheld["convictions"]

    leader = _json(as_key(personas.council_leader).get(council_case.url))
    assert "convictions" not in {w["category"] for w in leader["withheld_categories"]}


def test_the_record_holds_permitted_sections_with_provenance_and_versions(
    personas: Personas, council_case: CouncilCase, worker: ApiCaller
) -> None:
    record = _json(worker.get(council_case.url))
    assert record["id"] == str(council_case.client_id)
    assert record["purpose"] == "support_coordination"
    assert record["display_name"].startswith("Morag ")
    qualifications = next(s for s in record["sections"] if s["key"] == "qualifications")
    assert qualifications["permitted"] is True
    assert qualifications["multiple"] is True
    [item] = qualifications["items"]
    assert item["id"] == council_case.qualification_id
    assert item["version"] == 1
    assert item["supplied_by"] == personas.council.name
    assert item["values"]["scqf_level"] == "SCQF05"
    assert item["display"]["scqf_level"] == "SCQF level 5"


def test_a_partner_sees_that_another_partners_items_are_withheld(personas: Personas, as_key: Caller) -> None:
    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5 Maths", "scqf_level": "SCQF05"},
    )
    engagement_open(actor=personas.college_worker, client=client)
    college = as_key(personas.college_worker)
    section = _json(college.get(f"{API}/clients/{client.pk}/sections/qualifications"))
    assert section["permitted"] is True
    assert section["items"] == []
    assert personas.council.name in section["withheld"][0]


def test_one_section(council_case: CouncilCase, worker: ApiCaller) -> None:
    section = _json(worker.get(f"{council_case.url}/sections/identity"))
    assert section["key"] == "identity"
    assert section["multiple"] is False
    assert section["items"][0]["values"]["date_of_birth"] == "1998-04-12"


def test_an_unknown_section_is_a_404_problem(council_case: CouncilCase, worker: ApiCaller) -> None:
    for response in (
        worker.get(f"{council_case.url}/sections/horoscope"),
        worker.put(f"{council_case.url}/sections/horoscope", {"version": None, "data": {}}),
        worker.post(f"{council_case.url}/sections/horoscope/items", {"data": {}}),
    ):
        assert response.status_code == 404
        assert "horoscope" in problem(response)["detail"]


def test_the_caseload_can_be_narrowed_to_the_key_workers_own(
    personas: Personas, council_case: CouncilCase, as_key: Caller
) -> None:
    led = make_client(personas.council_leader, given_name="Fiona")
    worker = as_key(personas.council_worker)
    everyone = _json(worker.get(f"{API}/clients?scope=organisation"))
    mine = _json(worker.get(f"{API}/clients?scope=mine"))
    assert {row["id"] for row in everyone} == {str(council_case.client_id), str(led.pk)}
    assert [row["id"] for row in mine] == [str(council_case.client_id)]
    assert mine[0]["date_of_birth"] == "1998-04-12"
    found = _json(worker.get(f"{API}/clients?q=Fiona"))
    assert [row["id"] for row in found] == [str(led.pk)]
    assert worker.get(f"{API}/clients?scope=everyone").status_code == 422


# --- changing ---------------------------------------------------------------------------------


def test_a_one_per_client_section_is_created_then_changed_with_its_version(
    council_case: CouncilCase, worker: ApiCaller
) -> None:
    url = f"{council_case.url}/sections/contact"
    created = worker.put(url, {"version": None, "data": {"email": "morag@example.org"}})
    assert created.status_code == 201, created.content
    assert _json(created)["version"] == 1
    assert _json(created)["location"] == url
    changed = worker.put(url, {"version": 1, "data": {"phone": "07700 900123"}})
    assert changed.status_code == 200
    assert _json(changed)["version"] == 2
    values = _json(worker.get(url))["items"][0]["values"]
    assert values == values | {"email": "morag@example.org", "phone": "07700900123"}


def test_a_concurrent_edit_is_a_409_with_both_versions_and_changes_nothing(
    council_case: CouncilCase, worker: ApiCaller
) -> None:
    url = f"{council_case.url}/sections/identity"
    assert worker.put(url, {"version": 1, "data": {"preferred_name": "Mo"}}).status_code == 200
    stale = worker.put(url, {"version": 1, "data": {"preferred_name": "Morag-Ann"}})
    assert stale.status_code == 409
    body = problem(stale)
    assert body["type"] == "https://ceangal.scot/problems/edit-conflict"
    assert (body["expected_version"], body["current_version"]) == (1, 2)
    assert _json(worker.get(url))["items"][0]["values"]["preferred_name"] == "Mo"


def test_an_unknown_field_in_data_is_named(council_case: CouncilCase, worker: ApiCaller) -> None:
    response = worker.put(f"{council_case.url}/sections/identity", {"version": 1, "data": {"favourite_colour": "blue"}})
    assert response.status_code == 422
    assert "favourite_colour" in problem(response)["errors"]

    response = worker.post(
        f"{council_case.url}/sections/qualifications/items",
        {"data": {"title": "X", "scqf_level": "SCQF05", "grade": "A"}},
    )
    assert response.status_code == 422
    assert "grade" in problem(response)["errors"]


def test_adding_and_changing_an_item_and_reading_its_history(council_case: CouncilCase, worker: ApiCaller) -> None:
    section_url = f"{council_case.url}/sections/qualifications"
    added = worker.post(f"{section_url}/items", {"data": {"title": "Higher Maths", "scqf_level": "SCQF06"}})
    assert added.status_code == 201, added.content
    item = _json(added)
    assert item["version"] == 1
    assert item["section"] == "qualifications"
    assert item["id"] in {i["id"] for i in _json(worker.get(section_url))["items"]}

    item_url = f"{section_url}/items/{item['id']}"
    changed = worker.patch(item_url, {"version": 1, "data": {"verified": True}})
    assert changed.status_code == 200, changed.content
    assert _json(changed)["version"] == 2

    history = _json(worker.get(f"{item_url}/history"))
    assert [entry["version"] for entry in history] == [2, 1]
    assert [entry["change"] for entry in history] == ["Changed", "Created"]
    assert history[0]["values"]["verified"] == "Yes"


def test_a_missing_item_is_a_404(council_case: CouncilCase, worker: ApiCaller) -> None:
    url = f"{council_case.url}/sections/qualifications/items/999999"
    assert worker.patch(url, {"version": 1, "data": {"verified": True}}).status_code == 404
    assert worker.get(f"{url}/history").status_code == 404


def test_patch_is_for_list_sections_and_put_for_one_per_client(council_case: CouncilCase, worker: ApiCaller) -> None:
    identity = _json(worker.get(f"{council_case.url}/sections/identity"))["items"][0]
    response = worker.patch(f"{council_case.url}/sections/identity/items/{identity['id']}", {"version": 1, "data": {}})
    assert response.status_code == 422
    assert "section" in problem(response)["errors"]
    history = _json(worker.get(f"{council_case.url}/sections/identity/items/{identity['id']}/history"))
    assert [entry["version"] for entry in history] == [1]

    response = worker.put(f"{council_case.url}/sections/qualifications", {"version": 1, "data": {}})
    assert response.status_code == 422


def test_a_version_is_required_to_change_an_existing_section(council_case: CouncilCase, worker: ApiCaller) -> None:
    response = worker.put(f"{council_case.url}/sections/identity", {"data": {"preferred_name": "Mo"}})
    assert response.status_code == 422
    assert "version" in problem(response)["errors"]


def test_only_the_supplier_may_change_an_item(personas: Personas, as_key: Caller) -> None:
    client = make_client(personas.council_worker)
    qualification = item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5", "scqf_level": "SCQF05"},
    )
    # The college starts working with the client too; the qualification is still the council's.
    engagement_open(actor=personas.college_worker, client=client)
    url = f"{API}/clients/{client.pk}/sections/qualifications/items/{qualification.pk}"
    response = as_key(personas.college_worker).patch(url, {"version": 1, "data": {"verified": True}})
    assert response.status_code == 403
    assert problem(response)["type"] == "https://ceangal.scot/problems/not-permitted"


def test_a_client_id_that_is_not_a_uuid_is_named(worker: ApiCaller) -> None:
    response = worker.get(f"{API}/clients/not-a-uuid")
    assert response.status_code == 422
    assert "path.client_id" in problem(response)["errors"]


def test_a_random_client_is_404(worker: ApiCaller) -> None:
    response = worker.get(f"{API}/clients/{uuid.uuid4()}")
    assert response.status_code == 404
    assert problem(response)["type"] == "https://ceangal.scot/problems/not-found"
