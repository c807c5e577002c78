"""Open Referral UK / HSDS 3 JSON: export, round trip, and refusing a bad file whole."""

from __future__ import annotations

import copy
import json
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ceangal.audit.models import AuditEvent
from ceangal.directory.hsds import export_document
from ceangal.directory.hsds_import import directory_import, parse_json
from ceangal.directory.models import Service
from ceangal.directory.services import ServiceTerms
from ceangal.directory.tests.factories import make_service
from ceangal.errors import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(personas):
    make_service(personas.council_admin, benefits=["UC"])
    make_service(personas.college_leader, name="Access to College", stages=["PS3"], locations=[], waiting_days=None)
    return export_document(personas.partnership)


def test_export_is_in_hsds_shape(personas, exported):
    assert exported["hsds_version"] == "3.1"
    assert {o["name"] for o in exported["organizations"]} >= {"Fife Council Employability", "Fife College"}
    hub = next(s for s in exported["services"] if s["name"] == "Youth Employability Hub")
    council = next(o for o in exported["organizations"] if o["name"] == "Fife Council Employability")
    assert hub["organization_id"] == council["id"]
    assert hub["status"] == "active"
    assert (hub["minimum_age"], hub["maximum_age"]) == (16, 24)
    assert hub["eligibility_description"] == "Not in full-time education."
    assert hub["capacities"][0]["available"] == 5
    areas = {a["extent"]: a for a in hub["service_areas"]}
    assert areas["S12000047"]["uri"].endswith("/S12000047")
    assert areas["S12000047"]["name"] == "Fife"
    assert "KY1" in areas
    terms = {(a["taxonomy_term"]["taxonomy"], a["taxonomy_term"]["code"]) for a in hub["attributes"]}
    assert {("ceangal:pipeline_stage", "PS1"), ("ceangal:benefit", "UC"), ("ceangal:data_category", "contact")} <= terms
    link = exported["service_at_locations"][0]
    assert link["service_id"] == hub["id"]
    assert exported["locations"][0]["addresses"][0]["postal_code"] == "KY1 1AA"


def _stored():
    return sorted(
        (
            s.name,
            s.organisation_id,
            tuple(s.stages),
            tuple(s.needs),
            s.min_age,
            s.max_age,
            tuple(s.local_authorities),
            tuple(s.postcode_areas),
            tuple(s.benefits),
            s.other_criteria,
            s.places_available,
            s.waiting_days,
            s.email,
            s.phone,
            s.referral_instructions,
            tuple(s.categories_needed),
            s.active,
            tuple((loc.name, loc.postcode) for loc in s.locations.all()),
        )
        for s in Service.objects.all()
    )


def test_round_trip_changes_nothing(personas, exported):
    before = _stored()
    result = directory_import(actor=None, partnership=personas.partnership, document=exported)
    assert (result.created, result.updated) == (0, 2)
    assert _stored() == before


def test_import_into_an_empty_directory_recreates_it(personas, exported):
    before = _stored()
    Service.objects.all().delete()
    result = directory_import(actor=None, partnership=personas.partnership, document=json.loads(json.dumps(exported)))
    assert (result.created, result.updated) == (2, 0)
    assert _stored() == before
    assert AuditEvent.objects.filter(action="directory.imported").count() == 1


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (lambda d: d["services"][1].__setitem__("minimum_age", "sixteen"), "services[1].minimum_age", "whole number"),
        (lambda d: d["services"][0].pop("name"), "services[0].name", "required"),
        (lambda d: d["services"][0].pop("status"), "services[0].status", "required"),
        (lambda d: d["services"][0].__setitem__("id", "not-a-uuid"), "services[0].id", "UUID"),
        (
            lambda d: d["services"][0].__setitem__("organization_id", "x"),
            "services[0].organization_id",
            "no organization",
        ),
        (lambda d: d["services"][0].__setitem__("status", "open"), "services[0].status", "must be one of"),
        (lambda d: d["services"][0].__setitem__("email", "nope"), "services[0].email", "email address"),
        (lambda d: d["services"][0].__setitem__("maximum_age", 5), "services[0].maximum_age", "maximum age"),
        (
            lambda d: d["services"][0]["attributes"][0]["taxonomy_term"].__setitem__("code", "PS99"),
            "services[0].attributes",
            "PS99",
        ),
        (
            lambda d: (
                d["organizations"][0].__setitem__("name", "Nobody Ltd") or d["organizations"][0].__setitem__("id", "x")
            ),
            "organizations[0].name",
            "Nobody Ltd",
        ),
        (lambda d: d.pop("services"), "services", "required"),
        (
            lambda d: d["locations"][0]["addresses"][0].__setitem__("postal_code", "ZZZ"),
            "locations[0].postal_code",
            "postcode",
        ),
        (
            lambda d: d["service_at_locations"][0].__setitem__("location_id", "nowhere"),
            "service_at_locations[0].location_id",
            "no location",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_path_and_imports_nothing(personas, exported, mutate, path, message):
    document = copy.deepcopy(exported)
    document["services"][0]["name"] = "Renamed by the file"
    mutate(document)
    before = _stored()
    with pytest.raises(InvalidInput) as caught:
        directory_import(actor=None, partnership=personas.partnership, document=document)
    assert path in caught.value.errors, caught.value.errors
    assert message in " ".join(caught.value.errors[path])
    assert _stored() == before
    assert not AuditEvent.objects.filter(action="directory.imported").exists()


def test_a_file_that_is_not_json_names_the_line():
    with pytest.raises(InvalidInput) as caught:
        parse_json(b'{\n  "services": [\n    {"id": }\n  ]\n}')
    assert caught.value.errors["file"][0].startswith("line 3, column")


def test_a_file_that_is_not_an_object():
    with pytest.raises(InvalidInput) as caught:
        directory_import(actor=None, partnership=None, document=[])  # type: ignore[arg-type]
    assert "(file)" in caught.value.errors


def test_staff_import_only_their_own_organisations_services(personas, exported):
    with pytest.raises(InvalidInput) as caught:
        directory_import(actor=personas.council_admin, partnership=personas.partnership, document=exported)
    college_index = next(i for i, s in enumerate(exported["services"]) if s["name"] == "Access to College")
    assert f"services[{college_index}].organization_id" in caught.value.errors
    with pytest.raises(NotPermitted):
        directory_import(actor=personas.council_worker, partnership=personas.partnership, document=exported)
    own = {**exported, "services": [s for s in exported["services"] if s["name"] != "Access to College"]}
    own["service_at_locations"] = [
        link for link in own["service_at_locations"] if link["service_id"] in {s["id"] for s in own["services"]}
    ]
    assert directory_import(actor=personas.council_admin, partnership=personas.partnership, document=own).updated == 1


def test_commands_round_trip(personas, exported, tmp_path):
    out = tmp_path / "directory.json"
    call_command("directory_export", personas.partnership.slug, "--output", str(out), stdout=StringIO())
    assert json.loads(out.read_text())["services"]
    stdout = StringIO()
    call_command("directory_import", personas.partnership.slug, str(out), stdout=stdout)
    assert "0 services added, 2 changed" in stdout.getvalue()
    bad = tmp_path / "bad.json"
    document = json.loads(out.read_text())
    document["services"][0]["minimum_age"] = 1.5
    bad.write_text(json.dumps(document))
    with pytest.raises(CommandError, match=r"services\[0\]\.minimum_age: must be a whole number"):
        call_command("directory_import", personas.partnership.slug, str(bad), stdout=StringIO())


def test_service_terms_field_names_are_all_mapped():
    from ceangal.directory.hsds_import import HSDS_PATH
    from ceangal.directory.services import STORED_FIELDS

    assert set(STORED_FIELDS) == set(HSDS_PATH)
    assert ServiceTerms.__dataclass_fields__.keys() - set(STORED_FIELDS) == {"locations"}


def test_a_location_shared_by_two_services_is_kept_by_each(personas, exported):
    document = copy.deepcopy(exported)
    hub, course = document["services"][1], document["services"][0]
    assert hub["name"] == "Youth Employability Hub"
    location_id = document["service_at_locations"][0]["location_id"]
    document["service_at_locations"].append(
        {"id": str(uuid.uuid4()), "service_id": course["id"], "location_id": location_id}
    )
    Service.objects.all().delete()
    assert directory_import(actor=None, partnership=personas.partnership, document=document).created == 2
    postcodes = {s.name: [loc.postcode for loc in s.locations.all()] for s in Service.objects.all()}
    assert postcodes == {"Youth Employability Hub": ["KY1 1AA"], "Access to College": ["KY1 1AA"]}
    # And again: the same file changes nothing and breaks no uniqueness.
    assert directory_import(actor=None, partnership=personas.partnership, document=document).updated == 2


def test_a_location_id_held_by_a_service_outside_the_file_is_given_a_new_one(personas, exported):
    document = copy.deepcopy(exported)
    hub = next(s for s in document["services"] if s["name"] == "Youth Employability Hub")
    hub["id"] = str(uuid.uuid4())
    document["services"] = [hub]
    document["service_at_locations"][0]["service_id"] = hub["id"]
    assert directory_import(actor=None, partnership=personas.partnership, document=document).created == 1
    assert Service.objects.count() == 3
