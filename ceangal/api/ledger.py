"""/ledger: the DPO's search of the access ledger, as JSON or CSV.

Only an active data protection officer may search (anyone else gets a 403 problem), and only the
entries of their own partnership's organisations. A client is given by its id (UUID), not its
reference. The CSV export is itself recorded in the audit trail, since it shows who looked at whom.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import P, QueryEx, Router, Schema

from ceangal.api.agreements import organisations
from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.audit.services import audit_record
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.ledger.models import Channel
from ceangal.ledger.selectors import SEARCH_LIMIT_MAX, LedgerRow, ledger_export_csv, ledger_search
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.partners.selectors import partnership_organisations

router = Router(tags=["Access ledger"])

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 422: Problem}


class LedgerBasisOut(Schema):
    category: str
    kind: str
    supplier_organisation_id: int
    agreement_version_id: int | None = None
    consent_record_id: str | None = None
    break_glass_grant_id: int | None = None
    lawful_basis: str | None = None


class LedgerEntryOut(Schema):
    id: int
    at: dt.datetime
    staff_id: int
    staff_name: str
    organisation_id: int
    organisation_name: str
    client_id: uuid.UUID
    categories: list[str]
    purpose: str
    channel: str
    bases: list[LedgerBasisOut]
    chain: int
    seq: int
    entry_hash: str

    @classmethod
    def of(cls, row: LedgerRow) -> LedgerEntryOut:
        return cls(
            id=row.entry_id,
            at=row.at,
            staff_id=row.actor_staff_id,
            staff_name=row.staff_name,
            organisation_id=row.organisation_id,
            organisation_name=row.organisation_name,
            client_id=row.client_id,
            categories=list(row.categories),
            purpose=row.purpose,
            channel=row.channel,
            bases=[
                LedgerBasisOut(
                    category=b.category,
                    kind=b.kind,
                    supplier_organisation_id=b.supplier_organisation_id,
                    agreement_version_id=b.agreement_version_id,
                    consent_record_id=b.consent_record_id or None,
                    break_glass_grant_id=b.break_glass_grant_id,
                    lawful_basis=b.lawful_basis or None,
                )
                for b in row.bases
            ],
            chain=row.shard,
            seq=row.seq,
            entry_hash=row.entry_hash,
        )


def _require_dpo(actor: StaffMember) -> None:
    if actor.role != Role.DPO or not actor.active:
        raise NotPermitted("Only a data protection officer may search the access ledger.")


def _search(
    actor: StaffMember,
    *,
    client_id: uuid.UUID | None,
    staff_id: int | None,
    organisation_id: int | None,
    date_from: dt.date | None,
    date_to: dt.date | None,
    channel: str | None,
    limit: int,
) -> list[LedgerRow]:
    """The matching entries of the actor's partnership, newest first."""
    _require_dpo(actor)
    errors: dict[str, list[str]] = {}
    if channel is not None and channel not in Channel.values:
        errors["query.channel"] = [f"Give one of: {', '.join(Channel.values)}."]
    if date_from is not None and date_to is not None and date_to < date_from:
        errors["query.date_to"] = ["The end date must be the same as or after the start date."]
    allowed = set(partnership_organisations(actor=actor).values_list("pk", flat=True))
    wanted = sorted(allowed)
    if organisation_id is not None:
        try:
            wanted = [o.pk for o in organisations(actor=actor, ids=[organisation_id], field="query.organisation_id")]
        except InvalidInput as exc:
            errors.update(exc.errors)
    if errors:
        raise InvalidInput(errors)
    return ledger_search(
        client_id=client_id,
        staff_id=staff_id,
        organisation_id=wanted[0] if organisation_id is not None else None,
        date_from=date_from,
        date_to=date_to,
        channel=channel,
        limit=limit,
        within_organisations=allowed,
    )


ClientFilter = QueryEx[uuid.UUID | None, P(description="The client's id (UUID); a reference is not accepted.")]
StaffFilter = QueryEx[int | None, P(description="The staff member's id.")]
OrganisationFilter = QueryEx[int | None, P(description="An organisation of your partnership; default all of them.")]
DateFromFilter = QueryEx[dt.date | None, P(description="YYYY-MM-DD, inclusive (the whole day, Europe/London).")]
DateToFilter = QueryEx[dt.date | None, P(description="YYYY-MM-DD, inclusive (the whole day, Europe/London).")]
ChannelFilter = QueryEx[str | None, P(description="page, api, export, referral, return or rights.")]


@router.get(
    "",
    response={200: list[LedgerEntryOut], **READ_ERRORS},
    url_name="ledger_search",
    summary="Search the access ledger (DPO)",
)
def ledger_entries(
    request: HttpRequest,
    client_id: ClientFilter = None,
    staff_id: StaffFilter = None,
    organisation_id: OrganisationFilter = None,
    date_from: DateFromFilter = None,
    date_to: DateToFilter = None,
    channel: ChannelFilter = None,
    limit: QueryEx[int, P(ge=1, le=SEARCH_LIMIT_MAX, description="At most this many entries.")] = 500,
) -> list[LedgerEntryOut]:
    """Who was shown which client's data, when, for what purpose and on what basis: entries of your
    partnership's organisations matching every filter given, newest first."""
    rows = _search(
        actor_of(request),
        client_id=client_id,
        staff_id=staff_id,
        organisation_id=organisation_id,
        date_from=date_from,
        date_to=date_to,
        channel=channel,
        limit=limit,
    )
    return [LedgerEntryOut.of(row) for row in rows]


@router.get(
    "/export.csv",
    response=READ_ERRORS,
    url_name="ledger_export",
    summary="Export the access ledger as CSV (DPO)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The matching entries as CSV with a header row, newest first.",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def ledger_export(
    request: HttpRequest,
    client_id: ClientFilter = None,
    staff_id: StaffFilter = None,
    organisation_id: OrganisationFilter = None,
    date_from: DateFromFilter = None,
    date_to: DateToFilter = None,
    channel: ChannelFilter = None,
) -> HttpResponse:
    """The same search as GET /ledger (up to 5,000 entries), as a CSV attachment. The export is
    recorded in the audit trail as `ledger.exported`, with the filters and the row count."""
    actor = actor_of(request)
    filters: dict[str, Any] = {
        "client_id": client_id,
        "staff_id": staff_id,
        "organisation_id": organisation_id,
        "date_from": date_from,
        "date_to": date_to,
        "channel": channel,
    }
    rows = _search(actor, limit=SEARCH_LIMIT_MAX, **filters)
    text = ledger_export_csv(rows)
    with transaction.atomic():
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="ledger.exported",
            object_type="ledger",
            object_id="-",
            detail={
                "query": {k: str(v) for k, v in filters.items() if v is not None},
                "rows": len(rows),
                "via": "api",
            },
        )
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="access-ledger-{timezone.localdate().isoformat()}.csv"'
    return response
