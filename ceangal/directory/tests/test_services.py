"""Publishing, changing and retiring services: who may, what is checked, what is recorded."""

from __future__ import annotations

import pytest

from ceangal.audit.models import AuditEvent
from ceangal.directory.models import Service, ServiceLocation
from ceangal.directory.services import LocationTerms, service_retire, service_update
from ceangal.directory.tests.factories import make_service, service_terms
from ceangal.errors import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db


def test_an_admin_publishes_a_service_of_their_organisation_audited(personas):
    service = make_service(personas.council_admin)
    assert service.organisation == personas.council
    assert service.stages == ["PS1", "PS2"]
    assert service.postcode_areas == ["KY1", "KY2"]
    assert service.locations.get().postcode == "KY1 1AA"
    event = AuditEvent.objects.get(action="service.created")
    assert event.object_id == str(service.pk)
    assert event.actor_id == personas.council_admin.user_id
    assert "name" in event.fields


def test_a_team_leader_may_publish_too(personas):
    assert make_service(personas.college_leader).organisation == personas.college


@pytest.mark.parametrize("who", ["council_worker", "council_dpo", "analyst", "inactive"])
def test_others_may_not_publish(personas, who):
    with pytest.raises(NotPermitted):
        make_service(getattr(personas, who))
    assert not Service.objects.exists()


def test_only_the_owning_organisation_changes_a_service(personas):
    service = make_service(personas.council_admin)
    with pytest.raises(NotPermitted):
        service_update(actor=personas.college_leader, service=service, terms=service_terms(name="Taken over"))
    with pytest.raises(NotPermitted):
        service_retire(actor=personas.college_leader, service=service, reason="No")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": " "}, "name"),
        ({"description": ""}, "description"),
        ({"stages": []}, "stages"),
        ({"stages": ["PS9"]}, "stages"),
        ({"needs": ["B_NOPE"]}, "needs"),
        ({"min_age": -1}, "min_age"),
        ({"max_age": 200}, "max_age"),
        ({"min_age": 30, "max_age": 20}, "max_age"),
        ({"local_authorities": ["S99999999"]}, "local_authorities"),
        ({"postcode_areas": ["KY1 1XX"]}, "postcode_areas"),
        ({"benefits": ["FREE_MONEY"]}, "benefits"),
        ({"places_available": -3}, "places_available"),
        ({"waiting_days": 99999}, "waiting_days"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"email": "", "phone": ""}, "email"),
        ({"categories_needed": ["gossip"]}, "categories_needed"),
        ({"locations": [LocationTerms(name="")]}, "locations[0].name"),
        ({"locations": [LocationTerms(name="Hub", postcode="NOWHERE")]}, "locations[0].postcode"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(personas, changes, field):
    with pytest.raises(InvalidInput) as caught:
        make_service(personas.council_admin, **changes)
    assert field in caught.value.errors, caught.value.errors
    assert not Service.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="service.").exists()


def test_every_problem_is_reported_at_once(personas):
    with pytest.raises(InvalidInput) as caught:
        make_service(personas.council_admin, name="", stages=[], email="x", min_age=-1)
    assert {"name", "stages", "email", "min_age"} <= set(caught.value.errors)


def test_superseded_council_codes_are_stored_as_their_replacement(personas):
    # S12000015 (Fife before 2018) was replaced by S12000047.
    service = make_service(personas.council_admin, local_authorities=["S12000015"])
    assert service.local_authorities == ["S12000047"]


def test_update_replaces_the_terms_and_records_the_fields_changed(personas):
    service = make_service(personas.council_admin)
    service_update(
        actor=personas.council_leader,
        service=service,
        terms=service_terms(places_available=0, locations=[LocationTerms(name="Glenrothes", postcode="ky7 5nx")]),
    )
    service.refresh_from_db()
    assert service.places_available == 0
    assert list(service.locations.values_list("postcode", flat=True)) == ["KY7 5NX"]
    event = AuditEvent.objects.get(action="service.updated")
    assert event.fields == ["locations", "places_available"]


def test_a_bad_update_changes_nothing(personas):
    service = make_service(personas.council_admin)
    with pytest.raises(InvalidInput):
        service_update(actor=personas.council_admin, service=service, terms=service_terms(name="", locations=[]))
    service.refresh_from_db()
    assert service.name == "Youth Employability Hub"
    assert ServiceLocation.objects.filter(service=service).count() == 1


def test_retire_needs_a_reason_and_happens_once(personas):
    service = make_service(personas.council_admin)
    with pytest.raises(InvalidInput) as caught:
        service_retire(actor=personas.council_admin, service=service, reason=" ")
    assert "retired_reason" in caught.value.errors
    service_retire(actor=personas.council_admin, service=service, reason="Funding ended.")
    service.refresh_from_db()
    assert not service.active
    assert service.retired_reason == "Funding ended."
    assert AuditEvent.objects.filter(action="service.retired", object_id=str(service.pk)).count() == 1
    with pytest.raises(InvalidInput) as caught:
        service_retire(actor=personas.council_admin, service=service, reason="Again")
    assert "active" in caught.value.errors


def test_an_edit_from_an_older_version_is_refused_not_overwritten(personas):
    from ceangal.errors import EditConflict

    service = make_service(personas.council_admin)
    assert service.version == 1
    service_update(
        actor=personas.council_leader, service=service, terms=service_terms(places_available=2), expected_version=1
    )
    service.refresh_from_db()
    assert service.version == 2
    with pytest.raises(EditConflict) as caught:
        service_update(
            actor=personas.council_admin, service=service, terms=service_terms(name="Stale"), expected_version=1
        )
    assert (caught.value.expected_version, caught.value.current_version) == (1, 2)
    service.refresh_from_db()
    assert service.name == "Youth Employability Hub"
    service_retire(actor=personas.council_admin, service=service, reason="Ended.")
    service.refresh_from_db()
    assert service.version == 3
