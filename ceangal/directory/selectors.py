"""Reads of the directory: the services of the actor's partnership. Partnership information, not
client data; "services this client is eligible for" takes plain client facts, never a client,
so that the policy layer decides what of the client may be used (issue 4's referral step)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Prefetch

from ceangal.directory.eligibility import capacity_note, eligibility
from ceangal.directory.models import Service, ServiceLocation
from ceangal.errors import NotFound
from ceangal.partners.models import StaffMember
from ceangal.reference import lookups

LABEL_LISTS = ("local_authority", "benefit", "pipeline_stage", "barrier")


def _partnership_services(actor: StaffMember, *, include_retired: bool) -> list[Service]:
    rows = (
        Service.objects.filter(organisation__partnership_id=actor.organisation.partnership_id)
        .select_related("organisation")
        .prefetch_related(Prefetch("locations", queryset=ServiceLocation.objects.all()))
        .order_by("name", "pk")
    )
    if not include_retired:
        rows = rows.filter(active=True)
    return list(rows)


def services_for(
    actor: StaffMember,
    stage: str | None = None,
    local_authority: str | None = None,
    need: str | None = None,
    *,
    include_retired: bool = False,
) -> list[Service]:
    """The partnership's services, optionally only those at a stage, open to people in a council
    area (a service that names no area is open to all), or helping with a need (a barrier code).

    Filtered in Python: code lists are JSON lists (SQLite cannot search inside them), and a
    partnership's directory is tens or hundreds of services, not thousands."""
    found = _partnership_services(actor, include_retired=include_retired)
    if stage:
        found = [s for s in found if stage in s.stages]
    if local_authority:
        found = [s for s in found if not s.local_authorities or local_authority in s.local_authorities]
    if need:
        found = [s for s in found if need in s.needs]
    return found


@dataclass(frozen=True)
class ServiceMatch:
    service: Service
    unmet: list[str]
    capacity: str

    @property
    def eligible(self) -> bool:
        return not self.unmet


def service_matches(
    actor: StaffMember,
    *,
    age: int | None = None,
    local_authority: str | None = None,
    postcode: str | None = None,
    benefits: Collection[str] | None = None,
    stage: str | None = None,
    need: str | None = None,
) -> list[ServiceMatch]:
    """Every service (filtered as services_for), with the criteria the given client facts do not meet."""
    labels = criteria_labels()
    return [
        ServiceMatch(
            service=s,
            unmet=eligibility(s, age, local_authority, postcode, benefits, labels=labels),
            capacity=capacity_note(s),
        )
        for s in services_for(actor, stage=stage, need=need)
    ]


def services_eligible_for(
    actor: StaffMember,
    *,
    age: int | None = None,
    local_authority: str | None = None,
    postcode: str | None = None,
    benefits: Collection[str] | None = None,
    stage: str | None = None,
    need: str | None = None,
) -> list[Service]:
    """The services whose criteria a client with these facts meets (unknown facts are not held against them)."""
    return [
        m.service
        for m in service_matches(
            actor,
            age=age,
            local_authority=local_authority,
            postcode=postcode,
            benefits=benefits,
            stage=stage,
            need=need,
        )
        if m.eligible
    ]


def service_get(actor: StaffMember, service_id: int) -> Service:
    """One service of the actor's partnership (retired ones too); another partnership's is not found."""
    found = (
        Service.objects.filter(pk=service_id, organisation__partnership_id=actor.organisation.partnership_id)
        .select_related("organisation")
        .prefetch_related("locations")
        .first()
    )
    if found is None:
        raise NotFound("There is no service with this id in your partnership's directory.")
    return found


def criteria_labels() -> dict[str, str]:
    """Code -> label for every list a service names (codes do not collide across these lists)."""
    merged: dict[str, str] = {}
    for labels in lookups.cached_labels_for(LABEL_LISTS).values():
        merged.update(labels)
    return merged
