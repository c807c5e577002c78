"""Acting on a rights request (the DPO's pages): restricting processing and lifting it, recording an
objection and compelling grounds, correcting an item, planning and carrying out an erasure; legal
holds; and, for staff of any organisation, the notices their organisation received (Art 19).

Thin: ceangal.rights.actions and the clients services decide and validate. None of these pages
shows a value from the client's record: the DPO chooses what to correct by its section, supplier
and date, and types the corrected value.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ceangal.clients.erasure import Exemption
from ceangal.clients.holds import hold_lift, hold_place, holds_of_partnership
from ceangal.clients.notices import can_read_notices, notice_mark_read, notices_for
from ceangal.clients.rectification import rectifiable_section
from ceangal.clients.sections import SECTIONS_BY_KEY
from ceangal.errors import EditConflict, InvalidInput, NotFound
from ceangal.partners.models import StaffMember
from ceangal.rights import actions, selectors, services
from ceangal.rights.models import RightsRequest
from ceangal.web.access import staff_page
from ceangal.web.forms import (
    ErrorLink,
    FieldView,
    build_form,
    error_links,
    has_any_value,
    parse_date,
    read_post,
    typed_values,
    value_field,
)

type Errors = Mapping[str, Sequence[str]]
type StrOrPromise = str | Promise


def _dpo_request(actor: StaffMember, request_id: uuid.UUID) -> RightsRequest:
    # Everyone but the partnership's DPO gets the same "not found" as for a request that does not exist.
    if not selectors.is_dpo(actor):
        raise Http404("No such page.")
    return selectors.request_for(actor=actor, request_id=request_id)


def actions_panel(actor: StaffMember, rq: RightsRequest) -> actions.RequestActions | None:
    """What the request page shows about the client's restriction, objections, holds and notices."""
    if not selectors.is_dpo(actor):
        return None
    return actions.request_actions(actor=actor, request=rq)


def _back(rq: RightsRequest) -> str:
    return reverse("web:rights_request_detail", kwargs={"request_id": rq.pk})


# -- restriction and objection --------------------------------------------------------------------


def _action_fields(
    action: str, values: Mapping[str, str], errors: Errors, panel: actions.RequestActions
) -> tuple[FieldView, ...]:
    if action == "restrict":
        return (
            value_field(
                "reason",
                _("Why is processing restricted?"),
                values,
                errors,
                widget="textarea",
                hint=_("For example: the client contests the accuracy of their record while it is checked."),
                required=True,
            ),
        )
    if action == "lift":
        return (
            value_field(
                "client_told_on",
                _("When was the client told the restriction would be lifted?"),
                values,
                errors,
                hint=_("The law requires the client to be told first. For example 27 3 2027."),
                input_class="ds_input--fixed-10",
                required=True,
            ),
            value_field("note", _("Note (optional)"), values, errors, widget="textarea"),
        )
    if action == "object":
        return (
            value_field(
                "purpose",
                _("Which purpose does the client object to?"),
                values,
                errors,
                widget="radios",
                options=panel.purposes,
                required=True,
            ),
            value_field("grounds", _("What did the client say? (optional)"), values, errors, widget="textarea"),
        )
    if action == "compelling_grounds":
        standing = [(str(o.pk), o.purpose) for o in panel.objections if o.in_force]
        labels = dict(panel.purposes)
        return (
            value_field(
                "objection",
                _("Which objection?"),
                values,
                errors,
                widget="radios",
                options=[(pk, labels.get(purpose, purpose)) for pk, purpose in standing],
                required=True,
            ),
            value_field(
                "compelling_grounds",
                _("The compelling legitimate grounds that override it"),
                values,
                errors,
                widget="textarea",
                required=True,
            ),
        )
    return ()


ACTION_TITLES: dict[str, StrOrPromise] = {
    "restrict": _lazy("Restrict processing"),
    "lift": _lazy("Lift the restriction"),
    "object": _lazy("Record the objection"),
    "compelling_grounds": _lazy("Record compelling grounds"),
}
FORM_ACTIONS = tuple(ACTION_TITLES)


def _take(actor: StaffMember, rq: RightsRequest, action: str, post: Mapping[str, str]) -> None:
    if action == "restrict":
        actions.request_restrict(actor=actor, request=rq, reason=post.get("reason", ""))
    elif action == "lift":
        told = parse_date(post.get("client_told_on", ""))
        try:
            day = dt.date.fromisoformat(told) if told else None
        except ValueError:
            raise InvalidInput({"client_told_on": [_("Enter the date as a real date, like 27 3 2027.")]}) from None
        actions.request_restriction_lift(actor=actor, request=rq, client_told_on=day, note=post.get("note", ""))
    elif action == "object":
        actions.request_object(
            actor=actor, request=rq, purpose=post.get("purpose", ""), grounds=post.get("grounds", "")
        )
    elif action == "compelling_grounds":
        if not post.get("objection"):
            raise InvalidInput({"objection": [_("Choose the objection the grounds override.")]})
        actions.request_objection_grounds(
            actor=actor,
            request=rq,
            objection_id=post.get("objection", ""),
            grounds=post.get("compelling_grounds", ""),
        )
    else:
        raise InvalidInput({"action": [_("Choose what to do.")]})


@staff_page
def rights_actions(request: HttpRequest, actor: StaffMember, request_id: uuid.UUID) -> HttpResponse:
    rq = _dpo_request(actor, request_id)
    panel = actions.request_actions(actor=actor, request=rq)
    posted = ""
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted = request.POST.get("action", "")
        values = {
            k: request.POST.get(k, "")
            for k in ("reason", "client_told_on", "note", "purpose", "grounds", "objection", "compelling_grounds")
        }
        try:
            _take(actor, rq, posted, values)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("Recorded: %(what)s.") % {"what": str(ACTION_TITLES[posted]).lower()})
            return redirect("web:rights_request_detail", request_id=rq.pk)
        panel = actions.request_actions(actor=actor, request=rq)
    forms = []
    error_list: tuple[ErrorLink, ...] = ()
    for action in FORM_ACTIONS:
        if action not in panel.offered:
            continue
        mine = action == posted
        # The objection form starts at the purpose the client named, when they named one.
        start = {"purpose": rq.purpose} if action == "object" and rq.purpose else {}
        fields = _action_fields(action, values if mine else start, errors if mine else {}, panel)
        forms.append({"action": action, "title": ACTION_TITLES[action], "fields": fields})
        if mine:
            error_list = error_links(fields, errors)
    if errors and not error_list:
        error_list = error_links((), errors)
    return render(
        request,
        "web/rights/actions.html",
        {"rq": rq, "panel": panel, "forms": forms, "errors": error_list, "back": _back(rq), "nav": "dpo"},
        status=422 if errors else 200,
    )


# -- rectification -------------------------------------------------------------------------------


@staff_page
def rights_rectify(request: HttpRequest, actor: StaffMember, request_id: uuid.UUID) -> HttpResponse:
    rq = _dpo_request(actor, request_id)
    if rq.kind != "rectification":
        raise Http404("Only a rectification request corrects the record.")
    try:
        items = actions.rectifiable_items(actor=actor, request=rq)
    except InvalidInput as exc:
        # Not under way yet (identity not verified) or closed: say why, offer nothing.
        problem = " ".join(message for messages_ in exc.errors.values() for message in messages_)
        return render(request, "web/rights/actions_rectify.html", {"rq": rq, "problem": problem, "back": _back(rq)})
    chosen_value = request.POST.get("item", "") if request.method == "POST" else request.GET.get("item", "")
    chosen = next((i for i in items if i.value == chosen_value), None)
    errors: dict[str, list[str]] = {}
    fields: tuple[FieldView, ...] = ()
    if chosen is not None:
        spec = rectifiable_section(chosen.section_key)
        shown: Mapping[str, object] = {}
        if request.method == "POST":
            data = {k: v for k, v in read_post(spec.fields, request.POST).items() if has_any_value({k: v})}
            shown = typed_values(spec.fields, request.POST)
            try:
                version = int(request.POST.get("version", ""))
            except ValueError:
                version = None
            try:
                done = actions.request_rectify(
                    actor=actor,
                    request=rq,
                    section_key=spec.key,
                    item_id=chosen.item_id,
                    data=data,
                    expected_version=version,
                )
            except InvalidInput as exc:
                errors = exc.errors
            except EditConflict as exc:
                errors = {"version": [str(exc)]}
            else:
                messages.success(
                    request,
                    _("Corrected. %(count)s organisations that received it have been told.")
                    % {"count": len(done.notified)},
                )
                return redirect("web:rights_request_detail", request_id=rq.pk)
        fields = build_form(spec.fields, shown, errors)
    return render(
        request,
        "web/rights/actions_rectify.html",
        {
            "rq": rq,
            # The section the client said is wrong comes first, named above the list.
            "items": sorted(items, key=lambda i: i.section_key != rq.section),
            "named_section": SECTIONS_BY_KEY[rq.section].label if rq.section in SECTIONS_BY_KEY else "",
            "chosen": chosen,
            "fields": fields,
            "errors": error_links(fields, errors),
            "back": _back(rq),
            "nav": "dpo",
        },
        status=422 if errors else 200,
    )


# -- erasure --------------------------------------------------------------------------------------


def _exemptions_posted(post: Mapping[str, str], organisation_ids: Sequence[int]) -> list[Exemption]:
    return [
        Exemption(org, post.get(f"exemption_{org}", ""), post.get(f"reason_{org}", ""))
        for org in organisation_ids
        if post.get(f"exemption_{org}")
    ]


@staff_page
def rights_erasure(request: HttpRequest, actor: StaffMember, request_id: uuid.UUID) -> HttpResponse:
    rq = _dpo_request(actor, request_id)
    if rq.kind != "erasure":
        raise Http404("Only an erasure request has an erasure plan.")
    plan = actions.request_erasure_plan(actor=actor, request=rq)
    orgs = [p.organisation_id for p in plan.organisations if p.organisation_id is not None]
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {
            k: request.POST.get(k, "") for k in request.POST if k.startswith(("exemption_", "reason_", "confirm"))
        }
        if request.POST.get("confirm") != "true":
            errors["confirm"] = [_("Confirm that the information should be erased: this cannot be undone.")]
        else:
            try:
                record = actions.request_erase(actor=actor, request=rq, exemptions=_exemptions_posted(values, orgs))
            except InvalidInput as exc:
                errors = exc.errors
            else:
                messages.success(
                    request,
                    _("The client's information was erased.")
                    if record.full
                    else _("The information of the organisations without an exemption was erased."),
                )
                return redirect("web:rights_request_detail", request_id=rq.pk)
    rows = []
    exemption_options = list(actions.ERASURE_EXEMPTIONS.items())
    all_fields: list[FieldView] = []
    for org_plan in plan.organisations:
        fields: tuple[FieldView, ...] = ()
        if org_plan.organisation_id is not None:
            org = org_plan.organisation_id
            fields = (
                value_field(
                    f"exemption_{org}",
                    _("May %(name)s keep its information?") % {"name": org_plan.name},
                    values,
                    errors,
                    widget="select",
                    options=exemption_options,
                    empty_label=_("No: erase it"),
                ),
                value_field(
                    f"reason_{org}",
                    _("Why %(name)s must keep it") % {"name": org_plan.name},
                    values,
                    errors,
                    widget="textarea",
                    hint=_("Only if it keeps its information. Do not name the client."),
                ),
            )
            all_fields += fields
        rows.append({"plan": org_plan, "fields": fields})
    confirm = FieldView(
        name="confirm",
        id="f-confirm",
        label=_("I confirm the information above should be erased. This cannot be undone."),
        widget="checkbox",
        errors=tuple(errors.get("confirm", ())),
    )
    all_fields.append(confirm)
    return render(
        request,
        "web/rights/actions_erasure.html",
        {
            "rq": rq,
            "plan": plan,
            "rows": rows,
            "confirm": confirm,
            "can_erase": actions.can_act(actor, rq, "erase") and not plan.hold and not plan.erased,
            "errors": error_links(all_fields, errors),
            "back": _back(rq),
            "nav": "dpo",
        },
        status=422 if errors else 200,
    )


# -- legal holds ----------------------------------------------------------------------------------


def _hold_fields(values: Mapping[str, str], errors: Errors) -> tuple[FieldView, ...]:
    return (
        value_field(
            "client",
            _("Client reference"),
            values,
            errors,
            hint=_("The partnership's reference for the client, like CG-7K2M9Q."),
            required=True,
        ),
        value_field(
            "reason",
            _("Why must the information be kept?"),
            values,
            errors,
            widget="textarea",
            hint=_("The claim, investigation or order. While the hold stands nothing about the client can be erased."),
            required=True,
        ),
        value_field("reference", _("Case or court reference (optional)"), values, errors),
    )


@staff_page
def legal_holds(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    if not selectors.is_dpo(actor):
        raise Http404("No such page.")
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("client", "reason", "reference")}
        try:
            if not values["client"].strip():
                raise InvalidInput({"client": [_("Enter the client's reference.")]})
            try:
                client = services.client_for_logging(actor=actor, client=values["client"])
            except NotFound:
                raise InvalidInput(
                    {"client": [_("No client in the partnership has this reference. Check it and try again.")]}
                ) from None
            hold_place(actor=actor, client=client, reason=values["reason"], reference=values["reference"])
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The legal hold is placed: nothing about the client can be erased."))
            return redirect("web:legal_holds")
    fields = _hold_fields(values, errors)
    return render(
        request,
        "web/rights/holds.html",
        {
            "holds": list(holds_of_partnership(actor)),
            "fields": fields,
            "errors": error_links(fields, errors),
            "nav": "dpo",
        },
        status=422 if errors else 200,
    )


@staff_page
def legal_hold_detail(request: HttpRequest, actor: StaffMember, hold_id: int) -> HttpResponse:
    hold = holds_of_partnership(actor, standing_only=False).filter(pk=hold_id).first()
    if hold is None:
        raise Http404("No such legal hold.")
    values: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {"note": request.POST.get("note", "")}
        try:
            hold_lift(actor=actor, hold=hold, note=values["note"])
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, _("The legal hold is lifted."))
            return redirect("web:legal_holds")
    fields = (value_field("note", _("Why is it lifted? (optional)"), values, errors, widget="textarea"),)
    return render(
        request,
        "web/rights/holds_detail.html",
        {"hold": hold, "fields": fields, "errors": error_links(fields, errors), "nav": "dpo"},
        status=422 if errors else 200,
    )


# -- notices to recipients ------------------------------------------------------------------------


@staff_page
def recipient_notices(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    if not can_read_notices(actor):
        raise Http404("No such page.")
    if request.method == "POST":
        try:
            notice_id = int(request.POST.get("notice", ""))
        except ValueError:
            raise Http404("No such notice.") from None
        notice_mark_read(actor=actor, notice_id=notice_id)
        messages.success(request, _("Marked as read."))
        return redirect("web:recipient_notices")
    return render(
        request,
        "web/rights/actions_notices.html",
        {"notices": actions.notice_views(notices_for(actor)), "nav": "notifications"},
    )
