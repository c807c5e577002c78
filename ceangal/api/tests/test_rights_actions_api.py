"""The API for acting on rights requests, legal holds and recipient notices: the same services as
the pages, problem+json that names the field, nothing changed on bad input."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import TestCase
from django.utils import timezone

from ceangal.api.tests.conftest import API, ApiCaller, problem
from ceangal.clients import models as cm
from ceangal.partners.models import StaffMember
from ceangal.policy.selectors import client_record
from ceangal.rights.tests.test_actions import World, make_world, request_of
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db

AsKey = Callable[[StaffMember], ApiCaller]


@pytest.fixture
def world(personas: Personas) -> World:
    return make_world(personas)


def test_a_correction_that_fails_validation_is_a_problem_naming_the_field(
    world: World, personas: Personas, as_key: AsKey
) -> None:
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose="support_coordination")
    rq = request_of(world, "rectification")
    dpo = as_key(personas.council_dpo)
    url = f"{API}/rights-requests/{rq.pk}/rectify"
    body = {"section": "qualifications", "item_id": world.qualification.pk, "version": 1}
    bad = dpo.post(url, {**body, "data": {"scqf_level": "NOT-A-LEVEL"}})
    assert bad.status_code == 422
    assert "scqf_level" in problem(bad)["errors"]
    assert not cm.RecipientNotice.objects.exists()
    good = dpo.post(url, {**body, "data": {"title": "N5 Lifeskills Maths"}})
    assert good.status_code == 200, good.content
    assert good.json()["fields_changed"] == ["title"]
    assert good.json()["notified_organisation_ids"] == [personas.college.pk]
    stale = dpo.post(url, {**body, "data": {"title": "N5 Maths"}})
    assert stale.status_code == 409


def test_erasure_is_refused_under_a_hold_then_carried_out(world: World, personas: Personas, as_key: AsKey) -> None:
    rq = request_of(world, "erasure")
    dpo = as_key(personas.council_dpo)
    placed = dpo.post(f"{API}/legal-holds", {"client_id": str(world.client.pk), "reason": "Claim", "reference": "ET/7"})
    assert placed.status_code == 201
    plan = dpo.get(f"{API}/rights-requests/{rq.pk}/erasure-plan").json()
    assert "ET/7" in plan["hold"]
    assert {o["name"] for o in plan["organisations"]} >= {"Fife Council Employability", "Fife College"}
    refused = dpo.post(f"{API}/rights-requests/{rq.pk}/erase", {"exemptions": []})
    assert refused.status_code == 422
    assert "hold" in problem(refused)["errors"]
    assert cm.IdentitySection.objects.filter(client=world.client).exists()
    assert dpo.post(f"{API}/legal-holds/{placed.json()['id']}/lift", {"note": "Settled"}).status_code == 200
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = dpo.post(f"{API}/rights-requests/{rq.pk}/erase", {"exemptions": []})
    assert done.status_code == 200, done.content
    assert done.json()["full"] is True
    assert cm.Client.objects.get(pk=world.client.pk).erased_at is not None


def test_restriction_and_its_lifting_and_the_notices_recipients_read(
    world: World, personas: Personas, as_key: AsKey
) -> None:
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose="support_coordination")
    rq = request_of(world, "restriction")
    dpo = as_key(personas.council_dpo)
    assert dpo.post(f"{API}/rights-requests/{rq.pk}/restrict", {"reason": ""}).status_code == 422
    assert dpo.post(f"{API}/rights-requests/{rq.pk}/restrict", {"reason": "Contested."}).status_code == 200
    unlifted = dpo.post(f"{API}/rights-requests/{rq.pk}/restriction/lift", {"client_told_on": None})
    assert unlifted.status_code == 422
    assert "client_told_on" in problem(unlifted)["errors"]
    assert cm.Client.objects.get(pk=world.client.pk).processing_restricted
    today = timezone.localdate().isoformat()
    assert dpo.post(f"{API}/rights-requests/{rq.pk}/restriction/lift", {"client_told_on": today}).status_code == 200
    college = as_key(personas.college_leader)
    notices = college.get(f"{API}/recipient-notices").json()
    assert [n["kind"] for n in notices] == ["restriction_lifted", "restriction"]
    assert {n["client_reference"] for n in notices} == {world.client.reference}
    assert as_key(personas.council_worker).get(f"{API}/recipient-notices").json() == []
    read = college.post(f"{API}/recipient-notices/{notices[0]['id']}/read")
    assert read.json()["read_at"] is not None
    assert len(college.get(f"{API}/recipient-notices?unread=true").json()) == 1


def test_acting_needs_the_right_kind_of_request(world: World, personas: Personas, as_key: AsKey) -> None:
    rq = request_of(world, "access")
    response = as_key(personas.council_dpo).post(f"{API}/rights-requests/{rq.pk}/objection", {"purpose": "evaluation"})
    assert response.status_code == 422
    assert "kind" in problem(response)["errors"]
    assert not cm.Objection.objects.exists()
