"""A data protection officer drafts a new information sharing agreement (version 1).

The page builds the same AgreementTerms the API builds (ceangal.api.agreements) and leaves the
validation to agreements.services.agreement_create; the page only parses what a browser sends
(ticked boxes, dates typed as "27 3 2027", a number of months). Once those are readable, the
service names every mistake in the terms at once.
A DPO may give several purposes, each with its own categories, lawful basis and Article 9/10
conditions, without JavaScript: "Add another purpose" is a submit button that re-renders the page
with one more purpose block (nothing is saved), and each block beyond the first has its own
"Remove this purpose" button. Blocks are numbered fields (purposes-0-lawful_basis, ...), so the
service's purposes[1].lawful_basis is the second block's lawful basis, named as such on the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
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
from ceangal.web.forms import (
    Errors,
    FieldView,
    Values,
    error_links,
    format_date,
    parse_date,
    value_field,
)

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
)
LIST_FIELDS = ("parties",)
PURPOSE_TEXT_FIELDS = ("purpose", "lawful_basis", "article9_condition", "article10_condition", "why_necessary")
PURPOSE_FIELDS = {*PURPOSE_TEXT_FIELDS, "categories"}
# Each purpose appears once in an agreement, so there can be no more blocks than purposes.
MAX_PURPOSES = len(Purpose.values)
ADD_PURPOSE = "add_purpose"
DATE_HINT = gettext_lazy("For example 27 3 2027.")


def purpose_field(index: int, name: str) -> str:
    """The page's name for a field of the index-th purpose block (0-based)."""
    return f"purposes-{index}-{name}"


def _date(name: str, label: str, values: Values, errors: Errors, *, required: bool = True) -> FieldView:
    return value_field(
        name, label, values, errors, hint=str(DATE_HINT), required=required, input_class="ds_input--fixed-10"
    )


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
    return value_field(
        name,
        label,
        values,
        errors,
        widget=widget,
        hint=hint,
        required=required,
        options=choices,
        empty_label=empty_label,
    )


def _fields(actor: StaffMember, values: Values, errors: Errors) -> dict[str, FieldView]:
    parties = [(str(o.pk), o.name) for o in partnership_organisations(actor=actor)]
    return {
        "title": value_field("title", _("Title"), values, errors, required=True),
        "reference": value_field(
            "reference",
            _("Reference (optional)"),
            values,
            errors,
            hint=_("A short reference, unique in the partnership. Left blank, it is made from the title."),
        ),
        "summary": value_field(
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
        "retention": value_field(
            "retention",
            _("Retention"),
            values,
            errors,
            widget="textarea",
            hint=_("How long recipients keep what they receive, and why."),
            required=True,
        ),
        "retention_months": value_field(
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
        "dpia_reference": value_field("dpia_reference", _("DPIA reference (optional)"), values, errors),
        "security": value_field(
            "security",
            _("Security (optional)"),
            values,
            errors,
            widget="textarea",
            hint=_("Agreed security measures and standards. Left blank, the document states Ceangal's own."),
        ),
    }


@dataclass(frozen=True)
class PurposeBlock:
    """One purpose's fieldset on the page."""

    index: int
    number: int
    anchor: str
    fields: tuple[FieldView, ...]
    removable: bool


def _purpose_block(index: int, values: Values, errors: Errors, *, removable: bool) -> PurposeBlock:
    number = index + 1
    block = values.get("purposes", [])[index] if index < len(values.get("purposes", [])) else {}
    named = {purpose_field(index, name): block.get(name, "") for name in PURPOSE_FIELDS}
    none = _("None needed")

    def label(text: str) -> str:
        # Each label names its purpose, so the error summary and screen readers can tell them apart.
        return _("Purpose %(number)s: %(field)s") % {"number": number, "field": text}

    return PurposeBlock(
        index=index,
        number=number,
        anchor=f"purpose-{number}",
        removable=removable,
        fields=(
            _choice(
                purpose_field(index, "purpose"),
                label(_("why information is shared")),
                Purpose.choices,
                named,
                errors,
                widget="select",
            ),
            _choice(
                purpose_field(index, "lawful_basis"),
                label(_("lawful basis (Article 6)")),
                LawfulBasis.choices,
                named,
                errors,
                widget="select",
            ),
            _choice(
                purpose_field(index, "categories"),
                label(_("information shared for this purpose")),
                DataCategory.choices,
                named,
                errors,
                widget="checkboxes",
            ),
            _choice(
                purpose_field(index, "article9_condition"),
                label(_("Article 9 condition")),
                Article9Condition.choices,
                named,
                errors,
                widget="select",
                hint=_("Only needed when health or equality information is shared."),
                required=False,
                empty_label=none,
            ),
            _choice(
                purpose_field(index, "article10_condition"),
                label(_("Article 10 condition")),
                Article10Condition.choices,
                named,
                errors,
                widget="select",
                hint=_("Only needed when conviction information is shared."),
                required=False,
                empty_label=none,
            ),
            value_field(
                purpose_field(index, "why_necessary"),
                label(_("why this information is necessary (optional)")),
                named,
                errors,
                widget="textarea",
            ),
        ),
    )


def _purpose_blocks(values: Values, errors: Errors) -> list[PurposeBlock]:
    count = max(1, len(values.get("purposes", [])))
    return [_purpose_block(i, values, errors, removable=count > 1) for i in range(count)]


def _count(post: QueryDict) -> int:
    try:
        count = int(post.get("purpose_count", "1"))
    except ValueError:
        count = 1
    return min(max(count, 1), MAX_PURPOSES)


def _read(post: QueryDict) -> dict[str, Any]:
    values: dict[str, Any] = {name: post.get(name, "") for name in TEXT_FIELDS}
    values.update({name: [v for v in post.getlist(name) if v] for name in LIST_FIELDS})
    purposes: list[dict[str, Any]] = []
    for index in range(_count(post)):
        block: dict[str, Any] = {name: post.get(purpose_field(index, name), "") for name in PURPOSE_TEXT_FIELDS}
        block["categories"] = [v for v in post.getlist(purpose_field(index, "categories")) if v]
        purposes.append(block)
    values["purposes"] = purposes
    return values


def _page_errors(errors: Errors) -> dict[str, list[str]]:
    """The service's field names as the page's: purposes[1].lawful_basis is purposes-1-lawful_basis."""
    page: dict[str, list[str]] = {}
    for key, messages_ in errors.items():
        name = key
        if key == "purposes":
            name = purpose_field(0, "purpose")
        elif key.startswith("purposes["):
            where, _dot, field = key.partition(".")
            index = int(where[len("purposes[") : -1]) if where[len("purposes[") : -1].isdigit() else 0
            name = purpose_field(index, field if field in PURPOSE_FIELDS else "purpose")
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
    purposes = [
        services.PurposeTerms(
            purpose=str(block.get("purpose", "")),
            lawful_basis=str(block.get("lawful_basis", "")),
            categories=list(block.get("categories", [])),
            article9_condition=str(block.get("article9_condition", "")),
            article10_condition=str(block.get("article10_condition", "")),
            why_necessary=str(block.get("why_necessary", "")).strip(),
        )
        for block in values.get("purposes", [])
    ]
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
        purposes=purposes,
        dpia_reference=str(values.get("dpia_reference", "")).strip(),
        security=str(values.get("security", "")).strip(),
    )
    version = services.agreement_create(
        actor=actor, title=str(values.get("title", "")), reference=str(values.get("reference", "")), terms=terms
    )
    return version


def _rearranged(post: QueryDict, values: dict[str, Any]) -> bool:
    """Add or remove a purpose block if that is what the button pressed asks; nothing is saved."""
    purposes: list[dict[str, Any]] = values["purposes"]
    if post.get("action") == ADD_PURPOSE:
        if len(purposes) < MAX_PURPOSES:
            purposes.append({})
        return True
    remove = post.get("remove_purpose", "")
    if remove.isdigit():
        if len(purposes) > 1 and int(remove) < len(purposes):
            del purposes[int(remove)]
        return True
    return False


@staff_page
def agreement_new(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    if actor.role != Role.DPO:
        raise Http404("No such page.")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        values = _read(request.POST)
        if not _rearranged(request.POST, values):
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
            "purposes": [{}],
        }
    fields = _fields(actor, values, errors)
    blocks = _purpose_blocks(values, errors)
    every_field = (*fields.values(), *(f for block in blocks for f in block.fields))
    return render(
        request,
        "web/sharing/agreement_new.html",
        {
            "fields": fields,
            "purpose_blocks": blocks,
            "purpose_count": len(blocks),
            "can_add_purpose": len(blocks) < MAX_PURPOSES,
            "next_anchor": f"purpose-{len(blocks) + 1}",
            "add_purpose": ADD_PURPOSE,
            "errors": error_links(every_field, errors),
            "nav": "agreements",
        },
        status=422 if errors else 200,
    )
