"""/me/notification-preferences and /webhooks through the API, as a partner's system uses them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ceangal.api.tests.conftest import API, ApiCaller, problem
from ceangal.notifications.models import NotificationPreference, WebhookDelivery, WebhookSubscription
from ceangal.partners.models import StaffMember
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db

Caller = Callable[[StaffMember], ApiCaller]


def _json(response: Any) -> Any:
    return json.loads(response.content)


def test_a_member_reads_and_changes_their_preferences(personas: Personas, as_key: Caller) -> None:
    kirsty = as_key(personas.council_worker)
    listed = {p["kind"]: p for p in _json(kirsty.get(f"{API}/me/notification-preferences"))}
    assert listed["new_message"]["enabled"] is True
    assert listed["break_glass_used"]["optional"] is False
    changed = kirsty.put(f"{API}/me/notification-preferences", {"preferences": {"new_message": False}})
    assert changed.status_code == 200
    assert {p["kind"]: p["enabled"] for p in _json(changed)}["new_message"] is False
    assert NotificationPreference.objects.get(staff=personas.council_worker).kind == "new_message"


def test_bad_preferences_are_a_422_naming_each_and_nothing_changes(personas: Personas, as_key: Caller) -> None:
    kirsty = as_key(personas.council_worker)
    response = kirsty.put(
        f"{API}/me/notification-preferences",
        {"preferences": {"training_due": False, "gossip": True, "new_message": False}},
    )
    assert response.status_code == 422
    body = problem(response)
    assert set(body["errors"]) == {"preferences.training_due", "preferences.gossip"}
    assert not NotificationPreference.objects.exists()


def test_an_admin_subscribes_gets_the_secret_once_and_deactivates(personas: Personas, as_key: Caller) -> None:
    ailsa = as_key(personas.council_admin)
    events = {e["name"] for e in _json(ailsa.get(f"{API}/webhooks/events"))}
    assert events == {
        "referral.created",
        "referral.accepted",
        "referral.declined",
        "consent.withdrawn",
        # Art 19 notices to recipients (clients.notices)
        "client.rectified",
        "client.erased",
        "client.restricted",
        "client.restriction_lifted",
    }
    created = ailsa.post(
        f"{API}/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["referral.created", "consent.withdrawn"]}
    )
    assert created.status_code == 201, created.content
    body = _json(created)
    subscription = WebhookSubscription.objects.get()
    assert body["secret"] == subscription.secret
    assert created["Location"] == f"{API}/webhooks/{subscription.pk}"
    one = _json(ailsa.get(created["Location"]))
    assert "secret" not in one
    assert one["events"] == ["consent.withdrawn", "referral.created"]
    assert body["secret"] not in ailsa.get(f"{API}/webhooks").content.decode()

    new_secret = _json(ailsa.post(f"{API}/webhooks/{subscription.pk}/secret"))["secret"]
    subscription.refresh_from_db()
    assert new_secret == subscription.secret != body["secret"]

    pinged = ailsa.post(f"{API}/webhooks/{subscription.pk}/ping")
    assert pinged.status_code == 202
    assert _json(pinged)["event"] == "ping"
    deliveries = _json(ailsa.get(f"{API}/webhooks/{subscription.pk}/deliveries"))
    assert [d["event"] for d in deliveries] == ["ping"]
    assert deliveries[0]["id"] == WebhookDelivery.objects.get().pk

    gone = ailsa.call("DELETE", f"{API}/webhooks/{subscription.pk}")
    assert gone.status_code == 200
    assert _json(gone)["active"] is False
    refused = ailsa.post(f"{API}/webhooks/{subscription.pk}/ping")
    assert refused.status_code == 422
    assert "subscription" in problem(refused)["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://crm.example.org/hook", "events": ["referral.created"]}, "url"),
        ({"url": "https://me:pw@crm.example.org/hook", "events": ["referral.created"]}, "url"),
        ({"url": "https://crm.example.org/hook", "events": ["client.created"]}, "events"),
        ({"url": "https://crm.example.org/hook", "events": []}, "events"),
    ],
)
def test_a_bad_subscription_is_a_422_naming_the_field_and_nothing_is_saved(
    personas: Personas, as_key: Caller, settings: Any, body: dict[str, Any], field: str
) -> None:
    settings.PRODUCTION = True
    response = as_key(personas.council_admin).post(f"{API}/webhooks", body)
    assert response.status_code == 422
    assert set(problem(response)["errors"]) == {field}
    assert not WebhookSubscription.objects.exists()
