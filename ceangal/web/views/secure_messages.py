"""Secure messages between partners: the organisation's messages (who, about what, read or not; the
bodies only on their thread) and the thread about a client with the organisations working with
them. A referral's thread is on the referral's page."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.policy import selectors as policy
from ceangal.referrals import selectors, services
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, error_links, value_field
from ceangal.web.views import PURPOSE


@staff_page
def message_inbox(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    return render(
        request, "web/referrals/message_inbox.html", {"rows": selectors.inbox(actor=actor), "nav": "messages"}
    )


def _fields(
    partners: Sequence[tuple[int, str]], values: Mapping[str, object], errors: Mapping[str, Sequence[str]]
) -> tuple[FieldView, ...]:
    return (
        value_field(
            "to_organisation_id",
            _("To"),
            values,
            errors,
            widget="radios" if len(partners) <= 6 else "select",
            options=[(str(pk), name) for pk, name in partners],
            hint=_("Organisations working with this client."),
            required=True,
        ),
        value_field(
            "body",
            _("Your message"),
            values,
            errors,
            widget="textarea",
            hint=_("Only your organisation and theirs can read it. Write only what they need."),
            required=True,
        ),
    )


@staff_page
def client_messages(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    # The heading's name is read through the decision point (and recorded) like any other page's.
    record = policy.client_record(actor=actor, client_id=client_id, purpose=PURPOSE, sections=["identity"])
    partners = selectors.message_partners(actor=actor, client_id=client_id)
    values: dict[str, object] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in ("to_organisation_id", "body")}
        chosen = str(values["to_organisation_id"])
        try:
            services.message_send(
                actor=actor,
                body=str(values["body"]),
                to_organisation_id=int(chosen) if chosen.isdigit() else 0,
                client_id=client_id,
            )
        except InvalidInput as exc:
            errors = {key: list(found) for key, found in exc.errors.items()}
            if not chosen:
                errors["to_organisation_id"] = [_("Choose the organisation to write to.")]
            status = exc.status
        else:
            messages.success(request, _("Your message is sent."))
            return redirect(reverse("web:client_messages", kwargs={"client_id": client_id}) + "#thread")
    thread = selectors.client_messages(actor=actor, client_id=client_id)
    unread = {m.pk for m in thread if m.to_organisation_id == actor.organisation_id and m.read_at is None}
    if unread:
        services.messages_read(actor=actor, messages=thread)
    fields = _fields(partners, values, errors)
    return render(
        request,
        "web/referrals/client_messages.html",
        {
            "record": record,
            "partners": partners,
            "thread": thread,
            "unread": unread,
            "fields": fields,
            "errors": error_links(fields, errors),
            "nav": "messages",
        },
        status=status,
    )
