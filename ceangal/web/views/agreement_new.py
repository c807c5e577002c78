"""A data protection officer drafts a new information sharing agreement (version 1).

The page builds the same AgreementTerms the API builds (ceangal.api.agreements) and leaves the
validation to agreements.services.agreement_create; the page only parses what a browser sends
(ticked boxes, dates typed as "27 3 2027", a number of months). Once those are readable, the
service names every mistake in the terms at once.
The form has one purpose; more are added through the API or in a new version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ceangal.agreements import services
from ceangal.agreements.models import (
    AgreementVersion,
    Article9Condition,
    Article10Condition,
    Frequency,
    LawfulBasis,
    OnEnd,
)
from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.partners.selectors import partnership_organisations
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, Option, OptionGroup, error_links, field_id, format_date, parse_date

TEXT_FIELDS = (
    "title",
    "reference",
    "summary",
    "frequency",
    "retention",
    "retention_months",
    "on_end",
    "starts_on",
    "review_on",
    "ends_on",
    "dpia_reference",
    "security",
    "purpose",
    "lawful_basis",
    "article9_condition",
    "article10_condition",
    "why_necessary",
)
LIST_FIELDS = ("parties", "categories")
# The service names the purpose's fields purposes[0].lawful_basis and so on; the page has one
# purpose block, whose fields carry the plain names.
PURPOSE_FIELDS = {"purpose", "lawful_basis", "categories", "article9_condition", "article10_condition", "why_necessary"}
DATE_HINT = gettext_lazy("For example 27 3 2027.")

type Values = Mapping[str, Any]
type Errors = Mapping[str, Sequence[str]]


def _text(
    name: str,
    label: str,
    values: Values,
    errors: Errors,
    *,
    widget: str = "input",
    hint: str = "",
    required: bool = False,
    input_class: str = "",
    inputmode: str = "",
) -> FieldView:
    return FieldView(
        name=name,
        id=field_id(name),
        label=label,
        widget=widget,
        hint=hint,
        value=str(values.get(name, "")),
        errors=tuple(errors.get(name, ())),
        required=required,
        input_class=input_class,
        inputmode=inputmode,
    )


def _date(name: str, label: str, values: Values, errors: Errors, *, required: bool = True) -> FieldView:
    return _text(name, label, values, errors, hint=str(DATE_HINT), required=required, input_class="ds_input--fixed-10")


def _choice(
    name: str,
    label: str,
    choices: Sequence[tuple[str, str | Promise]],
    values: Values,
    errors: Errors,
    *,
    widget: str,
    hint: str = "",
    required: bool = True,
    empty_label: str = "",
) -> FieldView:
    raw = values.get(name, "")
    selected = {str(v) for v in raw} if isinstance(raw, (list, tuple, set)) else {str(raw)}
    return FieldView(
        name=name,
        id=field_id(name),
        label=label,
        widget=widget,
        hint=hint,
        option_groups=(OptionGroup("", tuple(Option(v, str(text), v in selected) for v, text in choices)),),
        errors=tuple(errors.get(name, ())),
        required=required,
        empty_label=empty_label,
    )


def _fields(actor: StaffMember, values: Values, errors: Errors) -> dict[str, FieldView]:
    parties = [(str(o.pk), o.name) for o in partnership_organisations(actor=actor)]
    none = _("None needed")
    return {
        "title": _text("title", _("Title"), values, errors, required=True),
        "reference": _text(
            "reference",
            _("Reference (optional)"),
            values,
            errors,
            hint=_("A short reference, unique in the partnership. Left blank, it is made from the title."),
        ),
        "summary": _text(
            "summary",
            _("Why the partners share"),
            values,
            errors,
            widget="textarea",
            hint=_("In plain words, for staff and clients."),
            required=True,
        ),
        "parties": _choice(
            "parties",
            _("Parties"),
            parties,
            values,
            errors,
            widget="checkboxes",
            hint=_("At least two partner organisations. Each party's DPO signs the draft."),
        ),
        "frequency": _choice(
            "frequency", _("How often information is shared"), Frequency.choices, values, errors, widget="radios"
        ),
        "retention": _text(
            "retention",
            _("Retention"),
            values,
            errors,
            widget="textarea",
            hint=_("How long recipients keep what they receive, and why."),
            required=True,
        ),
        "retention_months": _text(
            "retention_months",
            _("Retention period in months"),
            values,
            errors,
            required=True,
            input_class="ds_input--fixed-4",
            inputmode="numeric",
        ),
        "on_end": _choice(
            "on_end",
            _("When the agreement ends, shared information is"),
            OnEnd.choices,
            values,
            errors,
            widget="radios",
        ),
        "starts_on": _date("starts_on", _("Starts on"), values, errors),
        "review_on": _date("review_on", _("Review by"), values, errors),
        "ends_on": _date("ends_on", _("Ends on (optional)"), values, errors, required=False),
        "dpia_reference": _text("dpia_reference", _("DPIA reference (optional)"), values, errors),
        "security": _text(
            "security",
            _("Security (optional)"),
            values,
            errors,
            widget="textarea",
            hint=_("Agreed security measures and standards. Left blank, the document states Ceangal's own."),
        ),
        "purpose": _choice("purpose", _("Purpose"), Purpose.choices, values, errors, widget="select"),
        "lawful_basis": _choice(
            "lawful_basis", _("Lawful basis (Article 6)"), LawfulBasis.choices, values, errors, widget="select"
        ),
        "categories": _choice(
            "categories",
            _("Information shared for this purpose"),
            DataCategory.choices,
            values,
            errors,
            widget="checkboxes",
        ),
        "article9_condition": _choice(
            "article9_condition",
            _("Article 9 condition"),
            Article9Condition.choices,
            values,
            errors,
            widget="select",
            hint=_("Only needed when health or equality information is shared."),
            required=False,
            empty_label=none,
        ),
        "article10_condition": _choice(
            "article10_condition",
            _("Article 10 condition"),
            Article10Condition.choices,
            values,
            errors,
            widget="select",
            hint=_("Only needed when conviction information is shared."),
            required=False,
            empty_label=none,
        ),
        "why_necessary": _text(
            "why_necessary",
            _("Why this information is necessary (optional)"),
            values,
            errors,
            widget="textarea",
        ),
    }


def _read(post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {name: post.get(name, "") for name in TEXT_FIELDS}
    values.update({name: [v for v in post.getlist(name) if v] for name in LIST_FIELDS})
    return values


def _page_errors(errors: Errors) -> dict[str, list[str]]:
    """The service's field names as the page's: purposes[0].lawful_basis is lawful_basis."""
    page: dict[str, list[str]] = {}
    for key, messages_ in errors.items():
        name = key
        if key == "purposes":
            name = "purpose"
        elif key.startswith("purposes["):
            name = key.partition(".")[2] or "purpose"
            if name not in PURPOSE_FIELDS:
                name = "purpose"
        page.setdefault(name, []).extend(messages_)
    return page


def _parsed_date(values: Values, name: str, errors: dict[str, list[str]], *, required: bool) -> dt.date | None:
    text = str(values.get(name, "")).strip()
    if not text:
        if required:
            errors[name] = [_("Enter a date, for example 27 3 2027.")]
        return None
    try:
        return dt.date.fromisoformat(parse_date(text))
    except ValueError:
        errors[name] = [_("Enter the date as day, month and year, for example 27 3 2027.")]
        return None


def _create(actor: StaffMember, values: Values) -> AgreementVersion:
    """Parse what the browser sent, then let the service judge the terms (naming every mistake at once)."""
    parse_errors: dict[str, list[str]] = {}
    starts_on = _parsed_date(values, "starts_on", parse_errors, required=True)
    review_on = _parsed_date(values, "review_on", parse_errors, required=True)
    ends_on = _parsed_date(values, "ends_on", parse_errors, required=False)
    months_text = str(values.get("retention_months", "")).strip()
    retention_months = 0
    if months_text:
        try:
            retention_months = int(months_text)
        except ValueError:
            parse_errors["retention_months"] = [_("Give the retention period as a whole number of months.")]
    wanted = {str(v) for v in values.get("parties", [])}
    parties = [o for o in partnership_organisations(actor=actor) if str(o.pk) in wanted]
    if len(parties) != len(wanted):
        parse_errors["parties"] = [_("Choose only organisations of your partnership.")]
    purpose = services.PurposeTerms(
        purpose=str(values.get("purpose", "")),
        lawful_basis=str(values.get("lawful_basis", "")),
        categories=list(values.get("categories", [])),
        article9_condition=str(values.get("article9_condition", "")),
        article10_condition=str(values.get("article10_condition", "")),
        why_necessary=str(values.get("why_necessary", "")).strip(),
    )
    if parse_errors or starts_on is None or review_on is None:
        # The service needs real dates and a number; it judges the rest once these are readable.
        raise InvalidInput(parse_errors)
    terms = services.AgreementTerms(
        summary=str(values.get("summary", "")),
        frequency=str(values.get("frequency", "")),
        retention=str(values.get("retention", "")),
        retention_months=retention_months,
        on_end=str(values.get("on_end", "")),
        starts_on=starts_on,
        review_on=review_on,
        ends_on=ends_on,
        parties=parties,
        purposes=[purpose],
        dpia_reference=str(values.get("dpia_reference", "")).strip(),
        security=str(values.get("security", "")).strip(),
    )
    version = services.agreement_create(
        actor=actor, title=str(values.get("title", "")), reference=str(values.get("reference", "")), terms=terms
    )
    return version


@staff_page
def agreement_new(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    if actor.role != Role.DPO:
        raise Http404("No such page.")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = _read(request.POST)
        try:
            version = _create(actor, values)
        except InvalidInput as exc:
            errors = _page_errors(exc.errors)
        else:
            messages.success(request, _("Draft saved: each party's DPO must now sign it."))
            return redirect("web:agreement_detail", version_id=version.pk)
    else:
        today = timezone.localdate()
        values = {
            "parties": [str(actor.organisation_id)],
            "starts_on": format_date(today),
            "review_on": format_date(today + dt.timedelta(days=365)),
        }
    fields = _fields(actor, values, errors)
    return render(
        request,
        "web/sharing/agreement_new.html",
        {"fields": fields, "errors": error_links(tuple(fields.values()), errors), "nav": "agreements"},
        status=422 if errors else 200,
    )
