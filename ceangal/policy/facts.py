"""Gathering the facts the pure decision needs, from the database, in as few queries as possible."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Value

from ceangal.clients import models as m
from ceangal.clients.sections import SECTIONS
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import clearance_for
from ceangal.policy.decision import ActorFacts, ClientFacts
from ceangal.reference.categories import DataCategory


def actor_facts(actor: StaffMember) -> ActorFacts:
    return ActorFacts(
        staff_id=actor.pk,
        organisation_id=actor.organisation_id,
        organisation_name=actor.organisation.name,
        active=actor.active and actor.user.is_active,
        training_expires_on=actor.training_expires_on,
        clearance=clearance_for(actor.role),
    )


def live_engagements(client_ids: Iterable[object]) -> dict[object, frozenset[int]]:
    found: dict[object, set[int]] = defaultdict(set)
    rows = m.Engagement.objects.filter(client_id__in=list(client_ids), status__in=m.LIVE_ENGAGEMENT_STATUSES)
    for client_id, org_id in rows.values_list("client_id", "organisation_id"):
        found[client_id].add(org_id)
    return {key: frozenset(value) for key, value in found.items()}


def client_facts(client: m.Client) -> ClientFacts:
    suppliers: dict[DataCategory, set[int]] = defaultdict(set)
    # One UNION over every section table: which organisations supplied items in which category.
    per_section = [
        spec.rows(client).annotate(category=Value(str(spec.category))).values_list("category", "supplied_by_id")
        for spec in SECTIONS
    ]
    for category, org_id in per_section[0].union(*per_section[1:]):
        suppliers[DataCategory(category)].add(org_id)
    engaged = live_engagements([client.pk]).get(client.pk, frozenset())
    org_ids = set(engaged).union(*suppliers.values()) if suppliers else set(engaged)
    names = dict(Organisation.objects.filter(pk__in=org_ids).values_list("pk", "name"))
    return ClientFacts(
        client_id=client.pk,
        live_engagement_organisation_ids=engaged,
        suppliers={category: frozenset(ids) for category, ids in suppliers.items()},
        organisation_names=names,
    )
