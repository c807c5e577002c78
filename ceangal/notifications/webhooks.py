"""Webhooks: partner systems subscribe to events of their organisation and get signed POSTs.

A payload carries identifiers, status words, timestamps and a link, never a packet: emit()
refuses anything else, so a caller cannot leak client data by mistake. Each POST is signed with
the subscription's secret (HMAC-SHA256 over "<t>.<body>", the Stripe scheme partners know):

    Ceangal-Signature: t=1767225600,v1=5f0c...

A delivery that does not get a 2xx is tried again after 1 minute, 5 minutes, 30 minutes, 2 hours
and 12 hours, and then marked failed. Deliveries are rows written in the caller's transaction
(so a rolled-back referral leaves none) and handed to the task worker after commit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import ipaddress
import json
import re
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.notifications.events import PING, webhook_events
from ceangal.notifications.links import site_url
from ceangal.notifications.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role

SIGNATURE_HEADER = "Ceangal-Signature"
EVENT_HEADER = "Ceangal-Event"
DELIVERY_HEADER = "Ceangal-Delivery"
TIMEOUT_SECONDS = 10
# After the first attempt fails, wait this long before each further attempt; then give up.
RETRY_DELAYS: tuple[dt.timedelta, ...] = (
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=12),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# An attempt in progress holds its delivery this long, so a second worker does not send it twice.
CLAIM = dt.timedelta(minutes=2)
SECRET_PREFIX = "whsec_"
MAX_URL = 500

_ID_VALUE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_STATUS_VALUE = re.compile(r"^[a-z][a-z _]{0,39}$")


# Who may manage subscriptions ------------------------------------------------------------------


def can_manage_webhooks(actor: StaffMember) -> bool:
    return actor.active and actor.role == Role.ORG_ADMIN


def _require_admin(actor: StaffMember) -> None:
    if not can_manage_webhooks(actor):
        raise NotPermitted("Only an organisation admin manages the organisation's webhooks.")


def subscriptions_for(actor: StaffMember) -> QuerySet[WebhookSubscription]:
    _require_admin(actor)
    return WebhookSubscription.objects.filter(organisation_id=actor.organisation_id)


def subscription_get(actor: StaffMember, subscription_id: int) -> WebhookSubscription:
    """One of the actor's organisation's subscriptions; another organisation's is 'not found'."""
    found = subscriptions_for(actor).filter(pk=subscription_id).first()
    if found is None:
        raise NotFound("No such webhook subscription.")
    return found


def deliveries_of(subscription: WebhookSubscription, limit: int = 50) -> list[WebhookDelivery]:
    return list(subscription.deliveries.all()[:limit])


# Writing subscriptions -------------------------------------------------------------------------


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _url_errors(url: str) -> list[str]:
    url = url.strip()
    if not url:
        return ["Enter the address Ceangal should send events to, starting https://."]
    if len(url) > MAX_URL:
        return [f"Use an address of at most {MAX_URL} characters."]
    parts = urlsplit(url)
    production = bool(getattr(settings, "PRODUCTION", False))
    if parts.scheme != "https" and (production or parts.scheme != "http"):
        return [
            "The address must start with https://: events are sent only over an encrypted connection."
            if production
            else "The address must start with https:// (or http:// while Ceangal runs in development)."
        ]
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        return ["Take the user name and password out of the address: Ceangal signs each event instead."]
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        return ["Enter a full web address, such as https://partner.example.org/ceangal/events."]
    if parts.fragment:
        return ["Take the part after # out of the address."]
    if production and _is_internal_host(parts.hostname or ""):
        # Events go to partners' systems on the internet, never to this server's own network.
        return ["Use your system's public address: Ceangal does not send events to local or private addresses."]
    return []


def _is_internal_host(host: str) -> bool:
    if host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local or address.is_reserved


def _clean(url: str, events: Sequence[str], description: str) -> tuple[str, list[str], str]:
    errors: dict[str, list[str]] = {}
    url_problems = _url_errors(url)
    if url_problems:
        errors["url"] = url_problems
    known = webhook_events()
    chosen = list(dict.fromkeys(events))
    unknown = [e for e in chosen if e not in known]
    if not chosen:
        errors["events"] = ["Choose at least one event to be told about."]
    elif unknown:
        errors["events"] = [f"Choose from the events listed; these are not events: {', '.join(unknown)}."]
    description = description.strip()
    if len(description) > 200:
        errors["description"] = ["Describe the subscription in at most 200 characters."]
    if errors:
        raise InvalidInput(errors)
    return url.strip(), sorted(chosen), description


def _audit(actor: StaffMember, subscription: WebhookSubscription, action: str, **detail: Any) -> None:
    audit_record(
        actor_user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        action=action,
        object_type="notifications.webhooksubscription",
        object_id=subscription.pk,
        detail=detail,
    )


def subscription_create(
    *, actor: StaffMember, url: str, events: Sequence[str], description: str = ""
) -> tuple[WebhookSubscription, str]:
    """A new active subscription for the actor's organisation, and its secret (shown only now)."""
    _require_admin(actor)
    url, chosen, description = _clean(url, events, description)
    secret = new_secret()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            organisation_id=actor.organisation_id,
            url=url,
            events=chosen,
            description=description,
            secret=secret,
            created_by_id=actor.user_id,
        )
        _audit(actor, subscription, "webhook.created", url=url, events=chosen)
    return subscription, secret


def subscription_deactivate(*, actor: StaffMember, subscription: WebhookSubscription) -> WebhookSubscription:
    """It gets no more events; deliveries still waiting are marked failed."""
    _require_admin(actor)
    if subscription.organisation_id != actor.organisation_id:
        raise NotFound("No such webhook subscription.")
    if not subscription.active:
        return subscription
    now = timezone.now()
    with transaction.atomic():
        subscription.active = False
        subscription.deactivated_at = now
        subscription.save(update_fields=["active", "deactivated_at"])
        subscription.deliveries.filter(status=DeliveryStatus.PENDING).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, last_error="The subscription was deactivated."
        )
        _audit(actor, subscription, "webhook.deactivated")
    return subscription


def subscription_rotate_secret(*, actor: StaffMember, subscription: WebhookSubscription) -> str:
    """A new secret, which signs every delivery from now on (waiting retries included)."""
    _require_admin(actor)
    if subscription.organisation_id != actor.organisation_id:
        raise NotFound("No such webhook subscription.")
    if not subscription.active:
        raise InvalidInput({"secret": ["This subscription is deactivated; make a new one instead."]})
    secret = new_secret()
    with transaction.atomic():
        subscription.secret = secret
        subscription.secret_rotated_at = timezone.now()
        subscription.save(update_fields=["secret", "secret_rotated_at"])
        _audit(actor, subscription, "webhook.secret_rotated")
    return secret


def subscription_ping(*, actor: StaffMember, subscription: WebhookSubscription) -> WebhookDelivery:
    """Send the `ping` event to this subscription alone, to test the receiver."""
    _require_admin(actor)
    if subscription.organisation_id != actor.organisation_id:
        raise NotFound("No such webhook subscription.")
    if not subscription.active:
        raise InvalidInput({"subscription": ["This subscription is deactivated, so it receives nothing."]})
    with transaction.atomic():
        [delivery] = _deliver_to(
            [subscription], PING, {"organisation_id": subscription.organisation_id, "link": "/organisation/webhooks/"}
        )
        _audit(actor, subscription, "webhook.pinged", delivery_id=delivery.pk)
    return delivery


# Emitting events -------------------------------------------------------------------------------


def _payload_errors(payload: Mapping[str, object]) -> list[str]:
    """What is wrong with a payload: it may hold only ids, status words, timestamps and a link."""
    problems: list[str] = []
    for key, value in payload.items():
        if key.endswith("_id"):
            ok = (isinstance(value, int) and not isinstance(value, bool)) or isinstance(value, uuid.UUID)
            ok = ok or (isinstance(value, str) and bool(_ID_VALUE.match(value)))
        elif key.endswith("_ids"):
            ok = isinstance(value, list | tuple) and all(
                (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, str) and _ID_VALUE.match(v))
                for v in value
            )
        elif key.endswith("_at"):
            ok = isinstance(value, dt.datetime) or (isinstance(value, str) and _is_timestamp(value))
        elif key == "status":
            ok = isinstance(value, str) and bool(_STATUS_VALUE.match(value))
        elif key == "link":
            ok = isinstance(value, str) and value.startswith("/") and not value.startswith("//")
        else:
            problems.append(
                f"{key!r} may not be sent: a webhook carries only identifiers (…_id, …_ids), a status, "
                "timestamps (…_at) and a link, never client details."
            )
            continue
        if not ok:
            problems.append(f"{key!r} has a value that is not an identifier, status, timestamp or link as named.")
    return problems


def _is_timestamp(text: str) -> bool:
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _plain(value: object) -> object:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _envelope(
    event: str, event_id: uuid.UUID, occurred_at: dt.datetime, payload: Mapping[str, object]
) -> dict[str, Any]:
    data = {key: _plain(value) for key, value in payload.items() if key != "link"}
    link = str(payload.get("link") or "/")
    return {
        "id": str(event_id),
        "event": event,
        "occurred_at": occurred_at.isoformat(),
        "data": data,
        "link": site_url() + link,
    }


def _deliver_to(
    subscriptions: Iterable[WebhookSubscription], event: str, payload: Mapping[str, object]
) -> list[WebhookDelivery]:
    now = timezone.now()
    event_id = uuid.uuid4()
    document = _envelope(event, event_id, now, payload)
    deliveries = [
        WebhookDelivery.objects.create(
            subscription=subscription, event=event, event_id=event_id, payload=document, next_attempt_at=now
        )
        for subscription in subscriptions
    ]
    ids = [d.pk for d in deliveries]
    if ids:
        transaction.on_commit(lambda: _enqueue(ids))
    return deliveries


def emit(event: str, *, organisation_ids: Iterable[int], payload: Mapping[str, object]) -> int:
    """Tell every active subscription of these organisations that listens to `event`.

    The deliveries are written in the caller's transaction and sent by the task worker after it
    commits. Returns how many were made. Raises InvalidInput (`event`, `payload`) and sends
    nothing for an unknown event or a payload holding anything but ids, statuses, times and a link.
    """
    errors: dict[str, list[str]] = {}
    if event not in webhook_events():
        errors["event"] = [f"{event!r} is not a registered webhook event."]
    payload_problems = _payload_errors(payload)
    if payload_problems:
        errors["payload"] = payload_problems
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        listening = [
            s
            for s in WebhookSubscription.objects.filter(organisation_id__in=list(organisation_ids), active=True)
            if event in s.events
        ]
        return len(_deliver_to(listening, event, payload))


# Delivering ------------------------------------------------------------------------------------


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The v1 signature: hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signed_headers(delivery: WebhookDelivery, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
    t = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "User-Agent": "Ceangal-Webhooks/1",
        SIGNATURE_HEADER: f"t={t},v1={signature(delivery.subscription.secret, t, body)}",
        EVENT_HEADER: delivery.event,
        DELIVERY_HEADER: str(delivery.pk),
    }


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect is a failure: following it could send the event somewhere not subscribed, or over http.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def _post(url: str, body: bytes, headers: Mapping[str, str]) -> int:
    if urlsplit(url).scheme not in ("https", "http"):
        raise ValueError("A webhook is sent only to an https:// (or, in development, http://) address.")
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310 - checked above
    with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
        return int(response.status)


def delivery_attempt(delivery_id: int) -> WebhookDelivery | None:
    """Try one delivery once, if it is due and no one else is trying it. Returns it, or None."""
    now = timezone.now()
    claimed = (
        WebhookDelivery.objects.filter(pk=delivery_id, status=DeliveryStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(next_attempt_at=now + CLAIM)
    )
    if not claimed:
        return None
    delivery = WebhookDelivery.objects.select_related("subscription").get(pk=delivery_id)
    if not delivery.subscription.active:
        delivery.status = DeliveryStatus.FAILED
        delivery.next_attempt_at = None
        delivery.last_error = "The subscription was deactivated."
        delivery.save(update_fields=["status", "next_attempt_at", "last_error"])
        return delivery
    body = body_of(delivery)
    code: int | None = None
    error = ""
    try:
        code = _post(delivery.subscription.url, body, signed_headers(delivery, body))
    except urllib.error.HTTPError as exc:
        code, error = exc.code, f"The receiver answered {exc.code}."
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        error = f"Could not reach the receiver: {reason}"[:300]
    delivery.attempts += 1
    delivery.last_status_code = code
    delivery.last_error = error
    finished = timezone.now()
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = DeliveryStatus.DELIVERED, finished, None
        delivery.last_error = ""
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.FAILED, None
    else:
        delivery.next_attempt_at = finished + RETRY_DELAYS[delivery.attempts - 1]
    delivery.save(
        update_fields=["attempts", "last_status_code", "last_error", "status", "delivered_at", "next_attempt_at"]
    )
    if delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None:
        _schedule(delivery.pk, delivery.next_attempt_at)
    return delivery


def due_deliveries(now: dt.datetime | None = None) -> list[int]:
    moment = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=moment)
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)
    )


def _enqueue(delivery_ids: Sequence[int]) -> None:
    from ceangal.notifications.tasks import deliver_webhook

    for delivery_id in delivery_ids:
        deliver_webhook.enqueue(delivery_id)


def _schedule(delivery_id: int, at: dt.datetime) -> None:
    """Queue the retry for its time where the task backend can defer (django-tasks-db can);
    elsewhere the periodic deliver_due_webhooks sweep picks it up when it is due."""
    from django.tasks import default_task_backend

    from ceangal.notifications.tasks import deliver_webhook

    if default_task_backend.supports_defer:
        deliver_webhook.using(run_after=at).enqueue(delivery_id)
