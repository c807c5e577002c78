"""Gaps in provision: needs no service in the directory met, recorded for the partnership (no client
data: the need, the stage, the council area and a description)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.reference import lookups
from ceangal.referrals import selectors, services
from ceangal.web.access import can_change_records, staff_page
from ceangal.web.forms import FieldView, error_links, filter_select, value_field

FIELDS = ("description", "need", "stage", "local_authority")


@staff_page
def gap_list(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    chosen = {name: request.GET.get(name, "").strip() for name in ("need", "stage")}
    gaps = selectors.gap_list(actor=actor, need=chosen["need"], stage=chosen["stage"])
    filters = (
        filter_select("need", _("Need"), chosen, "barrier", _("Any need")),
        filter_select("stage", _("Stage"), chosen, "pipeline_stage", _("Any stage")),
    )
    labels = lookups.labels_for(["barrier", "pipeline_stage", "local_authority"])
    rows = [
        {
            "gap": gap,
            "need": labels["barrier"].get(gap.need, gap.need),
            "stage": labels["pipeline_stage"].get(gap.stage, gap.stage),
            "local_authority": labels["local_authority"].get(gap.local_authority, gap.local_authority),
        }
        for gap in gaps
    ]
    return render(
        request,
        "web/referrals/gap_list.html",
        {"rows": rows, "filters": filters, "filtered": any(chosen.values()), "nav": "referrals"},
    )


def _fields(values: Mapping[str, object], errors: Mapping[str, Sequence[str]]) -> tuple[FieldView, ...]:
    return (
        value_field(
            "description",
            _("What did the client need that no service offered?"),
            values,
            errors,
            widget="textarea",
            hint=_("Describe the need, not the client: do not name them or give details that identify them."),
            required=True,
        ),
        value_field(
            "need", _("Need"), values, errors, widget="select", code_list="barrier", empty_label=_("Not given")
        ),
        value_field(
            "stage", _("Stage"), values, errors, widget="select", code_list="pipeline_stage", empty_label=_("Not given")
        ),
        value_field(
            "local_authority",
            _("Council area"),
            values,
            errors,
            widget="select",
            code_list="local_authority",
            empty_label=_("Not given"),
        ),
    )


@staff_page
def gap_new(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    if not can_change_records(actor):
        raise PermissionDenied(_("Only key workers and team leaders record gaps in provision."))
    source = request.POST if request.method == "POST" else request.GET
    values = {name: source.get(name, "").strip() for name in FIELDS}
    if request.method == "POST":
        try:
            services.gap_record(
                actor=actor,
                description=values["description"],
                need=values["need"],
                stage=values["stage"],
                local_authority=values["local_authority"],
            )
        except InvalidInput as exc:
            fields = _fields(values, exc.errors)
            return render(
                request,
                "web/referrals/gap_new.html",
                {"fields": fields, "errors": error_links(fields, exc.errors), "nav": "referrals"},
                status=exc.status,
            )
        messages.success(request, _("The gap in provision is recorded for the partnership."))
        return redirect("web:gap_list")
    fields = _fields(values, {})
    return render(request, "web/referrals/gap_new.html", {"fields": fields, "errors": (), "nav": "referrals"})
