"""Gathering the facts the pure decision needs, from the database, in as few queries as possible.

Nothing here is cached: consent, agreements and grants are read for every decision, so a
withdrawal, suspension or expiry takes effect for the very next one.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from functools import cache

from django.db import connection

from ceangal.agreements.models import AgreementParty, AgreementPurpose, AgreementStatus, AgreementVersion
from ceangal.clients import models as m
from ceangal.clients.sections import SECTIONS
from ceangal.consent.models import ConsentEvent, ConsentRecord, ConsentScope
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


def live_engagements(client_ids: Iterable[object]) -> dict[object, frozenset[int]]:
    found: dict[object, set[int]] = defaultdict(set)
    rows = m.Engagement.objects.filter(client_id__in=list(client_ids), status__in=m.LIVE_ENGAGEMENT_STATUSES)
    for client_id, org_id in rows.values_list("client_id", "organisation_id"):
        found[client_id].add(org_id)
    return {key: frozenset(value) for key, value in found.items()}


def consent_facts(client_id: uuid.UUID) -> tuple[ConsentFacts, ...]:
    records = list(ConsentRecord.objects.filter(client_id=client_id))
    if not records:
        return ()
    ids = [r.pk for r in records]
    scopes: dict[object, list[ScopeFacts]] = defaultdict(list)
    for sid, rid, org, kind, purpose, category in ConsentScope.objects.filter(record_id__in=ids).values_list(
        "pk", "record_id", "recipient_organisation_id", "recipient_type", "purpose", "category"
    ):
        scopes[rid].append(ScopeFacts(sid, org, kind, purpose, DataCategory(category)))
    event_scopes: dict[int, set[int]] = defaultdict(set)
    for event_id, scope_id in ConsentEvent.scopes.through.objects.filter(consentevent__record_id__in=ids).values_list(
        "consentevent_id", "consentscope_id"
    ):
        event_scopes[event_id].add(scope_id)
    events: dict[object, list[ConsentEventFacts]] = defaultdict(list)
    for eid, rid, kind, at, until in ConsentEvent.objects.filter(record_id__in=ids).values_list(
        "pk", "record_id", "kind", "at", "valid_until"
    ):
        events[rid].append(ConsentEventFacts(kind, at, frozenset(event_scopes.get(eid, ())), until))
    return tuple(
        ConsentFacts(
            record_id=str(r.pk),
            organisation_id=r.organisation_id,
            valid_from=r.valid_from,
            valid_until=r.valid_until,
            until_support_ends=r.until_support_ends,
            scopes=tuple(scopes[r.pk]),
            events=tuple(events[r.pk]),
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


def client_facts(client: m.Client, *, with_consents: bool = True) -> ClientFacts:
    suppliers: dict[DataCategory, set[int]] = defaultdict(set)
    client_key = m.Client._meta.pk.get_db_prep_value(client.pk, connection)  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(_suppliers_sql(), [client_key] * len(SECTIONS))
        for category, org_id in cursor.fetchall():
            suppliers[DataCategory(category)].add(org_id)
    engaged = live_engagements([client.pk]).get(client.pk, frozenset())
    org_ids = set(engaged).union(*suppliers.values()) if suppliers else set(engaged)
    names = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    return ClientFacts(
        client_id=client.pk,
        live_engagement_organisation_ids=engaged,
        suppliers={category: frozenset(ids) for category, ids in suppliers.items()},
        organisation_names=names,
        consents=consent_facts(client.pk) if with_consents else (),
    )


def agreement_facts(partnership_id: int, on: dt.date) -> tuple[AgreementFacts, ...]:
    """Agreements of the partnership in force on a day."""
    versions = list(
        AgreementVersion.objects.filter(agreement__partnership_id=partnership_id, status=AgreementStatus.ACTIVE)
        .filter(starts_on__lte=on)
        .exclude(ends_on__lt=on)
        .values_list("pk", "status", "starts_on", "ends_on")
    )
    if not versions:
        return ()
    ids = [v[0] for v in versions]
    parties: dict[int, set[int]] = defaultdict(set)
    for vid, org in AgreementParty.objects.filter(version_id__in=ids).values_list("version_id", "organisation_id"):
        parties[vid].add(org)
    purposes: dict[int, dict[str, AgreementPurposeFacts]] = defaultdict(dict)
    for vid, purpose, basis, categories in AgreementPurpose.objects.filter(version_id__in=ids).values_list(
        "version_id", "purpose", "lawful_basis", "categories"
    ):
        purposes[vid][purpose] = AgreementPurposeFacts(basis, frozenset(DataCategory(c) for c in categories))
    return tuple(
        AgreementFacts(vid, frozenset(parties[vid]), status, starts, ends, purposes[vid])
        for vid, status, starts, ends in versions
    )


def break_glass_facts(staff_id: int, client_id: uuid.UUID, at: dt.datetime) -> tuple[BreakGlassFacts, ...]:
    rows = BreakGlassGrant.objects.filter(staff_id=staff_id, client_id=client_id, expires_at__gt=at)
    return tuple(
        BreakGlassFacts(g.pk, g.staff_id, frozenset(DataCategory(c) for c in g.categories), g.granted_at, g.expires_at)
        for g in rows
    )
