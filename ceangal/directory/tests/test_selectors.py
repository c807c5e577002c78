"""Browsing and filtering the directory, and "services this client is eligible for"."""

from __future__ import annotations

import pytest

from ceangal.directory.selectors import service_get, service_matches, services_eligible_for, services_for
from ceangal.directory.services import service_retire
from ceangal.directory.tests.factories import make_service
from ceangal.errors import NotFound
from ceangal.testing.factories import make_organisation, make_partnership, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def directory(personas):
    youth = make_service(personas.council_admin)
    college = make_service(
        personas.college_leader,
        name="College Access Course",
        stages=["PS3"],
        needs=["B_LOWQUAL"],
        min_age=None,
        max_age=None,
        local_authorities=[],
        postcode_areas=[],
        benefits=["UC"],
        places_available=None,
    )
    gone = make_service(personas.council_admin, name="Old Scheme")
    service_retire(actor=personas.council_admin, service=gone, reason="Ended.")
    return youth, college, gone


def test_everyone_in_the_partnership_sees_its_active_services(personas, directory):
    youth, college, _gone = directory
    for who in ("council_worker", "college_worker", "outsider", "analyst"):
        assert services_for(getattr(personas, who)) == [college, youth]


def test_another_partnership_sees_none_of_them(personas, directory):
    other = make_staff(make_organisation(make_partnership("Elsewhere"), "Other Council"), "org_admin")
    assert services_for(other) == []
    with pytest.raises(NotFound):
        service_get(other, directory[0].pk)


def test_filters(personas, directory):
    youth, college, _gone = directory
    actor = personas.council_worker
    assert services_for(actor, stage="PS3") == [college]
    assert services_for(actor, need="B_CONF") == [youth]
    # A service that names no council area is open to people from anywhere.
    assert services_for(actor, local_authority="S12000049") == [college]
    assert services_for(actor, local_authority="S12000047") == [college, youth]


def test_retired_services_are_found_by_id_but_not_listed(personas, directory):
    gone = directory[2]
    assert gone not in services_for(personas.council_worker)
    assert service_get(personas.council_worker, gone.pk) == gone


def test_services_a_client_is_eligible_for(personas, directory):
    youth, college, _gone = directory
    actor = personas.college_worker
    assert services_eligible_for(actor, age=19, local_authority="S12000047", postcode="KY1 2AB", benefits=["UC"]) == [
        college,
        youth,
    ]
    assert services_eligible_for(actor, age=40, local_authority="S12000047", postcode="KY1 2AB", benefits=[]) == []
    matches = {m.service: m for m in service_matches(actor, age=40, benefits=["UC"])}
    assert matches[college].eligible
    assert matches[youth].unmet == ["The service is for people aged up to 24; the client is 40."]
    assert matches[youth].capacity == "5 places available; waiting time about 10 days."
