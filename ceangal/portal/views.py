"""The client's pages under /my/: signing in with a code, the home page, what is held about them,
who has seen it, their referrals, signing out (consents and requests have their own modules).

Thin: each view parses the form, calls one service or the policy layer's subject reads, renders.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ceangal.errors import InvalidInput
from ceangal.policy.subject import subject_disclosures, subject_home, subject_information
from ceangal.portal.access import (
    SESSION_IDENTIFIER,
    client_page,
    client_sign_in,
    client_sign_out,
    portal_page,
)
from ceangal.portal.services import code_request, code_verify, own_page_viewed, printed_code_verify
from ceangal.rights.subject import subject_counts, subject_referrals


def error_links(labels: Mapping[str, str], errors: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
    """The error summary: each message names its field and links to it."""
    return [
        {"message": f"{labels.get(name, '')}: {message}" if name in labels else message, "href": f"#f-{name}"}
        for name, messages_ in errors.items()
        for message in messages_
    ]


def _form(
    request: HttpRequest, template: str, labels: Mapping[str, str], errors: Mapping[str, Sequence[str]], **extra: object
) -> HttpResponse:
    return render(
        request,
        template,
        {"errors": error_links(labels, errors), "field_errors": errors, **extra},
        status=422 if errors else 200,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponseBase:
    labels = {"identifier": _("Email address or mobile number")}
    errors: dict[str, list[str]] = {}
    identifier = ""
    if request.method == "POST":
        identifier = request.POST.get("identifier", "")
        try:
            code_request(identifier)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            request.session[SESSION_IDENTIFIER] = identifier
            return redirect("portal:sign_in_code")
    return _form(request, "portal/sign_in.html", labels, errors, identifier=identifier)


@portal_page
@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponseBase:
    identifier = request.session.get(SESSION_IDENTIFIER, "")
    if not identifier:
        return redirect("portal:sign_in")
    labels = {"code": _("Sign-in code")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            client_id = code_verify(identifier, request.POST.get("code", ""))
        except InvalidInput as exc:
            errors = exc.errors
        else:
            client_sign_in(request, client_id)
            return redirect("portal:home")
    return _form(request, "portal/sign_in_code.html", labels, errors, minutes=settings.CEANGAL_PORTAL_CODE_MINUTES)


@portal_page
@require_http_methods(["GET", "POST"])
def sign_in_printed(request: HttpRequest) -> HttpResponseBase:
    labels = {"code": _("Code from your key worker")}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            client_id = printed_code_verify(request.POST.get("code", ""))
        except InvalidInput as exc:
            errors = exc.errors
        else:
            client_sign_in(request, client_id)
            return redirect("portal:home")
    return _form(request, "portal/sign_in_printed.html", labels, errors)


def client_render(
    request: HttpRequest,
    client_id: uuid.UUID,
    template: str,
    nav: str,
    context: Mapping[str, object],
    status: int = 200,
) -> HttpResponse:
    """A client's own page, audited as read (it is not a disclosure: nothing goes to the ledger)."""
    own_page_viewed(client_id, nav)
    return render(request, template, {"portal_client": True, "portal_nav": nav, **context}, status=status)


@client_page
def home(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    context = {"home": subject_home(client_id), "counts": subject_counts(client_id)}
    return client_render(request, client_id, "portal/home.html", "home", context)


@client_page
def information(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    return client_render(
        request, client_id, "portal/information.html", "information", {"sections": subject_information(client_id)}
    )


@client_page
def who_has_seen(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    raw = request.GET.get("organisation", "")
    organisation_id = int(raw) if raw.isdigit() else None
    seen = subject_disclosures(client_id, page=request.GET.get("page", 1), organisation_id=organisation_id)
    page_query = f"&organisation={seen.organisation_id}" if seen.organisation_id else ""
    return client_render(
        request, client_id, "portal/who_has_seen.html", "who_has_seen", {"seen": seen, "page_query": page_query}
    )


@client_page
def referrals(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    return client_render(
        request, client_id, "portal/referrals.html", "referrals", {"referrals": subject_referrals(client_id)}
    )


@portal_page
@require_POST
def sign_out(request: HttpRequest) -> HttpResponseBase:
    client_sign_out(request)
    messages.success(request, _("You have signed out."))
    return redirect("portal:sign_in")
