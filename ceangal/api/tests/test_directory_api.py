"""/directory over the API: the same services, checks and HSDS files as the pages."""

from __future__ import annotations

import copy

import pytest

from ceangal.api.tests.conftest import API, problem
from ceangal.directory.models import Service
from ceangal.directory.tests.factories import make_service

pytestmark = pytest.mark.django_db

BODY = {
    "name": "Work Clubs",
    "description": "Weekly job search sessions.",
    "stages": ["PS4"],
    "min_age": 18,
    "local_authorities": ["S12000047"],
    "email": "workclubs@example.org",
    "categories_needed": ["identity", "contact"],
    "locations": [{"name": "Library", "postcode": "ky1 1yg"}],
}


def test_publish_read_change_and_retire(as_key, personas):
    leader = as_key(personas.council_leader)
    created = leader.post(f"{API}/directory", BODY)
    assert created.status_code == 201, created.content
    service = created.json()
    assert created["Location"] == f"{API}/directory/{service['id']}"
    assert service["organisation"] == "Fife Council Employability"
    assert service["locations"][0]["postcode"] == "KY1 1YG"
    assert service["capacity"] == "Places are not limited."
    changed = leader.put(f"{API}/directory/{service['id']}", BODY | {"places_available": 0})
    assert changed.json()["capacity"] == "No places available at the moment."
    retired = leader.post(f"{API}/directory/{service['id']}/retire", {"reason": "Merged."})
    assert retired.json()["active"] is False
    assert as_key(personas.outsider).get(f"{API}/directory/{service['id']}").json()["retired_reason"] == "Merged."


def test_bad_input_is_a_validation_problem_naming_each_field(as_key, personas):
    response = as_key(personas.council_admin).post(
        f"{API}/directory", BODY | {"stages": ["PS9"], "max_age": 10, "locations": [{"name": "", "postcode": "x"}]}
    )
    assert response.status_code == 422
    assert set(problem(response)["errors"]) == {"stages", "max_age", "locations[0].name", "locations[0].postcode"}
    assert not Service.objects.exists()


def test_list_filters_and_eligibility(as_key, personas):
    hub = make_service(personas.council_admin)
    course = make_service(
        personas.college_leader, name="Access Course", stages=["PS3"], needs=["B_LOWQUAL"], min_age=None, max_age=None
    )
    caller = as_key(personas.outsider)
    assert [s["name"] for s in caller.get(f"{API}/directory").json()] == [course.name, hub.name]
    assert [s["name"] for s in caller.get(f"{API}/directory?stage=PS3").json()] == [course.name]
    assert [s["name"] for s in caller.get(f"{API}/directory?age=40&postcode=KY1%201AA").json()] == [course.name]
    assert caller.get(f"{API}/directory?need=B_CONF").json()[0]["id"] == hub.pk


def test_hsds_export_and_import(as_key, personas):
    make_service(personas.council_admin)
    admin = as_key(personas.council_admin)
    document = admin.get(f"{API}/directory/hsds").json()
    assert document["services"][0]["minimum_age"] == 16
    bad = copy.deepcopy(document)
    bad["services"][0]["minimum_age"] = "sixteen"
    bad["services"][0]["name"] = "Renamed"
    refused = admin.post(f"{API}/directory/hsds", bad)
    assert refused.status_code == 422
    assert problem(refused)["errors"] == {"services[0].minimum_age": ["must be a whole number."]}
    assert Service.objects.get().name == "Youth Employability Hub"
    document["services"][0]["name"] = "Renamed"
    assert admin.post(f"{API}/directory/hsds", document).json() == {"created": 0, "updated": 1}
    assert Service.objects.get().name == "Renamed"


def test_a_stale_version_is_an_edit_conflict(as_key, personas):
    hub = make_service(personas.council_admin)
    leader = as_key(personas.council_leader)
    assert leader.put(f"{API}/directory/{hub.pk}", BODY | {"version": 1}).json()["version"] == 2
    stale = leader.put(f"{API}/directory/{hub.pk}", BODY | {"name": "Stale", "version": 1})
    assert stale.status_code == 409
    assert problem(stale)["current_version"] == 2
    assert Service.objects.get().name == "Work Clubs"
