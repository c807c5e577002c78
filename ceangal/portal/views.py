"""The client's pages under /my/: signing in with a code, the home page, signing out.

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
from ceangal.policy.subject import subject_home
from ceangal.portal.access import (
    SESSION_IDENTIFIER,
    client_page,
    client_sign_in,
    client_sign_out,
    portal_page,
)
from ceangal.portal.services import code_request, code_verify, printed_code_verify


def _error_links(labels: Mapping[str, str], errors: Mapping[str, Sequence[str]]) -> list[dict[str, str]]:
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
        {"errors": _error_links(labels, errors), "field_errors": errors, **extra},
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


@client_page
def home(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    return render(
        request, "portal/home.html", {"home": subject_home(client_id), "portal_client": True, "portal_nav": "home"}
    )


@portal_page
@require_POST
def sign_out(request: HttpRequest) -> HttpResponseBase:
    client_sign_out(request)
    messages.success(request, _("You have signed out."))
    return redirect("portal:sign_in")
