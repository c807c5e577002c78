"""The client's rights requests: the list, a short form for each kind, the confirmation, and one
request's timeline in plain words."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ceangal.errors import InvalidInput
from ceangal.policy.subject import purpose_name, section_choices
from ceangal.portal.access import client_page
from ceangal.portal.views import client_render, error_links
from ceangal.reference.purposes import Purpose
from ceangal.rights.models import RequestKind
from ceangal.rights.subject import (
    DETAILS_MAX,
    kind_words,
    request_from_client,
    request_notices,
    request_withdraw_from_client,
    subject_request,
    subject_requests,
)


def _kinds() -> list[dict[str, str]]:
    """What a client can ask for, each with a line saying what it means."""
    return [
        {"kind": RequestKind.ACCESS, "label": kind_words(RequestKind.ACCESS),
         "hint": _("Everything the partnership holds about you, and who it was shared with.")},
        {"kind": RequestKind.RECTIFICATION, "label": kind_words(RequestKind.RECTIFICATION),
         "hint": _("Something we hold about you is wrong or out of date.")},
        {"kind": RequestKind.ERASURE, "label": kind_words(RequestKind.ERASURE),
         "hint": _("You want us to delete some or all of your information.")},
        {"kind": RequestKind.RESTRICTION, "label": kind_words(RequestKind.RESTRICTION),
         "hint": _("We keep your information but do not use it, for example while a mistake is checked.")},
        {"kind": RequestKind.OBJECTION, "label": kind_words(RequestKind.OBJECTION),
         "hint": _("You do not want your information used for one particular reason.")},
        {"kind": RequestKind.PORTABILITY, "label": kind_words(RequestKind.PORTABILITY),
         "hint": _("The information you agreed to share, in a file another service can read.")},
        {"kind": RequestKind.COMPLAINT, "label": kind_words(RequestKind.COMPLAINT),
         "hint": _("You are unhappy with how your information has been used.")},
    ]  # fmt: skip


COPY_KINDS = (RequestKind.ACCESS, RequestKind.PORTABILITY)


@client_page
def requests(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    return client_render(
        request,
        client_id,
        "portal/requests.html",
        "requests",
        {"requests": subject_requests(client_id, timezone.localdate()), "kinds": _kinds()},
    )


def _details_label(kind: str) -> tuple[str, str, bool]:
    """The details box's label, hint and whether it must be filled in, for one kind."""
    if kind == RequestKind.RECTIFICATION:
        return (
            _("What is wrong, and what should it say?"),
            _("For example: my qualification is Higher English, not National 5."),
            True,
        )
    if kind == RequestKind.OBJECTION:
        return _("Why do you object?"), _("Tell us in your own words."), True
    if kind == RequestKind.COMPLAINT:
        return _("What is your complaint about?"), _("Tell us what happened and what you would like us to do."), True
    return _("Anything you want to tell us (optional)"), _("For example, which organisation or which dates."), False


@client_page
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest, client_id: uuid.UUID, kind: str) -> HttpResponseBase:
    if kind not in RequestKind.values:
        raise Http404("No such kind of request.")
    data = request.POST if request.method == "POST" else request.GET
    section = data.get("section", "")
    purpose = data.get("purpose", "")
    details = request.POST.get("details", "")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            made = request_from_client(
                client_id=client_id, kind=kind, details=details, section=section, purpose=purpose
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return redirect("portal:request_sent", request_id=made.pk)
    details_label, details_hint, details_required = _details_label(kind)
    labels = {
        "kind": _("What you are asking for"),
        "section": _("Which part of your information is wrong?"),
        "purpose": _("Which use of your information do you object to?"),
        "details": details_label,
    }
    return client_render(
        request,
        client_id,
        "portal/request_new.html",
        "requests",
        {
            "kind": kind,
            "kind_label": kind_words(kind),
            "labels": labels,
            "errors": error_links(labels, errors),
            "field_errors": errors,
            "section": section,
            "sections": section_choices(),
            "purpose": purpose,
            "purposes": [(str(p.value), purpose_name(p)) for p in Purpose],
            "details": details,
            "details_hint": details_hint,
            "details_required": details_required,
            "details_max": DETAILS_MAX,
        },
        status=422 if errors else 200,
    )


@client_page
def request_sent(request: HttpRequest, client_id: uuid.UUID, request_id: uuid.UUID) -> HttpResponse:
    found = subject_request(client_id, request_id, timezone.localdate())
    return client_render(request, client_id, "portal/request_sent.html", "requests", {"found": found})


@client_page
def request_detail(request: HttpRequest, client_id: uuid.UUID, request_id: uuid.UUID) -> HttpResponse:
    found = subject_request(client_id, request_id, timezone.localdate())
    context = {
        "found": found,
        "notices": request_notices(client_id, found.request),
        # A copy the DPO releases is downloaded from the copies page.
        "copies_url": reverse("portal:copies") if found.request.kind in COPY_KINDS else "",
    }
    return client_render(request, client_id, "portal/request_detail.html", "requests", context)


@client_page
@require_http_methods(["GET", "POST"])
def request_withdraw(request: HttpRequest, client_id: uuid.UUID, request_id: uuid.UUID) -> HttpResponseBase:
    """Withdraw one of the client's open requests: a page that says what it means, and one button."""
    found = subject_request(client_id, request_id, timezone.localdate())
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            request_withdraw_from_client(client_id=client_id, request_id=request_id)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("You have withdrawn your request. We will not work on it any more."))
            return redirect("portal:request_detail", request_id=request_id)
    context = {"found": found, "errors": error_links({"request": _("Your request")}, errors)}
    return client_render(
        request, client_id, "portal/request_withdraw.html", "requests", context, status=422 if errors else 200
    )
