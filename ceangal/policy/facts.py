"""Gathering the facts the pure decision needs, from the database, in as few queries as possible.

Consent, engagements and break-glass grants are read for every decision, so a withdrawal or
expiry takes effect for the very next one. The partnership's agreements in force are read again
whenever one small query shows that any of them changed (see agreement_facts), so a suspension
or an ending does too. Every query's SQL is built once (ceangal.db.Prepared).
"""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from collections import defaultdict
from collections.abc import Iterable
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Count, Max, QuerySet

from ceangal.agreements.models import AgreementParty, AgreementPurpose, AgreementStatus, AgreementVersion
from ceangal.clients import models as m
from ceangal.clients.sections import SECTIONS
from ceangal.consent.models import ConsentEvent, ConsentRecord, ConsentScope
from ceangal.db import Prepared
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import clearance_for
from ceangal.policy.decision import (
    ActorFacts,
    AgreementFacts,
    AgreementPurposeFacts,
    BreakGlassFacts,
    ClientFacts,
    ConsentEventFacts,
    ConsentFacts,
    ScopeFacts,
)
from ceangal.policy.models import BreakGlassGrant
from ceangal.reference.categories import DataCategory


def actor_facts(actor: StaffMember) -> ActorFacts:
    return ActorFacts(
        staff_id=actor.pk,
        organisation_id=actor.organisation_id,
        organisation_name=actor.organisation.name,
        active=actor.active and actor.user.is_active,
        training_expires_on=actor.training_expires_on,
        clearance=clearance_for(actor.role),
        organisation_type=actor.organisation.org_type,
    )


_UUID = m.Client._meta.pk
_OPEN = (*m.LIVE_ENGAGEMENT_STATUSES, m.EngagementStatus.REFERRED)
_ENGAGED = Prepared(
    lambda client_id: m.Engagement.objects.filter(client_id=client_id, status__in=_OPEN).values(
        "organisation_id", "status", "packet_categories"
    ),
    client_id=_UUID,
)


def live_engagements(client_ids: Iterable[object]) -> dict[object, frozenset[int]]:
    found: dict[object, set[int]] = defaultdict(set)
    rows = m.Engagement.objects.filter(client_id__in=list(client_ids), status__in=m.LIVE_ENGAGEMENT_STATUSES)
    for client_id, org_id in rows.values_list("client_id", "organisation_id"):
        found[client_id].add(org_id)
    return {key: frozenset(value) for key, value in found.items()}


def client_engagements(client_id: uuid.UUID) -> frozenset[int]:
    """The organisations with a live engagement with one client (one prepared query)."""
    return client_relationships(client_id)[0]


def client_relationships(client_id: uuid.UUID) -> tuple[frozenset[int], dict[int, frozenset[DataCategory]]]:
    """The organisations with a live engagement with one client, and those a referral is waiting
    with, with the categories of its packet (one prepared query)."""
    live: set[int] = set()
    referred: dict[int, frozenset[DataCategory]] = {}
    for row in _ENGAGED.rows(client_id=client_id):
        if row["status"] == m.EngagementStatus.REFERRED:
            referred[row["organisation_id"]] = frozenset(DataCategory(c) for c in row["packet_categories"])
        else:
            live.add(row["organisation_id"])
    return frozenset(live), referred


_RECORD_COLUMNS = ("id", "organisation_id", "valid_from", "valid_until", "until_support_ends")
_SCOPE_COLUMNS = ("id", "record_id", "recipient_organisation_id", "recipient_type", "purpose", "category")
_EVENT_COLUMNS = ("id", "record_id", "kind", "at", "valid_until")
_EVENT_SCOPE_COLUMNS = ("consentevent_id", "consentscope_id")
_CONSENT_RECORDS = Prepared(
    lambda client_id: ConsentRecord.objects.filter(client_id=client_id).values(*_RECORD_COLUMNS), client_id=_UUID
)
_CONSENT_SCOPES = Prepared(
    lambda client_id: ConsentScope.objects.filter(record__client_id=client_id).values(*_SCOPE_COLUMNS),
    client_id=_UUID,
)
_CONSENT_EVENTS = Prepared(
    lambda client_id: ConsentEvent.objects.filter(record__client_id=client_id).values(*_EVENT_COLUMNS),
    client_id=_UUID,
)
_CONSENT_EVENT_SCOPES = Prepared(
    lambda client_id: ConsentEvent.scopes.through.objects.filter(consentevent__record__client_id=client_id).values(
        *_EVENT_SCOPE_COLUMNS
    ),
    client_id=_UUID,
)


def consent_facts(client_id: uuid.UUID) -> tuple[ConsentFacts, ...]:
    """Every consent record of the client with its scopes and events, read fresh each time."""
    records = _CONSENT_RECORDS.rows(client_id=client_id)
    if not records:
        return ()
    return _assemble(
        records,
        _CONSENT_SCOPES.rows(client_id=client_id),
        _CONSENT_EVENT_SCOPES.rows(client_id=client_id),
        _CONSENT_EVENTS.rows(client_id=client_id),
    )


def consent_facts_many(client_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, tuple[ConsentFacts, ...]]:
    """consent_facts for many clients in four queries (a caseload), read fresh each time."""
    ids = list(client_ids)
    records = list(ConsentRecord.objects.filter(client_id__in=ids).values("client_id", *_RECORD_COLUMNS))
    if not records:
        return {}
    scopes = ConsentScope.objects.filter(record__client_id__in=ids).values(*_SCOPE_COLUMNS)
    links = ConsentEvent.scopes.through.objects.filter(consentevent__record__client_id__in=ids).values(
        *_EVENT_SCOPE_COLUMNS
    )
    events = ConsentEvent.objects.filter(record__client_id__in=ids).values(*_EVENT_COLUMNS)
    every = _assemble(records, list(scopes), list(links), list(events))
    client_of = {str(r["id"]): r["client_id"] for r in records}
    found: dict[uuid.UUID, list[ConsentFacts]] = defaultdict(list)
    for fact in every:
        found[client_of[fact.record_id]].append(fact)
    return {client_id: tuple(facts) for client_id, facts in found.items()}


def _assemble(
    records: list[dict[str, Any]],
    scope_rows: list[dict[str, Any]],
    link_rows: list[dict[str, Any]],
    event_rows: list[dict[str, Any]],
) -> tuple[ConsentFacts, ...]:
    scopes: dict[object, list[ScopeFacts]] = defaultdict(list)
    for row in scope_rows:
        scopes[row["record_id"]].append(
            ScopeFacts(
                row["id"],
                row["recipient_organisation_id"],
                row["recipient_type"],
                row["purpose"],
                DataCategory(row["category"]),
            )
        )
    event_scopes: dict[int, set[int]] = defaultdict(set)
    for row in link_rows:
        event_scopes[row["consentevent_id"]].add(row["consentscope_id"])
    events: dict[object, list[ConsentEventFacts]] = defaultdict(list)
    for row in event_rows:
        events[row["record_id"]].append(
            ConsentEventFacts(row["kind"], row["at"], frozenset(event_scopes.get(row["id"], ())), row["valid_until"])
        )
    return tuple(
        ConsentFacts(
            record_id=str(r["id"]),
            organisation_id=r["organisation_id"],
            valid_from=r["valid_from"],
            valid_until=r["valid_until"],
            until_support_ends=r["until_support_ends"],
            scopes=tuple(scopes[r["id"]]),
            events=tuple(events[r["id"]]),
        )
        for r in records
    )


@cache
def _suppliers_sql() -> str:
    """One UNION over every section table: which organisations supplied items in which category.

    Only the SQL text is kept (it depends on the schema alone); the rows are read every time.
    Building it through the ORM cost more than the rest of a record read together.
    """
    quote = connection.ops.quote_name
    # Table names and categories come from the models, never from input; the client id is a parameter.
    parts = [
        f"SELECT DISTINCT '{spec.category.value}', {quote('supplied_by_id')} FROM {quote(spec.model._meta.db_table)} "
        f"WHERE {quote('client_id')} = %s"
        for spec in SECTIONS
    ]
    return " UNION ".join(parts)


_ORGANISATION_NAMES = Prepared(
    lambda partnership_id: Organisation.objects.filter(partnership_id=partnership_id).values("id", "name"),
    partnership_id=Organisation._meta.get_field("partnership"),
)


def organisation_names(partnership_id: int) -> dict[int, str]:
    return {row["id"]: row["name"] for row in _ORGANISATION_NAMES.rows(partnership_id=partnership_id)}


def client_facts(client: m.Client, *, with_consents: bool = True, partnership_id: int | None = None) -> ClientFacts:
    suppliers: dict[DataCategory, set[int]] = defaultdict(set)
    client_key = _UUID.get_db_prep_value(client.pk, connection)
    with connection.cursor() as cursor:
        cursor.execute(_suppliers_sql(), [client_key] * len(SECTIONS))
        for category, org_id in cursor.fetchall():
            suppliers[DataCategory(category)].add(org_id)
    engaged, referred = client_relationships(client.pk)
    org_ids = set(engaged).union(*suppliers.values()) if suppliers else set(engaged)
    if partnership_id is None:
        partnership_id = Organisation.objects.filter(pk=client.registered_by_id).values_list(
            "partnership_id", flat=True
        )[0]
    names = organisation_names(partnership_id)
    if missing := org_ids - names.keys():
        # An organisation outside the partnership (which the services do not allow): name it anyway.
        names.update(Organisation.objects.filter(pk__in=missing).values_list("pk", "name"))
    return ClientFacts(
        client_id=client.pk,
        live_engagement_organisation_ids=engaged,
        referred=referred,
        suppliers={category: frozenset(ids) for category, ids in suppliers.items()},
        organisation_names={pk: names[pk] for pk in org_ids},
        consents=consent_facts(client.pk) if with_consents else (),
        restricted=client.processing_restricted,
        objections=frozenset(client.objected_purposes),
    )


def _in_force(rows: QuerySet[Any, Any], prefix: str, partnership_id: int, on: dt.date) -> QuerySet[Any, Any]:
    """Rows of the partnership's agreement versions in force on a day (`prefix` leads to the version)."""
    return rows.filter(
        **{
            f"{prefix}agreement__partnership_id": partnership_id,
            f"{prefix}status": AgreementStatus.ACTIVE,
            f"{prefix}starts_on__lte": on,
        }
    ).exclude(**{f"{prefix}ends_on__lt": on})


_PARTNERSHIP = Organisation._meta.get_field("partnership")
_DAY = AgreementVersion._meta.get_field("starts_on")
_VERSIONS = Prepared(
    lambda partnership_id, on: _in_force(AgreementVersion.objects.all(), "", partnership_id, on).values(
        "id", "status", "starts_on", "ends_on"
    ),
    partnership_id=_PARTNERSHIP,
    on=_DAY,
)
_PARTIES = Prepared(
    lambda partnership_id, on: _in_force(AgreementParty.objects.all(), "version__", partnership_id, on).values(
        "version_id", "organisation_id"
    ),
    partnership_id=_PARTNERSHIP,
    on=_DAY,
)
_PURPOSES = Prepared(
    lambda partnership_id, on: _in_force(AgreementPurpose.objects.all(), "version__", partnership_id, on).values(
        "version_id", "purpose", "lawful_basis", "categories"
    ),
    partnership_id=_PARTNERSHIP,
    on=_DAY,
)


_AGREEMENTS_STAMP = Prepared(
    lambda partnership_id: (
        AgreementVersion.objects.filter(agreement__partnership_id=partnership_id)
        .order_by()
        .values("agreement__partnership_id")
        .annotate(versions=Count("id"), last=Max("id"), changed=Max("status_changed_at"))
    ),
    partnership_id=_PARTNERSHIP,
)
# partnership id -> (day, stamp, facts): the partnership's agreements in force, as last read.
_agreements_seen: dict[int, tuple[dt.date, tuple[Any, ...], tuple[AgreementFacts, ...]]] = {}
_agreements_lock = threading.Lock()


def agreement_facts(partnership_id: int, on: dt.date) -> tuple[AgreementFacts, ...]:
    """Agreements of the partnership in force on a day.

    Every call asks the database whether anything about the partnership's agreements has changed
    since the last read (one small query): every version is written as a draft with its parties
    and purposes and never changes after, except for its status, and every change of status stamps
    `status_changed_at`. So (number of versions, newest id, latest status change) changes whenever
    what is in force could, and the facts are read again; otherwise the last reading is the answer.
    `read_agreement_facts` is the reading itself, and a test holds the two equal after every kind of
    change an agreement can go through.
    """
    found = _AGREEMENTS_STAMP.first(partnership_id=partnership_id)
    stamp = (found["versions"], found["last"], found["changed"]) if found else (0, None, None)
    seen = _agreements_seen.get(partnership_id)
    if seen is not None and seen[0] == on and seen[1] == stamp:
        return seen[2]
    facts = read_agreement_facts(partnership_id, on)
    with _agreements_lock:
        _agreements_seen[partnership_id] = (on, stamp, facts)
    return facts


def read_agreement_facts(partnership_id: int, on: dt.date) -> tuple[AgreementFacts, ...]:
    """Agreements of the partnership in force on a day, read from their tables."""
    versions = _VERSIONS.rows(partnership_id=partnership_id, on=on)
    if not versions:
        return ()
    parties: dict[int, set[int]] = defaultdict(set)
    for row in _PARTIES.rows(partnership_id=partnership_id, on=on):
        parties[row["version_id"]].add(row["organisation_id"])
    purposes: dict[int, dict[str, AgreementPurposeFacts]] = defaultdict(dict)
    for row in _PURPOSES.rows(partnership_id=partnership_id, on=on):
        purposes[row["version_id"]][row["purpose"]] = AgreementPurposeFacts(
            row["lawful_basis"], frozenset(DataCategory(c) for c in row["categories"])
        )
    return tuple(
        AgreementFacts(
            v["id"], frozenset(parties[v["id"]]), v["status"], v["starts_on"], v["ends_on"], purposes[v["id"]]
        )
        for v in versions
    )


_BREAK_GLASS = Prepared(
    lambda staff_id, client_id, at: BreakGlassGrant.objects.filter(
        staff_id=staff_id, client_id=client_id, expires_at__gt=at
    ).values("id", "staff_id", "categories", "granted_at", "expires_at"),
    staff_id=BreakGlassGrant._meta.get_field("staff"),
    client_id=_UUID,
    at=BreakGlassGrant._meta.get_field("expires_at"),
)


def break_glass_facts(staff_id: int, client_id: uuid.UUID, at: dt.datetime) -> tuple[BreakGlassFacts, ...]:
    return tuple(
        BreakGlassFacts(
            g["id"],
            g["staff_id"],
            frozenset(DataCategory(c) for c in g["categories"]),
            g["granted_at"],
            g["expires_at"],
        )
        for g in _BREAK_GLASS.rows(staff_id=staff_id, client_id=client_id, at=at)
    )
