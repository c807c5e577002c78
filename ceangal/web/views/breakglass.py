"""Break-glass: opening a client's record without consent, for vital interests or safeguarding.

Any trained key worker or team leader may ask (the point is reaching information they cannot see
yet), so the page shows nothing about the client: only the form. The grant is recorded, expires
and is reviewed by the data protection officer (policy.breakglass).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ceangal.errors import InvalidInput, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role
from ceangal.policy.breakglass import break_glass_open
from ceangal.policy.models import BreakGlassGround
from ceangal.reference.categories import DataCategory
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, Option, OptionGroup, error_links, field_id

type StrOrPromise = str | Promise


def _fields(values: Mapping[str, Sequence[str]], errors: Mapping[str, Sequence[str]]) -> tuple[FieldView, ...]:
    def options(choices: Sequence[tuple[str, StrOrPromise]], selected: Sequence[str]) -> tuple[OptionGroup, ...]:
        return (OptionGroup("", tuple(Option(v, str(label), v in selected) for v, label in choices)),)

    return (
        FieldView(
            name="categories",
            id=field_id("categories"),
            label=_("What do you need to see?"),
            hint=_("Choose only what you need to act now."),
            widget="checkboxes",
            option_groups=options(DataCategory.choices, values.get("categories", ())),
            errors=tuple(errors.get("categories", ())),
            required=True,
        ),
        FieldView(
            name="ground",
            id=field_id("ground"),
            label=_("Why can this not wait for consent?"),
            widget="radios",
            option_groups=options(BreakGlassGround.choices, values.get("ground", ())),
            errors=tuple(errors.get("ground", ())),
            required=True,
        ),
        FieldView(
            name="reason",
            id=field_id("reason"),
            label=_("What is happening"),
            hint=_("Describe the emergency in at least 20 characters."),
            widget="textarea",
            value="".join(values.get("reason", ())),
            errors=tuple(errors.get("reason", ())),
            required=True,
        ),
    )


@staff_page
def break_glass(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    if Role(actor.role) not in CASEWORK_ROLES or not actor.training_current(timezone.localdate()):
        raise NotPermitted(_("Only a trained key worker or team leader can use break-glass access."))
    errors: dict[str, list[str]] = {}
    values: dict[str, Sequence[str]] = {}
    if request.method == "POST":
        values = {
            "categories": request.POST.getlist("categories"),
            "ground": [request.POST.get("ground", "")],
            "reason": [request.POST.get("reason", "")],
        }
        try:
            grant = break_glass_open(
                actor=actor,
                client_id=client_id,
                categories=values["categories"],
                ground=values["ground"][0],
                reason=values["reason"][0],
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            until = date_format(timezone.localtime(grant.expires_at), "j F Y, H:i")
            messages.success(
                request,
                _("Break-glass access is open until %(until)s. Your data protection officer will review it.")
                % {"until": until},
            )
            return redirect("web:client_record", client_id=client_id)
    fields = _fields(values, errors)
    return render(
        request,
        "web/sharing/break_glass.html",
        {"fields": fields, "errors": error_links(fields, errors), "client_id": client_id},
        status=422 if errors else 200,
    )
