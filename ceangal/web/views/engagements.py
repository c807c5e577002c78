"""Changing an engagement: its status, key worker and, on closing, the reason."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from ceangal.clients import services
from ceangal.errors import EditConflict, InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.partners.selectors import key_workers
from ceangal.policy import selectors
from ceangal.policy.selectors import ClientRecord, EngagementView
from ceangal.reference import lookups
from ceangal.web.access import staff_page
from ceangal.web.forms import ErrorLink, FieldView, Option, OptionGroup, error_links, field_id
from ceangal.web.views import PURPOSE

EXIT_REASONS = "exit_reason"


def _key_workers(actor: StaffMember) -> list[StaffMember]:
    return key_workers(organisation_id=actor.organisation_id)


def _fields(
    statuses: Sequence[tuple[str, str]],
    workers: Sequence[StaffMember],
    values: Mapping[str, str],
    errors: Mapping[str, Sequence[str]],
) -> tuple[FieldView, ...]:
    def group(options: Sequence[tuple[str, str]], selected: str) -> tuple[OptionGroup, ...]:
        return (OptionGroup("", tuple(Option(value, label, value == selected) for value, label in options)),)

    reasons = [(c.code, c.label) for c in lookups.choices(EXIT_REASONS)]
    return (
        FieldView(
            name="status",
            id=field_id("status"),
            label=_("Status"),
            widget="radios",
            value=values.get("status", ""),
            option_groups=group(statuses, values.get("status", "")),
            errors=tuple(errors.get("status", ())),
            required=True,
        ),
        FieldView(
            name="key_worker",
            id=field_id("key_worker"),
            label=_("Key worker"),
            widget="select",
            value=values.get("key_worker", ""),
            option_groups=group([(str(w.pk), str(w.user)) for w in workers], values.get("key_worker", "")),
            errors=tuple(errors.get("key_worker", ())),
            empty_label=_("Not assigned"),
        ),
        FieldView(
            name="closure_reason",
            id=field_id("closure_reason"),
            label=_("Reason for closing"),
            widget="select",
            hint=_("Only when the status is Closed."),
            value=values.get("closure_reason", ""),
            option_groups=group(reasons, values.get("closure_reason", "")),
            errors=tuple(errors.get("closure_reason", ())),
        ),
    )


def _page(
    request: HttpRequest,
    record: ClientRecord,
    view: EngagementView,
    fields: tuple[FieldView, ...],
    errors: Mapping[str, Sequence[str]],
    version: str,
    conflict: str = "",
    status: int = 200,
) -> HttpResponse:
    links = error_links(fields, errors)
    if conflict:
        links = (ErrorLink(conflict, ""), *links)
    return render(
        request,
        "web/engagement_edit.html",
        {
            "record": record,
            "engagement": view,
            "fields": fields,
            "errors": links,
            "version": version,
            "back_url": reverse("web:client_record", kwargs={"client_id": record.client_id}) + "#engagements",
        },
        status=status,
    )


@staff_page
def engagement_edit(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, engagement_id: int) -> HttpResponse:
    record = selectors.client_record(actor=actor, client_id=client_id, purpose=PURPOSE, sections=["stages"])
    view = next((e for e in record.engagements if e.id == engagement_id), None)
    if view is None:
        raise Http404("No such engagement.")
    engagement = selectors.engagement_for_action(actor=actor, engagement_id=engagement_id)
    statuses = selectors.engagement_statuses()
    workers = _key_workers(actor)
    if request.method != "POST":
        values = {"status": view.status, "key_worker": str(view.key_worker_id or "")}
        return _page(request, record, view, _fields(statuses, workers, values, {}), {}, str(view.version))
    posted = {name: request.POST.get(name, "") for name in ("status", "key_worker", "closure_reason")}
    version = request.POST.get("version", "")
    key_worker = next((w for w in workers if str(w.pk) == posted["key_worker"]), None)
    try:
        if posted["key_worker"] and key_worker is None:
            raise InvalidInput({"key_worker": _("Choose a key worker from the list.")})
        services.engagement_update(
            actor=actor,
            engagement=engagement,
            expected_version=int(version) if version.isdigit() else 0,
            status=posted["status"] or None,
            key_worker=key_worker,  # an empty choice unassigns the key worker
            closure_reason=posted["closure_reason"],
        )
    except InvalidInput as exc:
        fields = _fields(statuses, workers, posted, exc.errors)
        return _page(request, record, view, fields, exc.errors, version, status=exc.status)
    except EditConflict as exc:
        fields = _fields(statuses, workers, posted, {})
        return _page(request, record, view, fields, {}, version, conflict=str(exc), status=exc.status)
    if posted["status"] == "closed":
        # With the engagement closed the organisation no longer works with the client, so their
        # record is no longer open to it: go back to the caseload.
        messages.success(request, _("The engagement is closed."))
        return redirect("web:caseload")
    messages.success(request, _("The engagement is saved."))
    return redirect(reverse("web:client_record", kwargs={"client_id": client_id}) + "#engagements")
