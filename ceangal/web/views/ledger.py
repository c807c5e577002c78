"""The DPO's search of the access ledger: who was shown which client's data, when and on what basis.

Only an active data protection officer may search, and only the entries of their own partnership's
organisations; anyone else gets the ordinary "not found" page. The CSV export is itself recorded
in the audit trail (what was asked for, how many rows), since it shows who looked at whom.

A client is given by its id (the UUID in the address of the client's record page), not by its
reference: resolving a reference would mean reading client records outside the policy layer.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ceangal.audit.services import audit_record
from ceangal.ledger.models import Channel
from ceangal.ledger.selectors import SEARCH_LIMIT_MAX, LedgerRow, ledger_export_csv, ledger_search
from ceangal.ledger.services import DisclosureBasis
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import Role
from ceangal.partners.selectors import partnership_organisations
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, Option, OptionGroup, error_links, field_id, parse_date

PAGE_LIMIT = 500
FILTERS = ("client_id", "staff_id", "organisation_id", "date_from", "date_to", "channel")

BASIS_KINDS = {
    "own": gettext_lazy("own organisation's data"),
    "agreement_consent": gettext_lazy("agreement and consent"),
    "agreement_other_basis": gettext_lazy("agreement, other lawful basis"),
    "break_glass": gettext_lazy("break-glass"),
}


@dataclass(frozen=True)
class LedgerQuery:
    client_id: uuid.UUID | None = None
    staff_id: int | None = None
    organisation_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    channel: str | None = None

    def as_detail(self) -> dict[str, str]:
        """The filters given, as the audit event records them."""
        return {name: str(getattr(self, name)) for name in FILTERS if getattr(self, name) is not None}


def _require_dpo(actor: StaffMember) -> None:
    if actor.role != Role.DPO or not actor.active:
        raise Http404("No such page.")


def _date(text: str, errors: dict[str, list[str]], name: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(parse_date(text))
    except ValueError:
        errors[name] = [_("Enter a real date, for example 27 3 2026.")]
        return None


def _read_query(params: QueryDict, organisations: list[Organisation]) -> tuple[LedgerQuery, dict[str, list[str]]]:
    errors: dict[str, list[str]] = {}
    client_id = None
    if text := params.get("client_id", "").strip():
        try:
            client_id = uuid.UUID(text)
        except ValueError:
            errors["client_id"] = [
                _("Enter the client's id as it appears in the address of their record, like 5b0c3e0a-….")
            ]
    staff_id = None
    if text := params.get("staff_id", "").strip():
        if text.isdigit():
            staff_id = int(text)
        else:
            errors["staff_id"] = [_("Enter the staff member's id, a whole number.")]
    organisation_id = None
    if text := params.get("organisation_id", "").strip():
        if text.isdigit() and int(text) in {o.pk for o in organisations}:
            organisation_id = int(text)
        else:
            errors["organisation_id"] = [_("Choose an organisation of your partnership.")]
    date_from = _date(params.get("date_from", ""), errors, "date_from")
    date_to = _date(params.get("date_to", ""), errors, "date_to")
    if date_from and date_to and date_to < date_from:
        errors["date_to"] = [_("The end date must be the same as or after the start date.")]
    channel = None
    if text := params.get("channel", "").strip():
        if text in Channel.values:
            channel = text
        else:
            errors["channel"] = [_("Choose a channel from the list.")]
    query = LedgerQuery(client_id, staff_id, organisation_id, date_from, date_to, channel)
    return query, errors


def partnership_search(query: LedgerQuery, organisation_ids: list[int], *, limit: int) -> list[LedgerRow]:
    """The entries matching `query` among the DPO's partnership's organisations, newest first."""
    return ledger_search(
        client_id=query.client_id,
        staff_id=query.staff_id,
        organisation_id=query.organisation_id,
        date_from=query.date_from,
        date_to=query.date_to,
        channel=query.channel,
        limit=limit,
        within_organisations=organisation_ids,
    )


def _category_label(code: str) -> str:
    try:
        return str(DataCategory(code).label)
    except ValueError:
        return code


def _describe_basis(basis: DisclosureBasis, names: Mapping[int, str]) -> str:
    kind = str(BASIS_KINDS.get(basis.kind, basis.kind))
    supplier = names.get(basis.supplier_organisation_id, str(basis.supplier_organisation_id))
    return f"{_category_label(basis.category)}: {kind} ({supplier})"


def _fields(
    params: QueryDict, organisations: list[Organisation], errors: Mapping[str, list[str]]
) -> tuple[FieldView, ...]:
    def text(name: str, label: str, hint: str = "", input_class: str = "") -> FieldView:
        return FieldView(
            name=name,
            id=field_id(name),
            label=label,
            hint=hint,
            widget="input",
            value=params.get(name, ""),
            errors=tuple(errors.get(name, ())),
            input_class=input_class,
            spellcheck=False,
        )

    organisation = params.get("organisation_id", "")
    channel = params.get("channel", "")
    return (
        text(
            "client_id",
            _("Client id"),
            _(
                "The client's id from the address of their record page, like 5b0c3e0a-…. "
                "A reference such as CG-7K2M9Q is not accepted."
            ),
        ),
        text("staff_id", _("Staff id"), _("The number shown after a name in the results."), "ds_input--fixed-10"),
        FieldView(
            name="organisation_id",
            id=field_id("organisation_id"),
            label=_("Organisation"),
            widget="select",
            value=organisation,
            option_groups=(
                OptionGroup("", tuple(Option(str(o.pk), o.name, str(o.pk) == organisation) for o in organisations)),
            ),
            errors=tuple(errors.get("organisation_id", ())),
            empty_label=_("All organisations"),
        ),
        text("date_from", _("From"), _("For example 1 3 2026."), "ds_input--fixed-10"),
        text("date_to", _("To"), _("For example 31 3 2026."), "ds_input--fixed-10"),
        FieldView(
            name="channel",
            id=field_id("channel"),
            label=_("Channel"),
            widget="select",
            value=channel,
            option_groups=(
                OptionGroup("", tuple(Option(v, str(label), v == channel) for v, label in Channel.choices)),
            ),
            errors=tuple(errors.get("channel", ())),
            empty_label=_("All channels"),
        ),
    )


@staff_page
def ledger_search_page(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    _require_dpo(actor)
    organisations = list(partnership_organisations(actor=actor))
    searched = any(name in request.GET for name in FILTERS)
    query, errors = _read_query(request.GET, organisations)
    rows: list[LedgerRow] = []
    if searched and not errors:
        rows = partnership_search(query, [o.pk for o in organisations], limit=PAGE_LIMIT)
    names = {o.pk: o.name for o in organisations}
    entries: list[dict[str, Any]] = [
        {
            "row": row,
            "categories": [_category_label(c) for c in row.categories],
            "purpose": str(Purpose(row.purpose).label) if row.purpose in Purpose.values else row.purpose,
            "channel": str(Channel(row.channel).label) if row.channel in Channel.values else row.channel,
            "bases": [_describe_basis(basis, names) for basis in row.bases],
        }
        for row in rows
    ]
    fields = _fields(request.GET, organisations, errors)
    filters = {name: request.GET[name] for name in FILTERS if request.GET.get(name, "").strip()}
    export_url = reverse("web:ledger_export")
    if filters:
        params = QueryDict(mutable=True)
        params.update(filters)
        export_url += "?" + params.urlencode()
    return render(
        request,
        "web/sharing/ledger_search.html",
        {
            "fields": fields,
            "errors": error_links(fields, errors),
            "searched": searched and not errors,
            "entries": entries,
            "limit": PAGE_LIMIT,
            "at_limit": len(rows) >= PAGE_LIMIT,
            "export_url": export_url,
            "nav": "dpo",
        },
        status=422 if errors else 200,
    )


@staff_page
def ledger_export(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    _require_dpo(actor)
    organisations = list(partnership_organisations(actor=actor))
    query, errors = _read_query(request.GET, organisations)
    if errors:
        # The search page shows what is wrong with the filters.
        return redirect(reverse("web:ledger_search") + "?" + request.GET.urlencode())
    rows = partnership_search(query, [o.pk for o in organisations], limit=SEARCH_LIMIT_MAX)
    text = ledger_export_csv(rows)
    with transaction.atomic():
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="ledger.exported",
            object_type="ledger",
            object_id="-",
            detail={"query": query.as_detail(), "rows": len(rows), "via": "web"},
        )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-ledger-{timezone.localdate().isoformat()}.csv"'
    return response
