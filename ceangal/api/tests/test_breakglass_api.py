"""Break-glass through the API: narrow, reasoned, short-lived, and reviewed by the DPO."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from ceangal.api.tests.conftest import API, ApiCaller, problem
from ceangal.clients import models as cm
from ceangal.clients.services import item_add
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.models import BreakGlassGrant
from ceangal.testing.factories import Personas, make_client, make_organisation, make_partnership, make_staff

Caller = Callable[[StaffMember], ApiCaller]
REASON = "The client disclosed a risk of harm to a child during today's session."


@pytest.fixture
def client(personas: Personas) -> cm.Client:
    """A council client with a health item; the college does not work with them."""
    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="health",
        data={"condition_type": "MENTAL", "limitation": "LOT"},
    )
    return client


def _json(response: Any) -> Any:
    return json.loads(response.content)


def _open(caller: ApiCaller, client: cm.Client, **overrides: Any) -> Any:
    body = {"categories": ["health"], "ground": "safeguarding", "reason": REASON} | overrides
    return caller.post(f"{API}/clients/{client.pk}/break-glass", body)


def test_break_glass_opens_only_the_categories_chosen_and_tells_the_dpos(
    client: cm.Client, personas: Personas, as_key: Caller, django_capture_on_commit_callbacks: Any
) -> None:
    college = as_key(personas.college_worker)
    assert college.get(f"{API}/clients/{client.pk}").status_code == 404

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = _open(college, client)
    assert response.status_code == 201, response.content
    opened = _json(response)
    expires_at = dt.datetime.fromisoformat(opened["expires_at"])
    assert timezone.now() < expires_at <= timezone.now() + dt.timedelta(hours=24)
    assert len(mail.outbox) == 2  # one to each DPO of the partnership
    assert all(client.reference not in m.body for m in mail.outbox)

    record = _json(college.get(f"{API}/clients/{client.pk}"))
    health = next(s for s in record["sections"] if s["key"] == "health")
    assert health["permitted"] is True
    assert len(health["items"]) == 1
    assert "qualifications" in {w["category"] for w in record["withheld_categories"]}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"reason": "urgent"}, "reason"),
        ({"ground": "curiosity"}, "ground"),
        ({"categories": []}, "categories"),
        ({"categories": ["convictions"]}, "categories"),  # a key worker is not cleared for them
    ],
)
def test_bad_requests_are_named_and_nothing_is_opened(
    client: cm.Client, personas: Personas, as_key: Caller, overrides: dict[str, Any], field: str
) -> None:
    response = _open(as_key(personas.college_worker), client, **overrides)
    assert response.status_code == 422
    assert field in problem(response)["errors"]
    assert not BreakGlassGrant.objects.exists()


def test_a_client_that_does_not_exist_is_404(personas: Personas, as_key: Caller) -> None:
    response = as_key(personas.college_worker).post(
        f"{API}/clients/{uuid.uuid4()}/break-glass",
        {"categories": ["health"], "ground": "safeguarding", "reason": REASON},
    )
    assert response.status_code == 404
    problem(response)


@pytest.mark.parametrize("who", ["untrained", "analyst", "council_dpo", "council_admin"])
def test_only_trained_caseworkers_may_break_the_glass(
    client: cm.Client, personas: Personas, as_key: Caller, who: str
) -> None:
    response = _open(as_key(getattr(personas, who)), client)
    assert response.status_code == 403
    problem(response)
    assert not BreakGlassGrant.objects.exists()


# --- the DPO's review -------------------------------------------------------------------------


def test_the_dpo_reviews_the_queue_and_an_unjustified_grant_ends_at_once(
    client: cm.Client, personas: Personas, as_key: Caller
) -> None:
    grant_id = _json(_open(as_key(personas.college_worker), client))["id"]
    dpo = as_key(personas.council_dpo)

    [queued] = _json(dpo.get(f"{API}/break-glass"))
    assert queued["id"] == grant_id
    assert queued["client_reference"] == client.reference
    assert queued["organisation"] == personas.college.name
    assert queued["reviewed"] is False
    assert queued["reason"] == REASON

    missing_note = dpo.post(f"{API}/break-glass/{grant_id}/review", {"outcome": "not_justified", "note": ""})
    assert missing_note.status_code == 422
    assert set(problem(missing_note)["errors"]) == {"note"}

    response = dpo.post(
        f"{API}/break-glass/{grant_id}/review",
        {"outcome": "not_justified", "note": "No risk was recorded; spoken to the team leader."},
    )
    assert response.status_code == 200, response.content
    reviewed = _json(response)
    assert reviewed["outcome"] == "not_justified"
    assert dt.datetime.fromisoformat(reviewed["expires_at"]) <= timezone.now()
    assert as_key(personas.college_worker).get(f"{API}/clients/{client.pk}").status_code == 404

    assert _json(dpo.get(f"{API}/break-glass")) == []
    [done] = _json(dpo.get(f"{API}/break-glass?include_reviewed=true"))
    assert done["reviewed"] is True

    again = dpo.post(f"{API}/break-glass/{grant_id}/review", {"outcome": "justified", "note": "Second thoughts."})
    assert again.status_code == 422
    assert "outcome" in problem(again)["errors"]


def test_only_a_dpo_sees_the_queue(client: cm.Client, personas: Personas, as_key: Caller) -> None:
    _open(as_key(personas.college_worker), client)
    for who in ("college_worker", "council_leader", "council_admin"):
        response = as_key(getattr(personas, who)).get(f"{API}/break-glass")
        assert response.status_code == 403, who
        problem(response)


def test_to_anyone_but_a_dpo_of_the_partnership_a_grant_is_not_found(
    client: cm.Client, personas: Personas, as_key: Caller
) -> None:
    grant_id = _json(_open(as_key(personas.college_worker), client))["id"]
    body = {"outcome": "justified", "note": "Looks fine to me."}
    other_dpo = make_staff(make_organisation(make_partnership("Another partnership"), "Far Council"), Role.DPO)
    for staff in (personas.college_leader, other_dpo):
        caller = as_key(staff)
        forbidden = caller.post(f"{API}/break-glass/{grant_id}/review", body)
        missing = caller.post(f"{API}/break-glass/999999/review", body)
        assert forbidden.status_code == missing.status_code == 404
        assert problem(forbidden) == problem(missing)
    assert BreakGlassGrant.objects.get(pk=grant_id).reviewed_at is None


def test_another_partnerships_client_is_404_like_an_unknown_one(personas: Personas, as_key: Caller) -> None:
    elsewhere = make_staff(make_organisation(make_partnership("Another partnership"), "Far Council"), Role.KEY_WORKER)
    far_client = make_client(elsewhere)
    college = as_key(personas.college_worker)
    foreign = _open(college, far_client)
    unknown = college.post(
        f"{API}/clients/{uuid.uuid4()}/break-glass",
        {"categories": ["health"], "ground": "safeguarding", "reason": REASON},
    )
    assert foreign.status_code == unknown.status_code == 404
    assert problem(foreign)["type"] == problem(unknown)["type"]
    assert problem(foreign)["detail"] == problem(unknown)["detail"]
    assert not BreakGlassGrant.objects.exists()
