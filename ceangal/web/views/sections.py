"""Changing a section of a client's record, adding to a list section, and their history.

Every form is generated from the section's spec (web.forms); every write goes through
clients.services, which validates and refuses a stale version with EditConflict.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ceangal.clients import services
from ceangal.clients.sections import SECTIONS_BY_KEY, SectionSpec
from ceangal.errors import EditConflict, InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy import selectors
from ceangal.policy.selectors import ClientRecord, ItemView, SectionView
from ceangal.web.access import can_change_records, staff_page
from ceangal.web.forms import ErrorLink, build_form, error_links, read_post, typed_values
from ceangal.web.views import PURPOSE


def section_spec(section_key: str) -> SectionSpec:
    spec = SECTIONS_BY_KEY.get(section_key)
    if spec is None:
        raise Http404("No such section.")
    return spec


def visible_section(actor: StaffMember, client_id: uuid.UUID, spec: SectionSpec) -> tuple[ClientRecord, SectionView]:
    """The record (for its heading) and the section, if the actor may see it.

    The actor's organisation works with the client (else NotFound, a 404), so naming the reason a
    section is hidden reveals nothing: it is shown on the 403 page. Nothing is recorded in the
    ledger here: the form records what it shows (shown_on_form), and a refusal shows nothing.
    """
    record = selectors.client_record(
        actor=actor, client_id=client_id, purpose=PURPOSE, sections=[spec.key], record=False
    )
    view = record.sections[0]
    if not view.permitted:
        raise PermissionDenied(view.reason)
    return record, view


def shown_on_form(actor: StaffMember, record: ClientRecord, spec: SectionSpec, item: ItemView | None) -> None:
    """A form shows the client's name in its heading and, to change one, the item's current values."""
    selectors.record_shown(
        actor=actor, record=record, items=[(spec.category, item)] if item is not None else [], name=True
    )


def refuse_unless_casework(actor: StaffMember) -> None:
    """A form to add or change is offered only to a role that may change records (the service would refuse the
    rest). It depends on the actor alone, so it comes before the record is read: nothing is loaded,
    or recorded as disclosed, for a form that is not offered."""
    if not can_change_records(actor):
        raise PermissionDenied(_("A %(role)s cannot change client records.") % {"role": Role(actor.role).label.lower()})


def refuse_unless_engaged(record: ClientRecord) -> None:
    """Only an organisation that works with the client adds to their record: break-glass access
    is for reading (the service would refuse the rest)."""
    if not record.actor_engaged:
        raise PermissionDenied(
            _("Your organisation does not work with this client: break-glass access is for reading only.")
        )


def record_url(client_id: uuid.UUID, spec: SectionSpec) -> str:
    return reverse("web:client_record", kwargs={"client_id": client_id}) + f"#section-{spec.key}"


def _version(post: QueryDict) -> int | None:
    try:
        return int(post.get("version", ""))
    except ValueError:
        return None


def _form_page(
    request: HttpRequest,
    *,
    record: ClientRecord,
    spec: SectionSpec,
    values: Mapping[str, Any],
    errors: Mapping[str, Sequence[str]],
    heading: str,
    submit_label: str,
    version: str | None,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    fields = build_form(spec.fields, values, errors)
    links = error_links(fields, errors)
    if conflict:
        links = (ErrorLink(conflict, ""), *links)
    return render(
        request,
        "web/section_form.html",
        {
            "record": record,
            "spec": spec,
            "fields": fields,
            "errors": links,
            "conflict": conflict,
            "heading": heading,
            "submit_label": submit_label,
            "version": version,
            "back_url": record_url(record.client_id, spec),
        },
        status=status,
    )


def _edit(
    request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, spec: SectionSpec, item_id: int | None
) -> HttpResponse:
    refuse_unless_casework(actor)
    record, view = visible_section(actor, client_id, spec)
    item = selectors.find_item(view, item_id)  # refused with the reason, as the record page gives it
    if item is not None and not item.editable:
        raise PermissionDenied(
            _("This was supplied by %(organisation)s; ask them to correct it.") % {"organisation": item.supplied_by}
        )
    title = spec.label.lower() if not spec.multiple else (item.display.get(spec.fields[0].name, "") if item else "")
    heading = _("Change %(what)s") % {"what": title or spec.label.lower()}
    if request.method != "POST":
        shown_on_form(actor, record, spec, item)
        return _form_page(
            request,
            record=record,
            spec=spec,
            values=item.values if item else {},
            errors={},
            heading=heading,
            submit_label=_("Save changes"),
            version=str(item.version if item else 0),
        )
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    try:
        services.section_save(
            actor=actor,
            client=client,
            section_key=spec.key,
            data=read_post(spec.fields, request.POST),
            expected_version=_version(request.POST),
            item_id=item_id,
        )
    except (InvalidInput, EditConflict) as exc:
        conflict = isinstance(exc, EditConflict)
        shown_on_form(actor, record, spec, None)  # the values shown again are the ones just typed
        return _form_page(
            request,
            record=record,
            spec=spec,
            values=typed_values(spec.fields, request.POST),
            errors=exc.errors if isinstance(exc, InvalidInput) else {},
            heading=heading,
            submit_label=_("Save changes"),
            version=request.POST.get("version", ""),
            conflict=str(exc) if conflict else "",
            status=exc.status,
        )
    messages.success(request, _("%(section)s saved.") % {"section": spec.label})
    return redirect(record_url(client_id, spec))


@staff_page
def section_edit(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, section_key: str) -> HttpResponse:
    spec = section_spec(section_key)
    if spec.multiple:
        raise Http404("Items of a list are changed one at a time.")
    return _edit(request, actor, client_id, spec, None)


@staff_page
def item_edit(
    request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, section_key: str, item_id: int
) -> HttpResponse:
    spec = section_spec(section_key)
    if not spec.multiple:
        raise Http404("This section has no list of items.")
    return _edit(request, actor, client_id, spec, item_id)


@staff_page
def item_add(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, section_key: str) -> HttpResponse:
    spec = section_spec(section_key)
    if not (spec.multiple and spec.addable):
        raise Http404("Items cannot be added to this section here.")
    refuse_unless_casework(actor)
    record, _view = visible_section(actor, client_id, spec)
    refuse_unless_engaged(record)
    heading = _("Add to %(section)s") % {"section": spec.label.lower()}
    if request.method != "POST":
        shown_on_form(actor, record, spec, None)
        return _form_page(
            request,
            record=record,
            spec=spec,
            values={},
            errors={},
            heading=heading,
            submit_label=_("Add"),
            version=None,
        )
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    try:
        services.item_add(actor=actor, client=client, section_key=spec.key, data=read_post(spec.fields, request.POST))
    except InvalidInput as exc:
        shown_on_form(actor, record, spec, None)
        return _form_page(
            request,
            record=record,
            spec=spec,
            values=typed_values(spec.fields, request.POST),
            errors=exc.errors,
            heading=heading,
            submit_label=_("Add"),
            version=None,
            status=exc.status,
        )
    messages.success(request, _("Added to %(section)s.") % {"section": spec.label.lower()})
    return redirect(record_url(client_id, spec))


def _history(
    request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, spec: SectionSpec, item_id: int | None
) -> HttpResponse:
    entries = selectors.section_history(
        actor=actor, client_id=client_id, section_key=spec.key, item_id=item_id, purpose=PURPOSE
    )
    return render(
        request,
        "web/section_history.html",
        {
            "spec": spec,
            "entries": [(entry, [(f.label, entry.values.get(f.name, "")) for f in spec.fields]) for entry in entries],
            "back_url": record_url(client_id, spec),
        },
    )


@staff_page
def section_history(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, section_key: str) -> HttpResponse:
    spec = section_spec(section_key)
    if spec.multiple:
        raise Http404("Each item of a list has its own history.")
    return _history(request, actor, client_id, spec, None)


@staff_page
def item_history(
    request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, section_key: str, item_id: int
) -> HttpResponse:
    spec = section_spec(section_key)
    if not spec.multiple:
        raise Http404("This section has no list of items.")
    return _history(request, actor, client_id, spec, item_id)
