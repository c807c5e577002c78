"""Rights requests: the DPO's queue, logging a request (by the DPO, or by a key worker from the
client's record), and one request with its clock and a form for each step the DPO may take.

Thin: the services decide who may do what and validate; the selectors work out the clock. The
queue names clients by reference only.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ceangal.clients.sections import SECTIONS_BY_KEY
from ceangal.errors import EditConflict, InvalidInput, NotFound
from ceangal.partners.models import StaffMember
from ceangal.reference.purposes import Purpose
from ceangal.rights import selectors, services
from ceangal.rights.models import (
    STAFF_CHANNELS,
    Channel,
    Exemption,
    IdentityMethod,
    RequestKind,
    RequestStatus,
    RightsRequest,
)
from ceangal.web.access import staff_page
from ceangal.web.forms import ErrorLink, FieldView, Option, OptionGroup, error_links, field_id, parse_date
from ceangal.web.views.rights_actions import actions_panel
from ceangal.web.views.rights_packs import pack_panel

type Values = Mapping[str, str]
type StrOrPromise = str | Promise


def _options(choices: Sequence[tuple[str, StrOrPromise]], selected: str) -> tuple[OptionGroup, ...]:
    return (OptionGroup("", tuple(Option(v, str(label), v == selected) for v, label in choices)),)


def _field(
    name: str,
    label: str,
    widget: str,
    values: Values,
    errors: Mapping[str, Sequence[str]],
    *,
    prefix: str = "",
    hint: str = "",
    choices: Sequence[tuple[str, StrOrPromise]] = (),
    required: bool = False,
) -> FieldView:
    return FieldView(
        name=name,
        id=field_id(f"{prefix}{name}"),
        label=label,
        hint=hint,
        widget=widget,
        value=values.get(name, "") if not choices else "",
        option_groups=_options(choices, values.get(name, "")) if choices else (),
        errors=tuple(errors.get(name, ())),
        required=required,
    )


# -- logging a request ----------------------------------------------------------------------------


def _log_fields(values: Values, errors: Mapping[str, Sequence[str]], *, with_client: bool) -> tuple[FieldView, ...]:
    fields = []
    if with_client:
        fields.append(
            _field(
                "client",
                _("Client reference"),
                "input",
                values,
                errors,
                hint=_("The partnership's reference for the client, like CG-7K2M9Q, or their Ceangal id."),
                required=True,
            )
        )
    fields += [
        _field(
            "kind",
            _("What is the client asking for?"),
            "radios",
            values,
            errors,
            choices=RequestKind.choices,
            required=True,
        ),
        _field(
            "channel",
            _("How did the request reach you?"),
            "radios",
            values,
            errors,
            choices=[(str(c.value), str(c.label)) for c in STAFF_CHANNELS],
            required=True,
        ),
        _field(
            "received_on",
            _("Date received"),
            "input",
            values,
            errors,
            hint=_(
                "The day the request arrived, even if it was not a working day, for example 27 3 2027. "
                "The legal clock starts that day."
            ),
            required=True,
        ),
        _field(
            "details",
            _("What did the client say?"),
            "textarea",
            values,
            errors,
            hint=_("Their words, or a summary of the letter, call or email. Optional."),
        ),
    ]
    return tuple(fields)


def _log(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID | None) -> HttpResponse:
    with_client = client_id is None
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {"received_on": ""}
    if request.method == "POST":
        values = {name: request.POST.get(name, "") for name in ("client", "kind", "channel", "received_on", "details")}
        try:
            logged = services.request_log(
                actor=actor,
                client=values["client"] if with_client else str(client_id),
                kind=values["kind"],
                channel=values["channel"],
                received_on=parse_date(values["received_on"]),
                details=values["details"],
            )
        except InvalidInput as exc:
            errors = exc.errors
        except NotFound:
            if not with_client:
                raise
            # The DPO may log for any client of the partnership: saying none has this reference leaks nothing.
            errors = {"client": [_("No client in the partnership has this reference. Check it and try again.")]}
        else:
            messages.success(request, _("The rights request is logged. Its legal clock has started."))
            return redirect("web:rights_request_detail", request_id=logged.pk)
    fields = _log_fields(values, errors, with_client=with_client)
    back = reverse("web:rights_queue") if with_client else reverse("web:client_record", kwargs={"client_id": client_id})
    return render(
        request,
        "web/rights/request_new.html",
        {"fields": fields, "errors": error_links(fields, errors), "back": back, "nav": "dpo" if with_client else ""},
        status=422 if errors else 200,
    )


@staff_page
def rights_request_new(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    if not selectors.is_dpo(actor):
        raise Http404("No such page.")
    return _log(request, actor, None)


@staff_page
def rights_request_new_for_client(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    # A client the actor may not log for is "not found" before any form is shown or read.
    services.client_for_logging(actor=actor, client=str(client_id))
    return _log(request, actor, client_id)


# -- the queue ------------------------------------------------------------------------------------


@staff_page
def rights_queue(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    kind = request.GET.get("kind", "")
    kind = kind if kind in RequestKind.values else ""
    status = request.GET.get("status", "")
    status = status if status in RequestStatus.values else ""
    rows = selectors.dpo_queue(actor=actor, today=timezone.localdate(), kind=kind, status=status)
    filters = (
        FieldView(
            name="kind",
            id=field_id("kind"),
            label=_("Kind of request"),
            widget="select",
            option_groups=_options(RequestKind.choices, kind),
            empty_label=_("Any kind"),
        ),
        FieldView(
            name="status",
            id=field_id("status"),
            label=_("Status"),
            widget="select",
            option_groups=_options(RequestStatus.choices, status),
            empty_label=_("Any open status"),
        ),
    )
    return render(
        request,
        "web/rights/queue.html",
        {"rows": rows, "filters": filters, "filtered": bool(kind or status), "nav": "dpo"},
    )


# -- one request ----------------------------------------------------------------------------------


def _step_fields(step: str, values: Values, errors: Mapping[str, Sequence[str]]) -> tuple[FieldView, ...]:
    p = f"{step}-"
    note = _("Note (optional)")
    if step == "await_identity":
        return (
            _field(
                "note", _("What did you ask the client for?"), "textarea", values, errors, prefix=p, hint=_("Optional.")
            ),
        )
    if step == "verify_identity":
        return (
            _field(
                "method",
                _("How did you confirm who the client is?"),
                "radios",
                values,
                errors,
                prefix=p,
                choices=IdentityMethod.choices,
                required=True,
            ),
            _field("note", note, "textarea", values, errors, prefix=p),
        )
    if step == "await_clarification":
        return (
            _field(
                "question",
                _("What did you ask the client to clarify?"),
                "textarea",
                values,
                errors,
                prefix=p,
                hint=_("The question as you put it to them. The clock stops until they answer."),
                required=True,
            ),
        )
    if step == "extend":
        return (
            _field(
                "months",
                _("Extend by"),
                "radios",
                values,
                errors,
                prefix=p,
                choices=[("1", _("1 month")), ("2", _("2 months"))],
                required=True,
            ),
            _field(
                "reason",
                _("Why, as told to the client"),
                "textarea",
                values,
                errors,
                prefix=p,
                hint=_("Only for a complex or numerous request. Tell the client within the first month."),
                required=True,
            ),
        )
    if step == "complete":
        return (
            _field(
                "note",
                _("What was done"),
                "textarea",
                values,
                errors,
                prefix=p,
                hint=_("What the client was sent or told."),
                required=True,
            ),
        )
    if step == "refuse":
        return (
            _field(
                "exemption",
                _("Exemption relied on"),
                "select",
                values,
                errors,
                prefix=p,
                choices=Exemption.choices,
                required=True,
            ),
            _field(
                "note", _("Explanation, as told to the client"), "textarea", values, errors, prefix=p, required=True
            ),
        )
    if step == "withdraw":
        return (
            _field(
                "note",
                _("How did the client withdraw it?"),
                "textarea",
                values,
                errors,
                prefix=p,
                hint=_("For example: by phone to their key worker on 3 March."),
                required=True,
            ),
        )
    return (_field("note", note, "textarea", values, errors, prefix=p),)


STEP_TITLES: dict[str, StrOrPromise] = {
    "await_identity": _lazy("Ask for proof of identity"),
    "verify_identity": _lazy("Identity verified"),
    "await_clarification": _lazy("Ask the client to clarify"),
    "resume": _lazy("Start or resume work"),
    "extend": _lazy("Extend the deadline"),
    "complete": _lazy("Complete the request"),
    "refuse": _lazy("Refuse the request"),
    "acknowledge": _lazy("Acknowledge the complaint"),
    "withdraw": _lazy("The client withdrew the request"),
}


def _take_step(actor: StaffMember, rq: RightsRequest, step: str, post: Values, version: int | None) -> None:
    note = post.get("note", "")
    if step == "await_identity":
        services.request_await_identity(actor=actor, request=rq, note=note, expected_version=version)
    elif step == "verify_identity":
        services.request_verify_identity(
            actor=actor, request=rq, method=post.get("method", ""), note=note, expected_version=version
        )
    elif step == "await_clarification":
        services.request_await_clarification(
            actor=actor, request=rq, question=post.get("question", ""), expected_version=version
        )
    elif step == "resume":
        services.request_resume(actor=actor, request=rq, note=note, expected_version=version)
    elif step == "extend":
        # Anything but 1 or 2 goes on as 0, so the service names it beside any other bad field.
        months = {"1": 1, "2": 2}.get(post.get("months", ""), 0)
        services.request_extend(
            actor=actor, request=rq, months=months, reason=post.get("reason", ""), expected_version=version
        )
    elif step == "complete":
        services.request_complete(actor=actor, request=rq, note=note, expected_version=version)
    elif step == "refuse":
        services.request_refuse(
            actor=actor, request=rq, exemption=post.get("exemption", ""), note=note, expected_version=version
        )
    elif step == "acknowledge":
        services.complaint_acknowledge(actor=actor, request=rq, note=note, expected_version=version)
    elif step == "withdraw":
        services.request_withdraw(actor=actor, request=rq, note=note, expected_version=version)
    else:
        raise InvalidInput({"step": [_("Choose a step to take.")]})


@staff_page
def rights_request_detail(request: HttpRequest, actor: StaffMember, request_id: uuid.UUID) -> HttpResponse:
    today = timezone.localdate()
    detail = selectors.request_detail(actor=actor, request_id=request_id, today=today)
    posted_step = ""
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted_step = request.POST.get("step", "")
        values = {k: request.POST.get(k, "") for k in ("note", "method", "question", "months", "reason", "exemption")}
        try:
            version = int(request.POST.get("version", ""))
        except ValueError:
            version = None
        try:
            # A step not offered is still passed on: the services give the reason (not the DPO, or
            # the wrong status), so the page and the API refuse in the same words.
            _take_step(actor, detail.request, posted_step, values, version)
        except InvalidInput as exc:
            errors = exc.errors
        except EditConflict as exc:
            errors = {"version": [str(exc)]}
        else:
            messages.success(request, _("Recorded: %(step)s.") % {"step": STEP_TITLES[posted_step]})
            return redirect("web:rights_request_detail", request_id=request_id)
        detail = selectors.request_detail(actor=actor, request_id=request_id, today=today)
    forms = []
    error_list: tuple[ErrorLink, ...] = ()
    for step in detail.steps:
        mine = step == posted_step
        fields = _step_fields(step, values if mine else {}, errors if mine else {})
        forms.append({"step": step, "title": STEP_TITLES[step], "fields": fields})
        if mine:
            error_list = error_links(fields, errors)
    if errors and not error_list:
        error_list = error_links((), errors)
    rights_request = detail.request
    return render(
        request,
        "web/rights/request_detail.html",
        {
            "detail": detail,
            "rq": rights_request,
            "kind_label": RequestKind(rights_request.kind).label,
            "status_label": RequestStatus(rights_request.status).label,
            "channel_label": Channel(rights_request.channel).label,
            "exemption_label": Exemption(rights_request.exemption).label if rights_request.exemption else "",
            "part_label": SECTIONS_BY_KEY[rights_request.section].label
            if rights_request.section in SECTIONS_BY_KEY
            else "",
            "purpose_label": Purpose(rights_request.purpose).label if rights_request.purpose in Purpose.values else "",
            "forms": forms,
            "errors": error_list,
            "is_dpo": selectors.is_dpo(actor),
            "nav": "dpo" if selectors.is_dpo(actor) else "",
            "pack_panel": pack_panel(actor, rights_request),
            "actions_panel": actions_panel(actor, rights_request),
        },
        status=422 if errors else 200,
    )
