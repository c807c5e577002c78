"""Registering a client, and their record."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ceangal.clients import services
from ceangal.clients.sections import section
from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.policy.consents import record_with_consents
from ceangal.web.access import staff_page
from ceangal.web.forms import build_form, error_links, has_any_value, read_post, section_fields, typed_values
from ceangal.web.record import section_panels
from ceangal.web.views import PURPOSE

IDENTITY = section("identity")
CONTACT = section("contact")
# Registration asks only for the ways to reach someone; the rest of the contact section is edited
# on the record.
CONTACT_FIELDS = section_fields(CONTACT, ("email", "phone"))
CONTACT_PREFIX = "contact."


def _register_page(
    request: HttpRequest,
    identity: Mapping[str, Any],
    contact: Mapping[str, Any],
    errors: Mapping[str, Sequence[str]],
    status: int,
) -> HttpResponse:
    identity_fields = build_form(IDENTITY.fields, identity, errors)
    contact_fields = build_form(CONTACT_FIELDS, contact, errors, prefix=CONTACT_PREFIX)
    return render(
        request,
        "web/client_register.html",
        {
            "identity_fields": identity_fields,
            "contact_fields": contact_fields,
            "errors": error_links((*identity_fields, *contact_fields), errors),
            "nav": "register",
        },
        status=status,
    )


@staff_page
def client_register(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    if request.method != "POST":
        return _register_page(request, {}, {}, {}, status=200)
    identity = read_post(IDENTITY.fields, request.POST)
    contact = read_post(CONTACT_FIELDS, request.POST, prefix=CONTACT_PREFIX)
    try:
        client = services.client_register(
            actor=actor, identity=identity, contact=contact if has_any_value(contact) else None
        )
    except InvalidInput as exc:
        return _register_page(
            request,
            typed_values(IDENTITY.fields, request.POST),
            typed_values(CONTACT_FIELDS, request.POST, prefix=CONTACT_PREFIX),
            exc.errors,
            status=422,
        )
    messages.success(
        request,
        _("%(name)s is registered. Their reference is %(reference)s.")
        % {"name": f"{identity['given_name']} {identity['family_name']}".strip(), "reference": client.reference},
    )
    return redirect("web:client_record", client_id=client.pk)


@staff_page
def client_record(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    record, consents = record_with_consents(actor=actor, client_id=client_id, purpose=PURPOSE)
    return render(
        request, "web/client_record.html", {"record": record, "panels": section_panels(record), "consents": consents}
    )
