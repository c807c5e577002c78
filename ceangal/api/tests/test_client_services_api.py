"""GET /api/v1/clients/{id}/services: the services a client may be eligible for, over the API."""

from __future__ import annotations

import pytest

from ceangal.api.tests.conftest import API
from ceangal.clients.services import engagement_open, item_add
from ceangal.directory.tests.factories import make_service
from ceangal.ledger.models import LedgerEntry
from ceangal.testing.factories import make_agreement, make_client

pytestmark = pytest.mark.django_db


def test_eligible_first_with_reasons_facts_and_the_ledger(as_key, personas):
    worker = personas.council_worker
    client = make_client(worker, given_name="Ailsa", family_name="Synthetic")
    item_add(actor=worker, client=client, section_key="benefits", data={"benefit": "UC"})
    item_add(
        actor=worker,
        client=client,
        section_key="support_needs",
        data={"need": "B_CONF", "severity": "LOW", "identified_by": "SELF", "identified_on": "2024-01-01"},
    )
    make_service(personas.council_leader, name="A: Housing Benefit only", benefits=["HB"], min_age=None, max_age=None)
    hub = make_service(personas.council_leader, name="Z: Hub", min_age=None, max_age=None)

    response = as_key(worker).get(f"{API}/clients/{client.pk}/services")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["name"] == "Ailsa Synthetic"
    assert body["facts"] == {
        "age": body["facts"]["age"],
        "local_authority": "S12000047",
        "postcode": "KY1 1XX",
        "benefits": ["UC"],
        "needs": ["B_CONF"],
    }
    assert body["unknown"] == []
    first, second = body["services"]
    assert (first["id"], first["eligible"], first["unmet"]) == (hub.pk, True, [])
    assert first["helps_with"] == ["B_CONF"]
    assert first["capacity"] == "5 places available; waiting time about 10 days."
    assert second["eligible"] is False
    assert second["unmet"] == ["The service is for people receiving Housing Benefit."]
    [entry] = LedgerEntry.objects.filter(actor_staff_id=worker.pk)
    assert sorted(entry.categories) == ["benefits", "identity", "support_needs"]
    assert entry.channel == "api"

    filtered = as_key(worker).get(f"{API}/clients/{client.pk}/services?stage=PS5").json()
    assert filtered["services"] == []


def test_a_partner_without_consent_gets_unknown_facts_with_reasons(as_key, personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    client = make_client(personas.council_worker)
    engagement_open(actor=personas.college_worker, client=client)
    body = as_key(personas.college_worker).get(f"{API}/clients/{client.pk}/services").json()
    assert body["name"] == client.reference
    assert body["facts"] == {"age": None, "local_authority": None, "postcode": None, "benefits": None, "needs": None}
    reasons = {u["fact"]: u["reason"] for u in body["unknown"]}
    assert "not agreed to share this with Fife College" in reasons["Age, council area and postcode"]
    assert not LedgerEntry.objects.filter(actor_staff_id=personas.college_worker.pk).exists()


def test_an_outsider_gets_not_found(as_key, personas):
    client = make_client(personas.council_worker)
    assert as_key(personas.outsider).get(f"{API}/clients/{client.pk}/services").status_code == 404
