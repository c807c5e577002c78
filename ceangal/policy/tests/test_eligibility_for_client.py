"""Services a client may be eligible for: facts only from what the decision permits, unknown facts
named with the reason and not held against the client, and the ledger records what was used."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.utils import timezone

from ceangal.clients.services import engagement_open, item_add
from ceangal.directory.tests.factories import make_service
from ceangal.errors import NotFound
from ceangal.ledger.models import LedgerEntry
from ceangal.policy.eligibility import NOTHING_RECORDED, services_for_client
from ceangal.testing.factories import make_agreement, make_client

pytestmark = pytest.mark.django_db

FIFE, EDINBURGH = "S12000047", "S12000036"
CONFIDENCE = "Confidence or motivation"


def _born_years_ago(years: int) -> str:
    today = timezone.localdate()
    return today.replace(year=today.year - years, day=min(today.day, 28)).isoformat()


def _open(**criteria):
    """A service with only the given criteria (no age, area, postcode or benefit rule otherwise)."""
    base: dict[str, Any] = {
        "min_age": None,
        "max_age": None,
        "local_authorities": [],
        "postcode_areas": [],
        "benefits": [],
    }
    return base | criteria


def _entries(actor):
    return list(LedgerEntry.objects.filter(actor_staff_id=actor.pk).order_by("pk"))


def _by_name(found):
    return {o.service.name: o for o in found.services}


def test_eligible_and_ineligible_by_age_area_postcode_and_benefits(personas):
    worker = personas.council_worker
    client = make_client(
        worker, given_name="Ailsa", date_of_birth=_born_years_ago(20), postcode="KY1 2AB", local_authority=FIFE
    )
    item_add(actor=worker, client=client, section_key="benefits", data={"benefit": "UC"})
    item_add(
        actor=worker,
        client=client,
        section_key="benefits",
        data={"benefit": "HB", "started_on": "2020-01-01", "ended_on": "2021-01-01"},
    )
    make_service(personas.council_leader, name="Young people", **_open(min_age=16, max_age=24))
    make_service(personas.council_leader, name="Over 25s", **_open(min_age=25))
    make_service(personas.council_leader, name="Edinburgh only", **_open(local_authorities=[EDINBURGH]))
    make_service(personas.council_leader, name="Fife only", **_open(local_authorities=[FIFE]))
    make_service(personas.council_leader, name="KY1 district", **_open(postcode_areas=["KY1"]))
    make_service(personas.council_leader, name="EH area", **_open(postcode_areas=["EH"]))
    make_service(personas.council_leader, name="Universal Credit", **_open(benefits=["UC"]))
    make_service(personas.council_leader, name="Housing Benefit", **_open(benefits=["HB"]))

    found = services_for_client(actor=worker, client_id=client.pk)

    assert (found.age, found.local_authority, found.postcode, found.benefits) == (20, FIFE, "KY1 2AB", ["UC"])
    assert found.display_name.startswith("Ailsa")
    options = _by_name(found)
    eligible = {"Young people", "Fife only", "KY1 district", "Universal Credit"}
    assert {o.service.name for o in found.eligible} == eligible
    assert [o.eligible for o in found.services] == sorted((o.eligible for o in found.services), reverse=True)
    assert options["Over 25s"].unmet == ["The service is for people aged 25 and over; the client is 20."]
    assert "Fife" in options["Edinburgh only"].unmet[0]
    assert options["EH area"].unmet == ["The service covers postcodes EH; the client's postcode is outside them."]
    assert options["Housing Benefit"].unmet == ["The service is for people receiving Housing Benefit."]  # ended
    assert options["Young people"].capacity == "5 places available; waiting time about 10 days."
    assert [u.fact for u in found.unknown] == ["Needs"]  # none recorded


def test_stage_and_need_filter_and_needs_the_service_helps_with(personas):
    worker = personas.council_worker
    client = make_client(worker)
    item_add(
        actor=worker,
        client=client,
        section_key="support_needs",
        data={"need": "B_CONF", "severity": "HIGH", "identified_by": "SELF", "identified_on": "2024-01-01"},
    )
    make_service(personas.council_leader, name="Confidence", stages=["PS1"], needs=["B_CONF"])
    make_service(personas.council_leader, name="Transport", stages=["PS2"], needs=["B_TRANSPORT"])

    found = services_for_client(actor=worker, client_id=client.pk)
    assert found.needs == ["B_CONF"]
    assert _by_name(found)["Confidence"].helps_with == [CONFIDENCE]
    assert _by_name(found)["Transport"].helps_with == []
    assert [o.service.name for o in services_for_client(actor=worker, client_id=client.pk, stage="PS2").services] == [
        "Transport"
    ]
    assert [o.service.name for o in services_for_client(actor=worker, client_id=client.pk, need="B_CONF").services] == [
        "Confidence"
    ]


def test_a_withheld_section_makes_its_facts_unknown_with_the_reason_and_not_held_against_the_client(personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    council = personas.council_worker
    client = make_client(council, date_of_birth=_born_years_ago(40), local_authority=EDINBURGH, postcode="EH1 1AA")
    item_add(actor=council, client=client, section_key="benefits", data={"benefit": "HB"})
    engagement_open(actor=personas.college_worker, client=client)
    make_service(
        personas.council_leader, name="Young people in Fife", **_open(min_age=16, max_age=24, local_authorities=[FIFE])
    )
    make_service(personas.council_leader, name="Universal Credit", **_open(benefits=["UC"]))

    found = services_for_client(actor=personas.college_worker, client_id=client.pk)

    assert (found.age, found.local_authority, found.postcode, found.benefits, found.needs) == (
        None,
        None,
        None,
        None,
        None,
    )
    assert found.display_name == client.reference
    unknown = {u.fact: u for u in found.unknown}
    assert set(unknown) == {"Age, council area and postcode", "Benefits", "Needs"}
    assert "not agreed to share this with Fife College" in unknown["Age, council area and postcode"].reason
    assert "not agreed" in unknown["Benefits"].reason
    assert unknown["Needs"].reason == NOTHING_RECORDED
    # Unknown facts are not held against the client: both services are open to them as far as is known.
    assert {o.service.name for o in found.eligible} == {"Young people in Fife", "Universal Credit"}
    assert _entries(personas.college_worker) == []  # nothing of the client was used or shown


def test_nothing_recorded_is_unknown(personas):
    worker = personas.council_worker
    client = make_client(worker)
    found = services_for_client(actor=worker, client_id=client.pk)
    assert {u.fact: u.reason for u in found.unknown}["Benefits"] == NOTHING_RECORDED
    assert found.benefits is None


def test_the_ledger_records_the_name_and_the_categories_whose_facts_were_matched(personas):
    worker = personas.council_worker
    client = make_client(worker)
    make_service(personas.council_leader)
    found = services_for_client(actor=worker, client_id=client.pk)
    assert found.benefits is None
    [entry] = _entries(worker)
    assert (entry.client_id, entry.purpose, entry.channel) == (client.pk, "support_coordination", "page")
    assert entry.categories == ["identity"]

    item_add(actor=worker, client=client, section_key="benefits", data={"benefit": "UC"})
    item_add(
        actor=worker,
        client=client,
        section_key="support_needs",
        data={"need": "B_CONF", "severity": "LOW", "identified_by": "SELF", "identified_on": "2024-01-01"},
    )
    services_for_client(actor=worker, client_id=client.pk, channel="api")
    last = _entries(worker)[-1]
    assert sorted(last.categories) == ["benefits", "identity", "support_needs"]
    assert last.channel == "api"


def test_a_resolved_need_is_not_used(personas):
    worker = personas.council_worker
    client = make_client(worker)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()
    item_add(
        actor=worker,
        client=client,
        section_key="support_needs",
        data={
            "need": "B_CONF",
            "severity": "LOW",
            "identified_by": "SELF",
            "identified_on": "2024-01-01",
            "resolved_on": yesterday,
        },
    )
    found = services_for_client(actor=worker, client_id=client.pk)
    assert found.needs is None
    assert _entries(worker)[-1].categories == ["identity"]


def test_an_outsider_gets_not_found_and_nothing_is_recorded(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(NotFound) as forbidden:
        services_for_client(actor=personas.outsider, client_id=client.pk)
    with pytest.raises(NotFound) as missing:
        services_for_client(actor=personas.outsider, client_id=uuid.uuid4())
    assert str(forbidden.value) == str(missing.value)
    assert _entries(personas.outsider) == []
