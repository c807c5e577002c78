"""A key worker sets up a client's sign-in to their own pages (/my/) and prints them a code.

The contact is the one the client chose, there and then, with the key worker: the portal sends
codes only to it. A printed code is shown once, on a page to print, and never stored in clear.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.portal.selectors import access_status
from ceangal.portal.services import access_set_up, access_switch_off, printed_code_issue
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, error_links, field_id


def _fields(values: dict[str, str], errors: dict[str, list[str]]) -> tuple[FieldView, ...]:
    return (
        FieldView(
            name="email",
            id=field_id("email"),
            label=_("Email address"),
            hint=_("The client's own email address, which they can open now to check it works."),
            widget="input",
            input_type="email",
            value=values.get("email", ""),
            errors=tuple(errors.get("email", ())),
            autocomplete="off",
            spellcheck=False,
        ),
        FieldView(
            name="mobile",
            id=field_id("mobile"),
            label=_("Mobile number"),
            hint=_("A UK mobile number, like 07700 900123."),
            widget="input",
            input_type="tel",
            value=values.get("mobile", ""),
            errors=tuple(errors.get("mobile", ())),
            autocomplete="off",
        ),
    )


@staff_page
def portal_access(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponseBase:
    status = access_status(actor=actor, client_id=client_id)
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    if request.method == "POST" and request.POST.get("action") == "print":
        issued = printed_code_issue(actor=actor, client_id=client_id)
        return render(
            request,
            "web/portal_access_code.html",
            {
                "status": status,
                "client_id": client_id,
                "code": issued.code,
                "expires_at": issued.expires_at,
                "portal_url": settings.CEANGAL_SITE_URL + reverse("portal:home"),
            },
        )
    if request.method == "POST" and request.POST.get("action") == "switch_off":
        try:
            access_switch_off(actor=actor, client_id=client_id)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The client can no longer sign in. Their codes have stopped working."))
            return redirect("web:portal_access", client_id=client_id)
    elif request.method == "POST":
        values = {name: request.POST.get(name, "") for name in ("email", "mobile")}
        try:
            access_set_up(actor=actor, client_id=client_id, email=values["email"], mobile=values["mobile"])
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The client can now sign in with a code sent to what they chose."))
            return redirect("web:portal_access", client_id=client_id)
    fields = _fields(values, errors)
    return render(
        request,
        "web/portal_access.html",
        {"status": status, "client_id": client_id, "fields": fields, "errors": error_links(fields, errors)},
        status=422 if errors else 200,
    )
