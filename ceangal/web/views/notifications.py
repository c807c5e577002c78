"""A staff member's notifications and their choices; an organisation admin's webhook subscriptions.

Notifications are the member's own: every member of staff may open their list and preferences.
Webhooks belong to an organisation and only its admins manage them (ceangal.notifications.webhooks
decides: other roles get 403, another organisation's subscription is 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ceangal.errors import InvalidInput
from ceangal.notifications import services, webhooks
from ceangal.notifications.events import webhook_events
from ceangal.notifications.models import WebhookSubscription
from ceangal.partners.models import StaffMember
from ceangal.web.access import staff_page
from ceangal.web.forms import Errors, Values, error_links, value_field


@staff_page
def notification_list(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    return render(
        request,
        "web/notifications/notification_list.html",
        {"notifications": services.recent_notifications(actor), "nav": "notifications"},
    )


@staff_page
def notification_preferences(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        ticked = set(request.POST.getlist("kinds"))
        choices = {p.kind.value: p.kind.value in ticked for p in services.preferences_of(actor) if p.optional}
        try:
            services.preferences_set(actor=actor, choices=choices)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Your notification choices are saved."))
            return redirect("web:notification_preferences")
    preferences = services.preferences_of(actor)
    return render(
        request,
        "web/notifications/preferences.html",
        {
            "optional": [p for p in preferences if p.optional],
            "required": [p for p in preferences if not p.optional],
            "errors": error_links((), errors),
            "nav": "notifications",
        },
        status=422 if errors else 200,
    )


@staff_page
def webhook_list(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    subscriptions = list(webhooks.subscriptions_for(actor))
    return render(
        request,
        "web/notifications/webhook_list.html",
        {
            "rows": [(s, webhooks.deliveries_of(s, limit=5)) for s in subscriptions],
            "nav": "webhooks",
        },
    )


def _webhook_fields(values: Values, errors: Errors) -> dict[str, object]:
    events = [(name, f"{name}: {description}") for name, description in webhook_events().items()]
    return {
        "url": value_field(
            "url",
            _("Address to send events to"),
            values,
            errors,
            hint=_("Your system's web address that receives the events. It must start with https://."),
            input_type="url",
            required=True,
        ),
        "events": value_field(
            "events", _("Events to send"), values, errors, widget="checkboxes", options=events, required=True
        ),
        "description": value_field(
            "description",
            _("Description (optional)"),
            values,
            errors,
            hint=_("Which system this is, so colleagues know what it is for."),
        ),
    }


@staff_page
def webhook_new(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    webhooks.subscriptions_for(actor)  # only an organisation admin is shown the form
    values: Values = {"url": "", "events": [], "description": ""}
    errors: Errors = {}
    if request.method == "POST":
        values = {
            "url": request.POST.get("url", ""),
            "events": [e for e in request.POST.getlist("events") if e],
            "description": request.POST.get("description", ""),
        }
        try:
            subscription, secret = webhooks.subscription_create(
                actor=actor,
                url=str(values["url"]),
                events=list(values["events"]),
                description=str(values["description"]),
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return _secret_page(request, subscription, secret, created=True)
    fields = _webhook_fields(values, errors)
    return render(
        request,
        "web/notifications/webhook_form.html",
        {"fields": fields, "errors": error_links(tuple(fields.values()), errors), "nav": "webhooks"},  # type: ignore[arg-type]
        status=422 if errors else 200,
    )


def _secret_page(
    request: HttpRequest, subscription: WebhookSubscription, secret: str, *, created: bool
) -> HttpResponse:
    # The secret is shown on this one response and never again (it is stored encrypted).
    response = render(
        request,
        "web/notifications/webhook_secret.html",
        {"subscription": subscription, "secret": secret, "created": created, "nav": "webhooks"},
    )
    response["Cache-Control"] = "no-store"
    return response


@staff_page
def webhook_detail(request: HttpRequest, actor: StaffMember, webhook_id: int) -> HttpResponse:
    subscription = webhooks.subscription_get(actor, webhook_id)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "deactivate":
                webhooks.subscription_deactivate(actor=actor, subscription=subscription)
                messages.success(request, _("The subscription is deactivated: it will be sent nothing more."))
            elif action == "rotate":
                secret = webhooks.subscription_rotate_secret(actor=actor, subscription=subscription)
                return _secret_page(request, subscription, secret, created=False)
            elif action == "ping":
                webhooks.subscription_ping(actor=actor, subscription=subscription)
                messages.success(request, _("A test ping is on its way. Its delivery is listed below."))
            else:
                errors = {"action": [_("Choose deactivate, a new secret or a test ping.")]}
        except InvalidInput as exc:
            errors = exc.errors
        if not errors:
            return redirect("web:webhook_detail", webhook_id=subscription.pk)
    return render(
        request,
        "web/notifications/webhook_detail.html",
        {
            "subscription": subscription,
            "deliveries": webhooks.deliveries_of(subscription),
            "events": webhook_events(),
            "errors": error_links((), errors),
            "nav": "webhooks",
        },
        status=422 if errors else 200,
    )
