"""Reading the access ledger: the DPO's search, a client's disclosures, CSV export.

The ledger is not client data in itself but it says who looked at whom, so these are for the
partnership DPO (and, for client_disclosures, for answering the client's own subject access
request). This module does not check who is asking: the caller (a DPO page, the rights app, a
management command run by an operator) decides that, and should audit the export it makes.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from ceangal.clients.matching import client_ids_merged_into
from ceangal.ledger.models import Channel, LedgerEntry
from ceangal.ledger.services import DisclosureBasis
from ceangal.partners.models import Organisation, StaffMember

SEARCH_LIMIT_MAX = 5000


@dataclass(frozen=True)
class LedgerRow:
    entry_id: int
    at: dt.datetime
    actor_staff_id: int
    staff_name: str
    organisation_id: int
    organisation_name: str
    client_id: uuid.UUID
    categories: tuple[str, ...]
    purpose: str
    channel: str
    bases: tuple[DisclosureBasis, ...]
    shard: int
    seq: int
    entry_hash: str


def ledger_search(
    *,
    client_id: uuid.UUID | None = None,
    staff_id: int | None = None,
    organisation_id: int | None = None,
    date_from: dt.date | dt.datetime | None = None,
    date_to: dt.date | dt.datetime | None = None,
    channel: Channel | str | None = None,
    limit: int = 500,
    within_organisations: Collection[int] | None = None,
) -> list[LedgerRow]:
    """Entries matching every filter given, newest first. DPO only: the caller checks.

    within_organisations bounds the search to a partnership's organisations (nothing outside it
    is ever returned, whatever organisation_id says).

    A date covers the whole day (Europe/London); a datetime is an exact bound. Both bounds are
    inclusive. limit is capped at SEARCH_LIMIT_MAX.
    """
    entries = LedgerEntry.objects.all()
    if client_id is not None:
        # Entries keep the id they were written with: a record merged into this one keeps its own.
        entries = entries.filter(client_id__in=[client_id, *client_ids_merged_into(client_id)])
    if staff_id is not None:
        entries = entries.filter(actor_staff_id=staff_id)
    if organisation_id is not None:
        entries = entries.filter(organisation_id=organisation_id)
    if within_organisations is not None:
        entries = entries.filter(organisation_id__in=list(within_organisations))
    if date_from is not None:
        entries = entries.filter(at__gte=_start(date_from))
    if date_to is not None:
        entries = (
            entries.filter(at__lte=date_to)
            if isinstance(date_to, dt.datetime)
            else entries.filter(at__lt=_start(date_to + dt.timedelta(days=1)))
        )
    if channel is not None:
        entries = entries.filter(channel=str(channel))
    limit = max(0, min(limit, SEARCH_LIMIT_MAX))
    return _rows(entries.order_by("-at", "-id")[:limit])


def client_disclosures(client_id: uuid.UUID) -> list[LedgerRow]:
    """Every disclosure of one client's data, oldest first: who saw what, when, on what basis.

    For the client's subject access request ("who has seen my information") and the DPO. The
    caller checks that the person asking may see this client's ledger.
    """
    client_ids = [client_id, *client_ids_merged_into(client_id)]
    return _rows(LedgerEntry.objects.filter(client_id__in=client_ids).order_by("at", "id"))


def _start(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return timezone.make_aware(dt.datetime.combine(value, dt.time.min))


def _rows(entries: QuerySet[LedgerEntry] | Iterable[LedgerEntry]) -> list[LedgerRow]:
    """Entries as rows, with staff and organisation names looked up in two queries, not one per row."""
    found = list(entries)
    staff_names = {
        staff.pk: staff.display_name
        for staff in StaffMember.objects.filter(pk__in={entry.actor_staff_id for entry in found}).select_related("user")
    }
    organisation_names = dict(
        Organisation.objects.filter(pk__in={entry.organisation_id for entry in found}).values_list("pk", "name")
    )
    return [
        LedgerRow(
            entry_id=entry.pk,
            at=entry.at,
            actor_staff_id=entry.actor_staff_id,
            staff_name=staff_names.get(entry.actor_staff_id, f"(staff {entry.actor_staff_id})"),
            organisation_id=entry.organisation_id,
            organisation_name=organisation_names.get(entry.organisation_id, f"(organisation {entry.organisation_id})"),
            client_id=entry.client_id,
            categories=tuple(entry.categories),
            purpose=entry.purpose,
            channel=entry.channel,
            bases=tuple(DisclosureBasis(**basis) for basis in entry.bases),
            shard=entry.shard,
            seq=entry.seq,
            entry_hash=entry.entry_hash,
        )
        for entry in found
    ]


CSV_HEADER = (
    "at",
    "entry_id",
    "staff_id",
    "staff_name",
    "organisation_id",
    "organisation_name",
    "client_id",
    "categories",
    "purpose",
    "channel",
    "bases",
    "chain",
    "seq",
    "entry_hash",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP: CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ledger_export_csv(rows: Sequence[LedgerRow]) -> str:
    """Rows as CSV with a header, safe to open in a spreadsheet. DPO only: the caller checks."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        writer.writerow(
            [
                _cell(value)
                for value in (
                    row.at.astimezone(dt.UTC).isoformat(timespec="seconds"),
                    row.entry_id,
                    row.actor_staff_id,
                    row.staff_name,
                    row.organisation_id,
                    row.organisation_name,
                    row.client_id,
                    "; ".join(row.categories),
                    row.purpose,
                    row.channel,
                    "; ".join(_describe_basis(basis) for basis in row.bases),
                    row.shard,
                    row.seq,
                    row.entry_hash,
                )
            ]
        )
    return out.getvalue()


def _describe_basis(basis: DisclosureBasis) -> str:
    parts = [basis.category, basis.kind, f"supplier {basis.supplier_organisation_id}"]
    if basis.agreement_version_id is not None:
        parts.append(f"agreement version {basis.agreement_version_id}")
    if basis.consent_record_id:
        parts.append(f"consent {basis.consent_record_id}")
    if basis.break_glass_grant_id is not None:
        parts.append(f"break-glass grant {basis.break_glass_grant_id}")
    if basis.lawful_basis:
        parts.append(f"lawful basis {basis.lawful_basis}")
    return " ".join(parts[:2]) + " (" + ", ".join(parts[2:]) + ")"


def _cell(value: object) -> str:
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
