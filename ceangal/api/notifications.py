"""/me/notification-preferences: which emails the caller gets. /webhooks: the caller's organisation's
webhook subscriptions and their deliveries (organisation admins only: other roles 403, another
organisation's subscription 404). See docs/notifications.md for events, payloads and signatures."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.notifications import services, webhooks
from ceangal.notifications.events import webhook_events as registered_events
from ceangal.notifications.models import WebhookDelivery, WebhookSubscription

me_router = Router(tags=["Notifications"])
router = Router(tags=["Webhooks"])

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}


class PreferenceOut(Schema):
    kind: str = Field(description="The notification's name (stable).")
    label: str
    description: str
    optional: bool = Field(description="false: always sent (it cannot be switched off).")
    enabled: bool


class PreferencesIn(Schema):
    preferences: dict[str, bool] = Field(
        description="Kind to true (send me these) or false (stop). Kinds not named keep their setting."
    )


def _preferences(views: list[services.PreferenceView]) -> list[PreferenceOut]:
    return [
        PreferenceOut(
            kind=v.kind.value, label=v.label, description=v.description, optional=v.optional, enabled=v.enabled
        )
        for v in views
    ]


@me_router.get(
    "/notification-preferences",
    response={200: list[PreferenceOut], **READ_ERRORS},
    url_name="notification_preferences_get",
    summary="Which notification emails you get",
)
def notification_preferences_get(request: HttpRequest) -> list[PreferenceOut]:
    return _preferences(services.preferences_of(actor_of(request)))


@me_router.put(
    "/notification-preferences",
    response={200: list[PreferenceOut], **WRITE_ERRORS},
    url_name="notification_preferences_set",
    summary="Switch notification emails on or off",
)
def notification_preferences_set(request: HttpRequest, body: PreferencesIn) -> list[PreferenceOut]:
    """An unknown kind, or switching off one that is always sent, is a 422 naming
    `preferences.<kind>`, and nothing is changed."""
    return _preferences(services.preferences_set(actor=actor_of(request), choices=body.preferences))


class WebhookIn(Schema):
    url: str = Field(description="https:// address to POST events to (http:// only in development).")
    events: list[str] = Field(description="Event names, from GET /webhooks/events.")
    description: str = ""


class WebhookOut(Schema):
    id: int = Field(description="`webhook_id` in the paths.")
    organisation_id: int
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: dt.datetime
    secret_rotated_at: dt.datetime | None
    deactivated_at: dt.datetime | None

    @classmethod
    def of(cls, subscription: WebhookSubscription) -> WebhookOut:
        return cls(
            id=subscription.pk,
            organisation_id=subscription.organisation_id,
            url=subscription.url,
            events=list(subscription.events),
            description=subscription.description,
            active=subscription.active,
            created_at=subscription.created_at,
            secret_rotated_at=subscription.secret_rotated_at,
            deactivated_at=subscription.deactivated_at,
        )


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        description="The signing secret, returned only in this response (and when rotated): store it now."
    )


class SecretOut(Schema):
    secret: str = Field(description="The new signing secret; it signs every delivery from now on.")


class DeliveryOut(Schema):
    id: int = Field(description="Sent as the Ceangal-Delivery header.")
    event: str
    event_id: str = Field(description="The payload's `id`: the same for every subscription told of one event.")
    status: str = Field(description="pending, delivered or failed.")
    attempts: int
    next_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str
    created_at: dt.datetime
    delivered_at: dt.datetime | None

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=delivery.pk,
            event=delivery.event,
            event_id=str(delivery.event_id),
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            last_status_code=delivery.last_status_code,
            last_error=delivery.last_error,
            created_at=delivery.created_at,
            delivered_at=delivery.delivered_at,
        )


class EventOut(Schema):
    name: str
    description: str


@router.get(
    "/events",
    response={200: list[EventOut], **READ_ERRORS},
    url_name="webhook_events",
    summary="The events a webhook may subscribe to",
)
def webhook_events(request: HttpRequest) -> list[EventOut]:
    return [EventOut(name=name, description=text) for name, text in registered_events().items()]


@router.get(
    "",
    response={200: list[WebhookOut], **READ_ERRORS},
    url_name="webhook_list",
    summary="Your organisation's webhooks (organisation admin)",
)
def webhook_list(request: HttpRequest) -> list[WebhookOut]:
    return [WebhookOut.of(s) for s in webhooks.subscriptions_for(actor_of(request))]


@router.post(
    "",
    response={201: WebhookCreatedOut, **WRITE_ERRORS},
    url_name="webhook_create",
    summary="Subscribe a system of your organisation to events (organisation admin)",
)
def webhook_create(request: HttpRequest, body: WebhookIn, response: HttpResponse) -> Status[WebhookCreatedOut]:
    """A URL that is not https:// (outside development) or holds a user name or password, or an
    unknown event, is a 422 naming `url` or `events`, and nothing is saved. The `secret` is in
    this response only."""
    subscription, secret = webhooks.subscription_create(
        actor=actor_of(request), url=body.url, events=body.events, description=body.description
    )
    response["Location"] = reverse("api:webhook_get", kwargs={"webhook_id": subscription.pk})
    response["Cache-Control"] = "no-store"
    return Status(201, WebhookCreatedOut(**WebhookOut.of(subscription).dict(), secret=secret))


@router.get(
    "/{webhook_id}",
    response={200: WebhookOut, **READ_ERRORS},
    url_name="webhook_get",
    summary="One webhook (organisation admin)",
)
def webhook_get(request: HttpRequest, webhook_id: int) -> WebhookOut:
    return WebhookOut.of(webhooks.subscription_get(actor_of(request), webhook_id))


@router.delete(
    "/{webhook_id}",
    response={200: WebhookOut, **WRITE_ERRORS},
    url_name="webhook_deactivate",
    summary="Deactivate a webhook (organisation admin)",
)
def webhook_deactivate(request: HttpRequest, webhook_id: int) -> WebhookOut:
    """It is kept, with its deliveries, but sent nothing more; deliveries still waiting fail."""
    actor = actor_of(request)
    subscription = webhooks.subscription_get(actor, webhook_id)
    return WebhookOut.of(webhooks.subscription_deactivate(actor=actor, subscription=subscription))


@router.post(
    "/{webhook_id}/secret",
    response={200: SecretOut, **WRITE_ERRORS},
    url_name="webhook_rotate_secret",
    summary="Replace a webhook's signing secret (organisation admin)",
)
def webhook_rotate_secret(request: HttpRequest, webhook_id: int, response: HttpResponse) -> SecretOut:
    actor = actor_of(request)
    subscription = webhooks.subscription_get(actor, webhook_id)
    response["Cache-Control"] = "no-store"
    return SecretOut(secret=webhooks.subscription_rotate_secret(actor=actor, subscription=subscription))


@router.post(
    "/{webhook_id}/ping",
    response={202: DeliveryOut, **WRITE_ERRORS},
    url_name="webhook_ping",
    summary="Send a test `ping` event to a webhook (organisation admin)",
)
def webhook_ping(request: HttpRequest, webhook_id: int) -> Status[DeliveryOut]:
    actor = actor_of(request)
    subscription = webhooks.subscription_get(actor, webhook_id)
    delivery = webhooks.subscription_ping(actor=actor, subscription=subscription)
    return Status(202, DeliveryOut.of(delivery))


@router.get(
    "/{webhook_id}/deliveries",
    response={200: list[DeliveryOut], **READ_ERRORS},
    url_name="webhook_deliveries",
    summary="A webhook's recent deliveries, newest first (organisation admin)",
)
def webhook_deliveries(request: HttpRequest, webhook_id: int) -> list[DeliveryOut]:
    subscription = webhooks.subscription_get(actor_of(request), webhook_id)
    return [DeliveryOut.of(d) for d in webhooks.deliveries_of(subscription, limit=100)]
