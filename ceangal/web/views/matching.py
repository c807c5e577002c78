"""Checking before registering, a client's agreement to be discoverable, and merging duplicates.

The check is a POST: identifiers never go in a URL (or a server log). What the answer may say is
decided in policy.matching: your own clients as you may see them, and only the names of other
partners who may already know a discoverable person.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from ceangal.clients import services
from ceangal.clients.sections import section
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role
from ceangal.policy import matching, selectors
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, Option, OptionGroup, build_form, error_links, field_id, read_post, typed_values
from ceangal.web.views import PURPOSE

IDENTITY = section("identity")
CHECK_FIELDS = tuple(
    IDENTITY.field(name) for name in ("ni_number", "given_name", "family_name", "date_of_birth", "postcode")
)
NAMES = {
    "ni": _("National Insurance number"),
    "name_dob_postcode": _("name, date of birth and postcode"),
    "name": _("name"),
}


def _require_casework(actor: StaffMember) -> None:
    if Role(actor.role) not in CASEWORK_ROLES or not actor.training_current(timezone.localdate()):
        raise NotPermitted(_("Only a trained key worker or team leader can check for a client before registering."))


@staff_page
def client_check(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    _require_casework(actor)
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    result: matching.SearchResult | None = None
    if request.method == "POST":
        values = typed_values(CHECK_FIELDS, request.POST)
        data = read_post(CHECK_FIELDS, request.POST)
        try:
            result = matching.search_partnership(actor, **data)
        except InvalidInput as exc:
            errors = exc.errors
    # The form is optional field by field: say so in the hints rather than mark fields required.
    fields = tuple(dataclasses.replace(view, required=False) for view in build_form(CHECK_FIELDS, values, errors))
    return render(
        request,
        "web/client_check.html",
        {
            "fields": fields,
            "errors": error_links(fields, errors),
            "result": result,
            "searched_by": [NAMES.get(kind, kind) for kind in result.identifiers] if result else [],
            "values": values,
            "nav": "register",
        },
        status=422 if errors else 200,
    )


def _discoverable_fields(values: Mapping[str, str], errors: Mapping[str, Sequence[str]]) -> tuple[FieldView, ...]:
    chosen = values.get("discoverable", "")
    return (
        FieldView(
            name="discoverable",
            id=field_id("discoverable"),
            label=_("May other partners be told this client may be known to your organisation?"),
            hint=_(
                "Only if the client agrees. A partner who searches for them is told only your organisation's "
                "name, never anything about the client, and asked to contact you or the client."
            ),
            widget="radios",
            option_groups=(
                OptionGroup(
                    "",
                    (
                        Option("yes", _("Yes, the client agrees"), chosen == "yes"),
                        Option("no", _("No"), chosen == "no"),
                    ),
                ),
            ),
            errors=tuple(errors.get("discoverable", ())),
            required=True,
        ),
        FieldView(
            name="note",
            id=field_id("note"),
            label=_("Note (optional)"),
            hint=_("For example how and when the client told you."),
            widget="textarea",
            value=values.get("note", ""),
            errors=tuple(errors.get("note", ())),
        ),
    )


@staff_page
def client_discoverable(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    errors: dict[str, list[str]] = {}
    values = {"discoverable": "yes" if client.discoverable else "no", "note": ""}
    if request.method == "POST":
        values = {"discoverable": request.POST.get("discoverable", ""), "note": request.POST.get("note", "")}
        if values["discoverable"] not in ("yes", "no"):
            errors["discoverable"] = [_("Choose yes or no.")]
        else:
            try:
                services.client_set_discoverable(
                    actor=actor, client=client, discoverable=values["discoverable"] == "yes", note=values["note"]
                )
            except InvalidInput as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("Other partners may now be told this client may be known to you.")
                    if values["discoverable"] == "yes"
                    else _("Other partners will not be told this client is known to you."),
                )
                return redirect("web:client_record", client_id=client_id)
    elif Role(actor.role) not in CASEWORK_ROLES:
        raise NotPermitted(_("Only a key worker or team leader can record this."))
    fields = _discoverable_fields(values, errors)
    return render(
        request,
        "web/client_discoverable.html",
        {"fields": fields, "errors": error_links(fields, errors), "client": client, "client_id": client_id},
        status=422 if errors else 200,
    )


def _reason_field(value: str, errors: Mapping[str, Sequence[str]]) -> FieldView:
    return FieldView(
        name="reason",
        id=field_id("reason"),
        label=_("Why are these the same person?"),
        hint=_("For example: registered twice, once with a misspelt name. This is kept in the audit trail."),
        widget="textarea",
        value=value,
        errors=tuple(errors.get("reason", ())),
        required=True,
    )


@staff_page
def client_merge(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    """Step 1 (GET): the likely duplicates of this client. Step 2 (GET ?duplicate=): both records side
    by side and what will move. Step 3 (POST): merge, with a reason."""
    duplicate_id = request.POST.get("duplicate") or request.GET.get("duplicate") or ""
    if not duplicate_id:
        if request.method == "POST":
            selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
        keep, candidates = matching.likely_duplicates(actor, client_id)
        return render(request, "web/client_merge.html", {"keep": keep, "candidates": candidates, "preview": None})
    errors: dict[str, list[str]] = {}
    reason = request.POST.get("reason", "")
    if request.method == "POST":
        keep_client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
        duplicate = selectors.client_for_action(actor=actor, client_id=duplicate_id, purpose=PURPOSE)
        try:
            services.clients_merge(actor=actor, keep=keep_client, duplicate=duplicate, reason=reason)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _("The records are merged. Everything from %(duplicate)s is now on this record.")
                % {"duplicate": duplicate.reference},
            )
            return redirect("web:client_record", client_id=client_id)
    preview = matching.merge_preview(actor, client_id, duplicate_id)
    reason_field = _reason_field(reason, errors)
    return render(
        request,
        "web/client_merge.html",
        {
            "keep": preview.keep,
            "preview": preview,
            "moves": [(preview.section_labels[key], count) for key, count in preview.plan.moves.items()],
            "set_aside": [preview.section_labels[key] for key in preview.plan.set_aside],
            "conflicts": list(preview.plan.conflicts.values()),
            "fields": (reason_field,),
            "errors": error_links((reason_field,), errors),
        },
        status=422 if errors else 200,
    )
