"""/referrals over the API: the same lifecycle, packet and checks as the pages."""

from __future__ import annotations

import pytest

from ceangal.api.tests.conftest import API, problem
from ceangal.directory.tests.factories import make_service
from ceangal.ledger.models import LedgerEntry
from ceangal.referrals.models import Referral
from ceangal.referrals.tests.world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(personas)


def _body(world, **extra):
    return {
        "client_id": str(world.client.pk),
        "service_id": world.service.pk,
        "reason": "Morag wants a college course in care.",
    } | extra


def test_draft_preview_send_accept_and_the_closed_loop(as_key, world, personas):
    council, college = as_key(personas.council_worker), as_key(personas.college_worker)
    created = council.post(f"{API}/referrals", _body(world))
    assert created.status_code == 201, created.content
    draft = created.json()
    assert created["Location"] == f"{API}/referrals/{draft['id']}"
    assert draft["status"] == "draft"
    assert draft["direction"] == "sent"

    preview = council.get(f"{API}/referrals/{draft['id']}/preview").json()
    by = {c["category"]: c for c in preview["categories"]}
    assert by["qualifications"]["shared"]
    assert by["qualifications"]["sections"][0]["items"][0]["values"]["title"] == "N5 English"
    assert not by["health"]["shared"]
    assert by["health"]["consent_missing"]
    assert preview["flags"] == []
    assert LedgerEntry.objects.filter(actor_staff_id=personas.council_worker.pk, channel="api").exists()

    # The college does not know of a draft.
    assert college.get(f"{API}/referrals/{draft['id']}").status_code == 404
    sent = council.post(f"{API}/referrals/{draft['id']}/send", {"version": draft["version"]})
    assert sent.status_code == 200, sent.content
    assert sent.json()["categories"] == ["identity", "contact", "qualifications"]

    waiting = college.get(f"{API}/referrals").json()
    assert [r["id"] for r in waiting] == [draft["id"]]
    seen = college.get(f"{API}/referrals/{draft['id']}").json()
    assert seen["client_name"] == "Morag Macleod"
    assert {s["key"] for s in seen["packet"]} >= {"identity", "qualifications"}
    assert "health" not in {s["key"] for s in seen["packet"]}
    # Only the packet: the client's record for support is still closed to the college.
    assert college.get(f"{API}/clients/{world.client.pk}").status_code == 404

    accepted = college.post(f"{API}/referrals/{draft['id']}/accept", {"version": seen["version"]})
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["fields_not_asked_again"] >= 6
    assert college.get(f"{API}/clients/{world.client.pk}").status_code == 200
    loop = council.get(f"{API}/referrals/{draft['id']}").json()
    assert loop["status"] == "accepted"
    assert loop["progress"] is not None
    assert [e["kind"] for e in loop["events"]] == ["created", "sent", "accepted"]


def test_stale_version_is_a_conflict_and_changes_nothing(as_key, world, personas):
    council, college = as_key(personas.council_worker), as_key(personas.college_worker)
    referral = council.post(f"{API}/referrals", _body(world, send=True)).json()
    college.post(f"{API}/referrals/{referral['id']}/request-information", {"question": "Mornings?"})
    stale = college.post(f"{API}/referrals/{referral['id']}/decline", {"reason": "no_capacity", "version": 1})
    assert stale.status_code in (409, 422)
    assert Referral.objects.get(pk=referral["id"]).status == "more_info"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"reason": ""}, "reason"),
        ({"categories": ["convictions"]}, "categories"),
    ],
)
def test_bad_referrals_name_the_field_and_save_nothing(as_key, world, personas, change, field):
    response = as_key(personas.council_worker).post(f"{API}/referrals", _body(world, **change))
    assert response.status_code == 422
    assert field in problem(response)["errors"]
    assert not Referral.objects.exists()


def test_own_and_inactive_services_are_refused(as_key, world, personas):
    own = make_service(personas.council_leader, name="Council Hub")
    response = as_key(personas.council_worker).post(f"{API}/referrals", _body(world, service_id=own.pk))
    assert response.status_code == 422
    assert "service_id" in problem(response)["errors"]
    assert not Referral.objects.exists()


def test_a_full_service_needs_an_override_note_to_send(as_key, world, personas):
    full = make_service(
        personas.college_leader,
        name="Full Course",
        places_available=0,
        min_age=None,
        max_age=None,
        local_authorities=[],
        postcode_areas=[],
    )
    council = as_key(personas.council_worker)
    refused = council.post(f"{API}/referrals", _body(world, service_id=full.pk, send=True))
    assert refused.status_code == 422
    assert "override_note" in problem(refused)["errors"]
    assert not Referral.objects.exists()
    sent = council.post(
        f"{API}/referrals", _body(world, service_id=full.pk, send=True, override_note="A place frees up on Monday.")
    )
    assert sent.status_code == 201
    assert sent.json()["flags"]


def test_messages_between_the_parties_only(as_key, world, personas):
    council, college = as_key(personas.council_worker), as_key(personas.college_worker)
    referral = council.post(f"{API}/referrals", _body(world, send=True)).json()
    sent = college.post(
        f"{API}/messages",
        {"referral_id": referral["id"], "to_organisation_id": personas.council.pk, "body": "Tuesday at ten?"},
    )
    assert sent.status_code == 201, sent.content
    wrong = council.post(
        f"{API}/messages",
        {"referral_id": referral["id"], "to_organisation_id": personas.outsider_org.pk, "body": "Hello"},
    )
    assert wrong.status_code == 422
    assert "to_organisation_id" in problem(wrong)["errors"]
    thread = council.get(f"{API}/referrals/{referral['id']}/messages").json()
    assert [m["body"] for m in thread] == ["Tuesday at ten?"]
    assert thread[0]["read_at"] is None  # read now; the response shows it as it was
    again = council.get(f"{API}/referrals/{referral['id']}/messages").json()
    assert again[0]["read_at"] is not None


def test_gaps_in_provision(as_key, personas):
    council = as_key(personas.council_worker)
    made = council.post(f"{API}/provision-gaps", {"description": "No childcare at any course", "need": "B_CHILDCARE"})
    assert made.status_code == 201, made.content
    assert [g["description"] for g in council.get(f"{API}/provision-gaps").json()] == ["No childcare at any course"]
    bad = council.post(f"{API}/provision-gaps", {"description": "", "need": "NOPE"})
    assert bad.status_code == 422
    assert set(problem(bad)["errors"]) == {"description", "need"}
