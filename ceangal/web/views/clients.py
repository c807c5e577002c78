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
from ceangal.errors import InvalidInput, NotFound
from ceangal.partners.models import StaffMember
from ceangal.policy.consents import record_with_consents
from ceangal.policy.matching import merged_into_visible
from ceangal.web.access import staff_page
from ceangal.web.forms import (
    FieldView,
    build_form,
    error_links,
    field_id,
    has_any_value,
    read_post,
    section_fields,
    typed_values,
)
from ceangal.web.record import section_panels
from ceangal.web.views import PURPOSE

IDENTITY = section("identity")
CONTACT = section("contact")
# Registration asks only for the ways to reach someone; the rest of the contact section is edited
# on the record.
CONTACT_FIELDS = section_fields(CONTACT, ("email", "phone"))
CONTACT_PREFIX = "contact."
DISCOVERABLE = "discoverable"


def _discoverable_field(checked: bool) -> FieldView:
    return FieldView(
        name=DISCOVERABLE,
        id=field_id(DISCOVERABLE),
        label=_("The client agrees that other partners searching for them may be told they are known to us"),
        hint=_("Partners are told only your organisation's name, never anything about the client."),
        widget="checkbox",
        checked=checked,
    )


def _register_page(
    request: HttpRequest,
    identity: Mapping[str, Any],
    contact: Mapping[str, Any],
    errors: Mapping[str, Sequence[str]],
    status: int,
    discoverable: bool = False,
) -> HttpResponse:
    identity_fields = build_form(IDENTITY.fields, identity, errors)
    contact_fields = build_form(CONTACT_FIELDS, contact, errors, prefix=CONTACT_PREFIX)
    return render(
        request,
        "web/client_register.html",
        {
            "identity_fields": identity_fields,
            "contact_fields": contact_fields,
            "discoverable_field": _discoverable_field(discoverable),
            "errors": error_links((*identity_fields, *contact_fields), errors),
            "nav": "register",
        },
        status=status,
    )


@staff_page
def client_register(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    if request.method != "POST":
        return _register_page(request, {}, {}, {}, status=200)
    if request.POST.get("prefill"):
        # From "Check before registering": the details the person searched with, by POST so that
        # they stay out of URLs; nothing is registered until this form is sent.
        return _register_page(request, typed_values(IDENTITY.fields, request.POST), {}, {}, status=200)
    identity = read_post(IDENTITY.fields, request.POST)
    contact = read_post(CONTACT_FIELDS, request.POST, prefix=CONTACT_PREFIX)
    discoverable = request.POST.get(DISCOVERABLE, "") not in {"", "false", "0", "off"}
    try:
        client = services.client_register(
            actor=actor,
            identity=identity,
            contact=contact if has_any_value(contact) else None,
            discoverable=discoverable,
        )
    except InvalidInput as exc:
        return _register_page(
            request,
            typed_values(IDENTITY.fields, request.POST),
            typed_values(CONTACT_FIELDS, request.POST, prefix=CONTACT_PREFIX),
            exc.errors,
            status=422,
            discoverable=discoverable,
        )
    messages.success(
        request,
        _("%(name)s is registered. Their reference is %(reference)s.")
        % {"name": f"{identity['given_name']} {identity['family_name']}".strip(), "reference": client.reference},
    )
    return redirect("web:client_record", client_id=client.pk)


@staff_page
def client_record(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    try:
        record, consents = record_with_consents(actor=actor, client_id=client_id, purpose=PURPOSE)
    except NotFound:
        # A bookmark of a record that was merged leads to the kept record, if the actor may see it.
        kept = merged_into_visible(actor, client_id)
        if kept is None:
            raise
        return redirect("web:client_record", client_id=kept)
    return render(
        request, "web/client_record.html", {"record": record, "panels": section_panels(record), "consents": consents}
    )
