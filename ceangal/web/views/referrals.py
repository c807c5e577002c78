"""Referral pages: the organisation's referrals (received and sent) and referring a client.

Referring is two steps that work without JavaScript: choose a service (a GET form; the directory
and the client's services page link straight to the second step with ?service=<id>), then say why
and which of the categories the service needs to send. That saves a draft; its page shows the
packet as the recipient will see it before anything is sent (web.views.referral_detail).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.policy.eligibility import ServiceOption, ServicesForClient, services_for_client
from ceangal.policy.purposes import Purpose
from ceangal.reference.categories import DataCategory
from ceangal.referrals import selectors, services
from ceangal.referrals.models import ReferralStatus
from ceangal.web.access import staff_page
from ceangal.web.forms import ErrorLink, Errors, FieldView, Values, error_links, value_field

DIRECTIONS = ("received", "sent")


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


@staff_page
def referral_list(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    client_id = _uuid(request.GET.get("client", "").strip())
    direction = request.GET.get("direction", "")
    if direction not in DIRECTIONS:
        # From a client's record the question is usually "where did we refer them?".
        direction = "sent" if client_id else "received"
    status = request.GET.get("status", "").strip()
    if status not in ReferralStatus.values:
        status = ""
    rows = selectors.referral_list(actor=actor, direction=direction, status=status, client_id=client_id)
    statuses = [(value, label) for value, label in ReferralStatus.choices if direction == "sent" or value != "draft"]
    status_field = value_field(
        "status", _("Status"), {"status": status}, {}, widget="select", options=statuses, empty_label=_("Any status")
    )
    return render(
        request,
        "web/referrals/referral_list.html",
        {
            "rows": rows,
            "direction": direction,
            "status": status,
            "client_id": client_id,
            "status_field": status_field,
            "nav": "referrals",
        },
    )


# -- refer a client -------------------------------------------------------------------------------


def _options(found: ServicesForClient, actor: StaffMember) -> list[ServiceOption]:
    """The services the actor may refer to: other partners' (eligible ones first, as found)."""
    return [o for o in found.services if o.service.organisation_id != actor.organisation_id]


def _detail_fields(option: ServiceOption, values: Values, errors: Errors) -> tuple[FieldView, ...]:
    needed = [(str(c), DataCategory(c).label) for c in option.service.categories_needed]
    fields = [
        value_field(
            "reason",
            _("Why are you referring the client?"),
            values,
            errors,
            widget="textarea",
            hint=_("What the client wants from this service. The other organisation reads this."),
            required=True,
        )
    ]
    if needed:
        fields.append(
            value_field(
                "categories",
                _("What the referral may carry"),
                values,
                errors,
                widget="checkboxes",
                options=needed,
                hint=_(
                    "The service asks for these. Untick any you do not want to send; a referral never "
                    "carries more. Only what the client agreed to share will go: the next page shows it."
                ),
            )
        )
    return tuple(fields)


def _new_page(
    request: HttpRequest,
    found: ServicesForClient,
    options: Sequence[ServiceOption],
    option: ServiceOption | None,
    values: Values,
    errors: Errors,
    *,
    status: int = 200,
) -> HttpResponse:
    fields = _detail_fields(option, values, errors) if option is not None else ()
    links = error_links(fields, {k: v for k, v in errors.items() if k != "service_id"})
    if errors.get("service_id"):
        links = (*(ErrorLink(f"{_('Service')}: {m}", "#f-service_id-0") for m in errors["service_id"]), *links)
    return render(
        request,
        "web/referrals/referral_new.html",
        {
            "found": found,
            "options": options,
            "option": option,
            "fields": fields,
            "errors": links,
            "service_errors": errors.get("service_id", ()),
            "nav": "referrals",
        },
        status=status,
    )


@staff_page
def referral_new(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    # Reading the client's services first: a client the actor may not act on is "not found".
    found = services_for_client(actor=actor, client_id=client_id, purpose=Purpose.REFERRAL)
    options = _options(found, actor)
    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("service_id" if request.method == "POST" else "service", "").strip()
    option = next((o for o in options if str(o.service.pk) == chosen), None)
    if chosen and option is None:
        errors = {"service_id": [_("Choose one of the partners' services listed.")]}
        return _new_page(request, found, options, None, {}, errors, status=422)
    if request.method != "POST":
        needed = [str(c) for c in option.service.categories_needed] if option else []
        return _new_page(request, found, options, option, {"categories": needed}, {})
    if option is None:
        errors = {"service_id": [_("Choose the service to refer the client to.")]}
        return _new_page(request, found, options, None, {}, errors, status=422)
    reason = request.POST.get("reason", "")
    categories = request.POST.getlist("categories")
    values = {"reason": reason, "categories": categories}
    try:
        referral = services.referral_draft(
            actor=actor, client_id=client_id, service_id=option.service.pk, reason=reason, categories=categories
        )
    except InvalidInput as exc:
        return _new_page(request, found, options, option, values, exc.errors, status=exc.status)
    messages.success(
        request,
        _("The draft is saved. Check what %(organisation)s will see, then send it.")
        % {"organisation": option.service.organisation.name},
    )
    return redirect("web:referral_detail", referral_id=referral.pk)
