"""The decision: plain facts in, a decision with reasons out. No database, no settings, no clock.

    decide(actor, client, categories, purpose, at) -> Decision

A category is permitted when the actor is active, trained and cleared for its sensitivity, and
the actor's organisation has a live engagement with the client (need to know). Within a permitted
category, items the actor's own organisation supplied are visible; items other partners supplied
need an information sharing agreement and the client's consent or another lawful basis, which the
sharing core adds (issue 3): until then each such supplier is withheld, with the reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from ceangal.reference.categories import DataCategory, Sensitivity, sensitivity_of


class Reason(StrEnum):
    ACTOR_INACTIVE = "actor_inactive"
    TRAINING_EXPIRED = "training_expired"
    NOT_CLEARED = "not_cleared"
    NO_RELATIONSHIP = "no_relationship"
    NO_AGREEMENT = "no_agreement"
    NOT_REQUESTED = "not_requested"


@dataclass(frozen=True)
class ActorFacts:
    staff_id: int
    organisation_id: int
    organisation_name: str
    active: bool
    training_expires_on: dt.date | None
    clearance: frozenset[Sensitivity]


@dataclass(frozen=True)
class ClientFacts:
    client_id: object
    live_engagement_organisation_ids: frozenset[int]
    # Which organisations supplied items in each category, and their names (for reasons).
    suppliers: Mapping[DataCategory, frozenset[int]] = field(default_factory=dict)
    organisation_names: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Grant:
    category: DataCategory
    own_items: bool
    from_organisations: frozenset[int]

    def covers(self, supplier_id: int, actor_organisation_id: int) -> bool:
        if supplier_id == actor_organisation_id:
            return self.own_items
        return supplier_id in self.from_organisations


@dataclass(frozen=True)
class Denial:
    category: DataCategory
    reason: Reason
    message: str


@dataclass(frozen=True)
class Decision:
    purpose: str
    at: dt.datetime
    permitted: Mapping[DataCategory, Grant]
    denied: Mapping[DataCategory, Denial]
    # Within permitted categories: suppliers whose items stay hidden, with why.
    withheld_suppliers: Mapping[DataCategory, tuple[Denial, ...]]

    @property
    def any_permitted(self) -> bool:
        return bool(self.permitted)

    def grant(self, category: DataCategory) -> Grant | None:
        return self.permitted.get(category)


def decide(
    actor: ActorFacts,
    client: ClientFacts,
    categories: Iterable[DataCategory],
    purpose: str,
    at: dt.datetime,
) -> Decision:
    requested = list(dict.fromkeys(DataCategory(c) for c in categories))
    permitted: dict[DataCategory, Grant] = {}
    denied: dict[DataCategory, Denial] = {}
    withheld: dict[DataCategory, tuple[Denial, ...]] = {}
    org_name = client.organisation_names.get

    def deny(category: DataCategory, reason: Reason, message: str) -> None:
        denied[category] = Denial(category, reason, message)

    for category in requested:
        name = category.label
        if not actor.active:
            deny(category, Reason.ACTOR_INACTIVE, f"{name}: your account is not active.")
            continue
        if actor.training_expires_on is None or actor.training_expires_on < at.date():
            deny(category, Reason.TRAINING_EXPIRED, f"{name}: your data-protection training is out of date.")
            continue
        if sensitivity_of(category) not in actor.clearance:
            deny(
                category,
                Reason.NOT_CLEARED,
                f"{name}: your role is not cleared to see {sensitivity_of(category).label.lower()} information.",
            )
            continue
        if actor.organisation_id not in client.live_engagement_organisation_ids:
            deny(
                category, Reason.NO_RELATIONSHIP, f"{name}: {actor.organisation_name} is not working with this client."
            )
            continue
        permitted[category] = Grant(category=category, own_items=True, from_organisations=frozenset())
        others = sorted(client.suppliers.get(category, frozenset()) - {actor.organisation_id})
        if others:
            withheld[category] = tuple(
                Denial(
                    category,
                    Reason.NO_AGREEMENT,
                    f"{name}: information from {org_name(supplier, 'another partner')} is not shared with "
                    f"{actor.organisation_name}: there is no information sharing agreement and consent that cover it.",
                )
                for supplier in others
            )
    return Decision(purpose=purpose, at=at, permitted=permitted, denied=denied, withheld_suppliers=withheld)
