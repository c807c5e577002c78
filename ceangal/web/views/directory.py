"""The service directory: browse and filter the partnership's services, read one, publish and
change your organisation's own, and download the directory as Open Referral UK / HSDS JSON.

Services are partnership information, not client data: every member of staff may browse them.
Only an organisation admin or a team leader of the owning organisation is offered the forms
(directory.services decides; others get 403 before a form is shown). "Services this client is
eligible for" belongs to the client's record and the policy layer, which hands plain facts to
directory.selectors.services_eligible_for.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ceangal.directory import selectors, services
from ceangal.directory.eligibility import capacity_note
from ceangal.directory.hsds import export_document
from ceangal.directory.models import Service
from ceangal.errors import EditConflict, InvalidInput, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.reference.categories import DataCategory
from ceangal.web.access import staff_page
from ceangal.web.forms import Errors, FieldView, Values, error_links, filter_select, value_field

TEXT_FIELDS = (
    "name",
    "description",
    "min_age",
    "max_age",
    "postcode_areas",
    "other_criteria",
    "places_available",
    "waiting_days",
    "email",
    "phone",
    "referral_instructions",
    "location_name",
    "location_address",
    "location_postcode",
)
LIST_FIELDS = ("stages", "needs", "local_authorities", "benefits", "categories_needed")
NUMBER_FIELDS = ("min_age", "max_age", "places_available", "waiting_days")
# The service's name for a location field, as the page names it (the page offers one place).
LOCATION_FIELDS = {"locations[0].name": "location_name", "locations[0].postcode": "location_postcode"}


def _number(name: str, label: str, values: Values, errors: Errors, hint: str = "") -> FieldView:
    return value_field(name, label, values, errors, hint=hint, input_class="ds_input--fixed-4", inputmode="numeric")


def _form_fields(values: Values, errors: Errors) -> dict[str, FieldView]:
    categories = [(c.value, str(c.label)) for c in DataCategory]
    return {
        "name": value_field("name", _("Name of the service"), values, errors, required=True),
        "description": value_field(
            "description",
            _("What the service offers"),
            values,
            errors,
            widget="textarea",
            hint=_("In plain words, for staff and clients."),
            required=True,
        ),
        "stages": value_field(
            "stages",
            _("Stages of the pipeline served"),
            values,
            errors,
            widget="checkboxes",
            code_list="pipeline_stage",
        ),
        "needs": value_field(
            "needs",
            _("Needs the service helps with (optional)"),
            values,
            errors,
            widget="checkboxes",
            code_list="barrier",
        ),
        "min_age": _number("min_age", _("Minimum age (optional)"), values, errors),
        "max_age": _number("max_age", _("Maximum age (optional)"), values, errors),
        "local_authorities": value_field(
            "local_authorities",
            _("Council areas covered (optional)"),
            values,
            errors,
            widget="checkboxes",
            code_list="local_authority",
            hint=_("Leave all unticked if the service is open to people from anywhere."),
        ),
        "postcode_areas": value_field(
            "postcode_areas",
            _("Postcode areas or districts covered (optional)"),
            values,
            errors,
            hint=_("Separate them with commas, for example KY1, KY2, FK."),
        ),
        "benefits": value_field(
            "benefits",
            _("Only for people receiving one of these benefits (optional)"),
            values,
            errors,
            widget="checkboxes",
            code_list="benefit",
        ),
        "other_criteria": value_field(
            "other_criteria", _("Other criteria, in plain words (optional)"), values, errors, widget="textarea"
        ),
        "places_available": _number(
            "places_available",
            _("Places available (optional)"),
            values,
            errors,
            hint=_("Leave blank if places are not limited; 0 if the service is full."),
        ),
        "waiting_days": _number("waiting_days", _("Waiting time in days (optional)"), values, errors),
        "email": value_field("email", _("Email for referrals"), values, errors, input_type="email"),
        "phone": value_field("phone", _("Phone for referrals"), values, errors, input_type="tel"),
        "referral_instructions": value_field(
            "referral_instructions", _("How to refer (optional)"), values, errors, widget="textarea"
        ),
        "categories_needed": value_field(
            "categories_needed",
            _("Information a referral needs"),
            values,
            errors,
            widget="checkboxes",
            options=categories,
            hint=_("Only what the service needs to accept a referral: the client agrees to share it."),
        ),
        "location_name": value_field("location_name", _("Place name (optional)"), values, errors),
        "location_address": value_field("location_address", _("Address (optional)"), values, errors, widget="textarea"),
        "location_postcode": value_field(
            "location_postcode", _("Postcode (optional)"), values, errors, input_class="ds_input--fixed-10"
        ),
    }


def _read(post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {name: post.get(name, "") for name in TEXT_FIELDS}
    values.update({name: [v for v in post.getlist(name) if v] for name in LIST_FIELDS})
    return values


def _values_of(service: Service) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(service, name) for name in services.STORED_FIELDS}
    values["postcode_areas"] = ", ".join(service.postcode_areas)
    for name in NUMBER_FIELDS:
        values[name] = "" if values[name] is None else str(values[name])
    location = next(iter(service.locations.all()), None)
    if location is not None:
        values |= {
            "location_name": location.name,
            "location_address": location.address,
            "location_postcode": location.postcode,
        }
    return values


def _terms(values: Values, kept: Sequence[services.LocationTerms] = ()) -> services.ServiceTerms:
    """What the browser sent as ServiceTerms; a number that is not one is named with the service's
    own errors, so every mistake shows at once and nothing is saved."""
    parse_errors: dict[str, list[str]] = {}
    numbers: dict[str, int | None] = {}
    for name in NUMBER_FIELDS:
        text = str(values.get(name, "")).strip()
        try:
            numbers[name] = int(text) if text else None
        except ValueError:
            numbers[name] = None
            parse_errors[name] = [_("Give a whole number, for example 16.")]
    location_name = str(values.get("location_name", "")).strip()
    location_rest = [str(values.get(n, "")).strip() for n in ("location_address", "location_postcode")]
    locations = (
        [services.LocationTerms(name=location_name, address=location_rest[0], postcode=location_rest[1])]
        if location_name or any(location_rest)
        else []
    ) + list(kept)
    terms = services.ServiceTerms(
        name=str(values.get("name", "")),
        description=str(values.get("description", "")),
        stages=list(values.get("stages", [])),
        needs=list(values.get("needs", [])),
        min_age=numbers["min_age"],
        max_age=numbers["max_age"],
        local_authorities=list(values.get("local_authorities", [])),
        postcode_areas=[a for a in str(values.get("postcode_areas", "")).replace(";", ",").split(",") if a.strip()],
        benefits=list(values.get("benefits", [])),
        other_criteria=str(values.get("other_criteria", "")),
        places_available=numbers["places_available"],
        waiting_days=numbers["waiting_days"],
        email=str(values.get("email", "")),
        phone=str(values.get("phone", "")),
        referral_instructions=str(values.get("referral_instructions", "")),
        categories_needed=list(values.get("categories_needed", [])),
        locations=locations,
    )
    if parse_errors:
        _values, _locations, errors = services.clean_terms(terms)
        raise InvalidInput({**errors, **parse_errors})
    return terms


def _page_errors(errors: Errors) -> dict[str, list[str]]:
    return {LOCATION_FIELDS.get(name, name): list(messages_) for name, messages_ in errors.items()}


def _render_form(
    request: HttpRequest,
    *,
    values: Values,
    errors: Errors,
    service: Service | None,
    retire_errors: Errors,
    conflict: bool = False,
) -> HttpResponse:
    fields = _form_fields(values, errors)
    retire_field = value_field(
        "retired_reason", _("Why is the service retired?"), request.POST, retire_errors, widget="textarea"
    )
    all_errors = error_links(tuple(fields.values()), errors) + error_links((retire_field,), retire_errors)
    return render(
        request,
        "web/directory/service_form.html",
        {
            "service": service,
            "fields": fields,
            "retire_field": retire_field,
            "other_places": list(service.locations.all())[1:] if service else [],
            # The version this editor loaded: kept through a refused save, so a conflict is still seen.
            "version": request.POST.get("version") or (service.version if service else ""),
            "conflict": conflict,
            "errors": all_errors,
            "nav": "directory",
        },
        status=409 if conflict else 422 if errors or retire_errors else 200,
    )


@dataclass(frozen=True)
class ServiceRow:
    service: Service
    stages: list[str]
    capacity: str


@staff_page
def directory_list(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    chosen = {name: request.GET.get(name, "").strip() for name in ("stage", "local_authority", "need")}
    found = selectors.services_for(
        actor,
        stage=chosen["stage"] or None,
        local_authority=chosen["local_authority"] or None,
        need=chosen["need"] or None,
    )
    labels = selectors.criteria_labels()
    rows = [ServiceRow(s, [labels.get(code, code) for code in s.stages], capacity_note(s)) for s in found]
    filters = (
        filter_select("stage", _("Stage"), chosen, "pipeline_stage", _("Any stage")),
        filter_select("local_authority", _("Council area"), chosen, "local_authority", _("Any area")),
        filter_select("need", _("Need"), chosen, "barrier", _("Any need")),
    )
    return render(
        request,
        "web/directory/directory_list.html",
        {
            "rows": rows,
            "filters": filters,
            "filtered": any(chosen.values()),
            "can_publish": services.can_manage(actor, actor.organisation_id),
            "nav": "directory",
        },
    )


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str


def _summary(service: Service) -> list[SummaryRow]:
    labels = selectors.criteria_labels()

    def named(codes: Sequence[str]) -> str:
        return ", ".join(labels.get(code, code) for code in codes)

    ages = ""
    if service.min_age is not None and service.max_age is not None:
        ages = _("%(min)s to %(max)s") % {"min": service.min_age, "max": service.max_age}
    elif service.min_age is not None:
        ages = _("%(min)s and over") % {"min": service.min_age}
    elif service.max_age is not None:
        ages = _("up to %(max)s") % {"max": service.max_age}
    return [
        SummaryRow(_("Stages"), named(service.stages)),
        SummaryRow(_("Needs it helps with"), named(service.needs)),
        SummaryRow(_("Ages"), ages or _("Any age")),
        SummaryRow(_("Council areas"), named(service.local_authorities) or _("Anywhere")),
        SummaryRow(_("Postcode areas"), ", ".join(service.postcode_areas) or _("Anywhere")),
        SummaryRow(_("Benefits"), named(service.benefits) or _("No benefit needed")),
        SummaryRow(_("Other criteria"), service.other_criteria),
        SummaryRow(_("Capacity"), capacity_note(service)),
        SummaryRow(_("Email"), service.email),
        SummaryRow(_("Phone"), service.phone),
        SummaryRow(_("How to refer"), service.referral_instructions),
        SummaryRow(
            _("Information a referral needs"),
            ", ".join(str(DataCategory(c).label) for c in service.categories_needed if c in DataCategory.values),
        ),
    ]


@staff_page
def directory_detail(request: HttpRequest, actor: StaffMember, service_id: int) -> HttpResponse:
    service = selectors.service_get(actor, service_id)
    return render(
        request,
        "web/directory/service_detail.html",
        {
            "service": service,
            "rows": _summary(service),
            "locations": list(service.locations.all()),
            "can_edit": services.can_manage(actor, service.organisation_id),
            "nav": "directory",
        },
    )


@staff_page
def directory_new(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    if not services.can_manage(actor, actor.organisation_id):
        raise NotPermitted(_("Only an organisation admin or a team leader may publish services."))
    values: Values = {"categories_needed": ["identity", "contact"]}
    errors: Errors = {}
    if request.method == "POST":
        values = _read(request.POST)
        try:
            service = services.service_create(actor=actor, terms=_terms(values))
        except InvalidInput as exc:
            errors = _page_errors(exc.errors)
        else:
            messages.success(request, _("The service is published in the directory."))
            return redirect("web:directory_detail", service_id=service.pk)
    return _render_form(request, values=values, errors=errors, service=None, retire_errors={})


@staff_page
def directory_edit(request: HttpRequest, actor: StaffMember, service_id: int) -> HttpResponse:
    service = selectors.service_get(actor, service_id)
    if not services.can_manage(actor, service.organisation_id):
        raise NotPermitted(
            _("Only an organisation admin or a team leader of %(org)s may change this service.")
            % {"org": service.organisation}
        )
    values: Values = _values_of(service)
    errors: Errors = {}
    retire_errors: Errors = {}
    conflict = False
    if request.method == "POST":
        try:
            if request.POST.get("action") == "retire":
                services.service_retire(actor=actor, service=service, reason=request.POST.get("retired_reason", ""))
                messages.success(request, _("The service is retired; it takes no new referrals."))
            else:
                values = _read(request.POST)
                # The page shows the first place; any others are kept as they are.
                kept = services.ServiceTerms.of(service).locations[1:]
                services.service_update(
                    actor=actor,
                    service=service,
                    terms=_terms(values, kept),
                    expected_version=_version(request.POST.get("version", "")),
                )
                messages.success(request, _("Your changes are saved."))
        except EditConflict as exc:
            errors, conflict = {"version": [str(exc)]}, True
        except InvalidInput as exc:
            if request.POST.get("action") == "retire":
                retire_errors = exc.errors
            else:
                errors = _page_errors(exc.errors)
        else:
            return redirect("web:directory_detail", service_id=service.pk)
    return _render_form(
        request, values=values, errors=errors, service=service, retire_errors=retire_errors, conflict=conflict
    )


def _version(text: str) -> int | None:
    return int(text) if text.strip().isdigit() else None


@staff_page
def directory_export(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    document = export_document(actor.organisation.partnership)
    response = HttpResponse(json.dumps(document, indent=2, ensure_ascii=False), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{actor.organisation.partnership.slug}-directory.json"'
    return response
