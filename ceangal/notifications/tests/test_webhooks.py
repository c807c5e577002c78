"""Webhooks end to end against a real HTTP server on this machine: signed POSTs, retries with
back-off, giving up, and the payload and URL rules."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.notifications import webhooks
from ceangal.notifications.models import WebhookDelivery, WebhookSubscription
from ceangal.notifications.tasks import deliver_due_webhooks
from ceangal.partners.roles import Role
from ceangal.testing.factories import Personas, make_staff

pytestmark = pytest.mark.django_db


@dataclass
class Receiver:
    """A partner's endpoint: records every request and answers with the next planned status."""

    url: str
    answers: list[int] = field(default_factory=list)
    received: list[dict[str, Any]] = field(default_factory=list)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append({"headers": dict(self.headers), "body": body, "path": self.path})
            status = state.answers.pop(0) if state.answers else 204
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/ceangal/events"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def _closed_port_url() -> str:
    """An address where nothing listens: the connection is refused."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def _subscribe(personas: Personas, url: str, events: list[str] | None = None) -> tuple[WebhookSubscription, str]:
    return webhooks.subscription_create(
        actor=personas.council_admin, url=url, events=events or ["referral.created"], description="Our CRM"
    )


def _emit(capture: Any, **payload: object) -> int:
    with capture(execute=True):
        return webhooks.emit(
            "referral.created",
            organisation_ids=[payload.pop("organisation_id")],  # type: ignore[list-item]
            payload=payload or {"referral_id": "5d6f6a4e-6a39-4b7e-9d8b-0f8c2f5d3c11", "link": "/referrals/1/"},
        )


def test_the_receiver_gets_a_signed_post_that_verifies_with_the_secret(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    _subscription, secret = _subscribe(personas, receiver.url)
    assert secret.startswith("whsec_")
    assert _emit(django_capture_on_commit_callbacks, organisation_id=personas.council.pk) == 1
    [request] = receiver.received
    headers, body = request["headers"], request["body"]
    assert request["path"] == "/ceangal/events"
    # What a partner does: split the header, recompute the HMAC over "<t>.<body>", compare.
    parts = dict(item.split("=", 1) for item in headers["Ceangal-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(parts["v1"], expected)
    assert abs(int(parts["t"]) - int(timezone.now().timestamp())) < 60
    wrong = hmac.new(b"whsec_not-the-secret", f"{parts['t']}.".encode() + body, hashlib.sha256).hexdigest()
    assert parts["v1"] != wrong
    document = json.loads(body)
    delivery = WebhookDelivery.objects.get()
    assert headers["Ceangal-Event"] == "referral.created"
    assert headers["Ceangal-Delivery"] == str(delivery.pk)
    assert headers["Content-Type"] == "application/json"
    assert document["event"] == "referral.created"
    assert document["id"] == str(delivery.event_id)
    assert document["data"] == {"referral_id": "5d6f6a4e-6a39-4b7e-9d8b-0f8c2f5d3c11"}
    assert document["link"].endswith("/referrals/1/")
    assert document["link"].startswith("http")
    assert dt.datetime.fromisoformat(document["occurred_at"])
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("delivered", 1, 204)
    assert delivery.delivered_at is not None


def test_a_500_is_retried_after_a_minute_then_delivered_by_the_sweep(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    _subscribe(personas, receiver.url)
    receiver.answers = [500]
    _emit(django_capture_on_commit_callbacks, organisation_id=personas.council.pk)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert delivery.next_attempt_at is not None
    wait = delivery.next_attempt_at - timezone.now()
    assert dt.timedelta(seconds=50) < wait <= dt.timedelta(minutes=1)
    # Not due yet: the sweep leaves it alone.
    assert deliver_due_webhooks.call() == 0
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
    assert deliver_due_webhooks.call() == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("delivered", 2)
    assert len(receiver.received) == 2
    # The retry is the same event, signed afresh.
    assert receiver.received[0]["body"] == receiver.received[1]["body"]


def test_a_refused_connection_is_retried_with_growing_waits_and_then_given_up(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    _subscribe(personas, _closed_port_url())
    _emit(django_capture_on_commit_callbacks, organisation_id=personas.council.pk)
    delivery = WebhookDelivery.objects.get()
    waits = []
    while delivery.status == "pending":
        assert "Could not reach the receiver" in delivery.last_error
        assert delivery.last_status_code is None
        assert delivery.next_attempt_at is not None
        waits.append(delivery.next_attempt_at - timezone.now())
        WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())
        webhooks.delivery_attempt(delivery.pk)
        delivery.refresh_from_db()
    assert delivery.status == "failed"
    assert delivery.attempts == webhooks.MAX_ATTEMPTS == 6
    assert delivery.next_attempt_at is None
    for wait, planned in zip(waits, webhooks.RETRY_DELAYS, strict=True):
        assert planned - dt.timedelta(seconds=10) < wait <= planned
    # A failed delivery is never tried again.
    assert webhooks.delivery_attempt(delivery.pk) is None


def test_a_delivery_is_not_sent_twice_at_once(personas: Personas, receiver: Receiver) -> None:
    subscription, _secret = _subscribe(personas, receiver.url)
    with transaction.atomic():
        [delivery] = webhooks._deliver_to([subscription], "referral.created", {"referral_id": 7})
    # The first attempt claims it; a second worker finds it not due.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() + webhooks.CLAIM)
    assert webhooks.delivery_attempt(delivery.pk) is None
    assert receiver.received == []


def test_only_active_subscriptions_of_the_named_organisations_that_listen_get_the_event(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    listening, _ = _subscribe(personas, receiver.url)
    deaf, _ = _subscribe(personas, receiver.url + "/deaf", events=["consent.withdrawn"])
    off, _ = _subscribe(personas, receiver.url + "/off")
    webhooks.subscription_deactivate(actor=personas.council_admin, subscription=off)
    college_admin = make_staff(personas.college, Role.ORG_ADMIN, first_name="Cara")
    webhooks.subscription_create(actor=college_admin, url=receiver.url + "/college", events=["referral.created"])
    assert _emit(django_capture_on_commit_callbacks, organisation_id=personas.council.pk) == 1
    assert [r["path"] for r in receiver.received] == ["/ceangal/events"]
    assert list(WebhookDelivery.objects.values_list("subscription_id", flat=True)) == [listening.pk]
    assert not deaf.deliveries.exists()
    assert not off.deliveries.exists()


def test_a_rolled_back_event_leaves_no_delivery(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    _subscribe(personas, receiver.url)

    def referral_fails() -> None:
        with transaction.atomic():
            webhooks.emit("referral.created", organisation_ids=[personas.council.pk], payload={"referral_id": 1})
            raise RuntimeError("the referral failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        referral_fails()
    assert not WebhookDelivery.objects.exists()
    assert receiver.received == []


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"referral_id": 1, "given_name": "Morag"}, "'given_name'"),
        ({"packet": {"identity": {"given_name": "Morag"}}}, "'packet'"),
        ({"client_id": "Morag Macpherson"}, "'client_id'"),
        ({"status": "Morag has epilepsy"}, "'status'"),
        ({"link": "https://evil.example/"}, "'link'"),
    ],
)
def test_a_payload_with_anything_but_ids_statuses_times_and_a_link_is_refused(
    personas: Personas, receiver: Receiver, payload: dict[str, object], named: str
) -> None:
    _subscribe(personas, receiver.url)
    with pytest.raises(InvalidInput) as caught:
        webhooks.emit("referral.created", organisation_ids=[personas.council.pk], payload=payload)
    assert named in " ".join(caught.value.errors["payload"])
    assert not WebhookDelivery.objects.exists()


def test_an_unknown_event_is_refused(personas: Personas) -> None:
    with pytest.raises(InvalidInput) as caught:
        webhooks.emit("client.created", organisation_ids=[personas.council.pk], payload={})
    assert "event" in caught.value.errors


def test_the_event_registry_can_be_extended() -> None:
    from ceangal.notifications.events import register_event, webhook_events

    assert set(webhook_events()) >= {"referral.created", "referral.accepted", "referral.declined", "consent.withdrawn"}
    with pytest.raises(ValueError):
        register_event("Referral Created", "not a name")


@pytest.mark.parametrize(
    ("url", "production", "message"),
    [
        ("http://partner.example.org/hook", True, "must start with https://"),
        ("ftp://partner.example.org/hook", False, "must start with https://"),
        ("https://user:pass@partner.example.org/hook", True, "user name and password"),
        ("https://", True, "full web address"),
        ("", True, "Enter the address"),
        ("https://127.0.0.1/hook", True, "public address"),
        ("https://10.1.2.3/hook", True, "public address"),
        ("https://localhost/hook", True, "public address"),
    ],
)
def test_a_bad_url_is_refused_naming_the_url_field_and_nothing_is_saved(
    personas: Personas, settings: Any, url: str, production: bool, message: str
) -> None:
    settings.PRODUCTION = production
    with pytest.raises(InvalidInput) as caught:
        webhooks.subscription_create(actor=personas.council_admin, url=url, events=["referral.created"])
    assert message in " ".join(caught.value.errors["url"])
    assert not WebhookSubscription.objects.exists()
    assert not AuditEvent.objects.filter(action="webhook.created").exists()


def test_https_is_accepted_in_production_and_events_must_be_chosen(personas: Personas, settings: Any) -> None:
    settings.PRODUCTION = True
    with pytest.raises(InvalidInput) as caught:
        webhooks.subscription_create(actor=personas.council_admin, url="https://partner.example.org/h", events=[])
    assert set(caught.value.errors) == {"events"}
    subscription, _ = webhooks.subscription_create(
        actor=personas.council_admin, url="https://partner.example.org/h", events=["consent.withdrawn"]
    )
    assert subscription.events == ["consent.withdrawn"]
    assert AuditEvent.objects.filter(action="webhook.created", object_id=str(subscription.pk)).exists()


def test_only_an_organisation_admin_manages_webhooks_and_only_their_organisations(personas: Personas) -> None:
    subscription, _ = _subscribe(personas, "https://partner.example.org/hook")
    for who in (personas.council_worker, personas.council_leader, personas.council_dpo):
        with pytest.raises(NotPermitted):
            webhooks.subscription_create(actor=who, url="https://partner.example.org/x", events=["referral.created"])
        with pytest.raises(NotPermitted):
            webhooks.subscription_get(who, subscription.pk)
    college_admin = make_staff(personas.college, Role.ORG_ADMIN, first_name="Cara")
    with pytest.raises(NotFound):
        webhooks.subscription_get(college_admin, subscription.pk)
    with pytest.raises(NotFound):
        webhooks.subscription_deactivate(actor=college_admin, subscription=subscription)


def test_a_rotated_secret_signs_what_is_sent_next_and_a_ping_reaches_the_receiver(
    personas: Personas, receiver: Receiver, django_capture_on_commit_callbacks: Any
) -> None:
    subscription, old = _subscribe(personas, receiver.url)
    new = webhooks.subscription_rotate_secret(actor=personas.council_admin, subscription=subscription)
    assert new != old
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.subscription_ping(actor=personas.council_admin, subscription=subscription)
    [request] = receiver.received
    parts = dict(item.split("=", 1) for item in request["headers"]["Ceangal-Signature"].split(","))
    expected = hmac.new(new.encode(), f"{parts['t']}.".encode() + request["body"], hashlib.sha256).hexdigest()
    assert parts["v1"] == expected
    assert request["headers"]["Ceangal-Event"] == "ping"
    assert AuditEvent.objects.filter(action="webhook.secret_rotated").exists()
    # The secret is never written to the audit trail.
    assert not any(new in json.dumps(e.detail) for e in AuditEvent.objects.all())


def test_deactivating_fails_waiting_deliveries(personas: Personas) -> None:
    subscription, _ = _subscribe(personas, _closed_port_url())
    with transaction.atomic():
        webhooks._deliver_to([subscription], "referral.created", {"referral_id": 7})
    webhooks.subscription_deactivate(actor=personas.council_admin, subscription=subscription)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == ("failed", "The subscription was deactivated.")


def test_the_command_attempts_what_is_due(personas: Personas, receiver: Receiver, capsys: Any) -> None:
    subscription, _ = _subscribe(personas, receiver.url)
    with transaction.atomic():
        webhooks._deliver_to([subscription], "referral.created", {"referral_id": 7})
    call_command("deliver_webhooks")
    assert "Attempted 1 webhook deliveries; 1 delivered." in capsys.readouterr().out
    assert len(receiver.received) == 1


def test_a_retry_is_queued_for_its_time_where_the_task_backend_can_defer(personas: Personas, settings: Any) -> None:
    # django-tasks-db (the production backend) can defer; the dummy backend records what is queued.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
    from django.tasks import default_task_backend

    assert default_task_backend.supports_defer
    subscription, _ = _subscribe(personas, _closed_port_url())
    with transaction.atomic():
        [delivery] = webhooks._deliver_to([subscription], "referral.created", {"referral_id": 7})
    webhooks.delivery_attempt(delivery.pk)
    delivery.refresh_from_db()
    [queued] = default_task_backend.results  # type: ignore[attr-defined]
    assert queued.task.name == "deliver_webhook"
    assert queued.args == [delivery.pk]
    assert queued.task.run_after == delivery.next_attempt_at
