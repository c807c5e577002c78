"""The decision: plain facts in, a decision with reasons out. No database, no settings, no clock.

    decide(actor, client, categories, purpose, at, agreements=..., break_glass=...) -> Decision

A category is permitted to the actor when they are active, trained and cleared for its
sensitivity, the client has not restricted processing or objected to the purpose, and either an
unexpired break-glass grant covers it, or the actor's organisation has a live engagement with the
client (need to know), or, for the purpose "referral" only, a referral to the organisation is
waiting for its answer and its packet carries the category. Within a permitted category:

- items the actor's own organisation supplied are visible;
- items another partner supplied are visible only where an active agreement names both
  organisations and covers the purpose and category, and either its lawful basis for the purpose
  is consent and the client has a live consent whose scope covers this recipient, purpose and
  category, or the basis is another one (public task, ...), which the client has not objected to.

Every permitted supplier carries the basis relied on (for the ledger); every refusal a reason.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from ceangal.reference.categories import CATEGORY_SENSITIVITY, DataCategory, Sensitivity, sensitivity_of


class Reason(StrEnum):
    ACTOR_INACTIVE = "actor_inactive"
    TRAINING_EXPIRED = "training_expired"
    NOT_CLEARED = "not_cleared"
    RESTRICTED = "restricted"
    OBJECTED = "objected"
    NO_RELATIONSHIP = "no_relationship"
    NO_AGREEMENT = "no_agreement"
    NO_CONSENT = "no_consent"
    CONSENT_WITHDRAWN = "consent_withdrawn"


class BasisKind(StrEnum):
    OWN = "own"
    AGREEMENT_CONSENT = "agreement_consent"
    AGREEMENT_OTHER_BASIS = "agreement_other_basis"
    BREAK_GLASS = "break_glass"


CONSENT = "consent"
REFERRAL = "referral"
LIVE_STATES = frozenset({"given", "renewed"})


@dataclass(frozen=True)
class ActorFacts:
    staff_id: int
    organisation_id: int
    organisation_name: str
    active: bool
    training_expires_on: dt.date | None
    clearance: frozenset[Sensitivity]
    organisation_type: str = ""


@dataclass(frozen=True)
class AgreementPurposeFacts:
    lawful_basis: str
    categories: frozenset[DataCategory]


@dataclass(frozen=True)
class AgreementFacts:
    version_id: int
    parties: frozenset[int]
    status: str
    starts_on: dt.date
    ends_on: dt.date | None
    purposes: Mapping[str, AgreementPurposeFacts]

    def in_force(self, on: dt.date) -> bool:
        return self.status == "active" and self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)


@dataclass(frozen=True)
class ScopeFacts:
    scope_id: int
    recipient_organisation_id: int | None
    recipient_type: str
    purpose: str
    category: DataCategory


@dataclass(frozen=True)
class ConsentEventFacts:
    kind: str
    at: dt.datetime
    scope_ids: frozenset[int] = frozenset()  # empty: the whole record
    valid_until: dt.date | None = None  # for a renewal


@dataclass(frozen=True)
class ConsentFacts:
    record_id: str
    organisation_id: int  # who recorded it: "until support ends" means support by them
    valid_from: dt.date
    valid_until: dt.date | None
    until_support_ends: bool
    scopes: tuple[ScopeFacts, ...]
    events: tuple[ConsentEventFacts, ...]

    def live_scopes(self, at: dt.datetime, live_engagements: frozenset[int]) -> tuple[ScopeFacts, ...]:
        """The rows in force at `at`: the record's state is given or renewed, it is inside its
        validity, and no withdrawal up to `at` covered the row."""
        events = sorted((e for e in self.events if e.at <= at), key=lambda e: e.at)
        state = ""
        valid_until = self.valid_until
        withdrawn: set[int] = set()
        for event in events:
            if event.kind == "withdrawn" and event.scope_ids:
                withdrawn |= event.scope_ids
                continue
            state = event.kind
            if event.kind == "renewed" and event.valid_until is not None:
                valid_until = event.valid_until
        if state not in LIVE_STATES or at.date() < self.valid_from:
            return ()
        if valid_until is not None and at.date() > valid_until:
            return ()
        if valid_until is None and (not self.until_support_ends or self.organisation_id not in live_engagements):
            return ()
        return tuple(s for s in self.scopes if s.scope_id not in withdrawn)

    def withdrawn_scopes(self, at: dt.datetime) -> tuple[ScopeFacts, ...]:
        """The rows the client had withdrawn by `at`: every row once the whole record was withdrawn."""
        rows: set[int] = set()
        for event in self.events:
            if event.kind == "withdrawn" and event.at <= at:
                if not event.scope_ids:
                    return self.scopes
                rows |= event.scope_ids
        return tuple(s for s in self.scopes if s.scope_id in rows)


@dataclass(frozen=True)
class BreakGlassFacts:
    grant_id: int
    staff_id: int
    categories: frozenset[DataCategory]
    starts_at: dt.datetime
    expires_at: dt.datetime

    def covers(self, staff_id: int, category: DataCategory, at: dt.datetime) -> bool:
        return self.staff_id == staff_id and category in self.categories and self.starts_at <= at < self.expires_at


@dataclass(frozen=True)
class ClientFacts:
    client_id: object
    live_engagement_organisation_ids: frozenset[int]
    # Which organisations supplied items in each category, and their names (for reasons).
    suppliers: Mapping[DataCategory, frozenset[int]] = field(default_factory=dict)
    organisation_names: Mapping[int, str] = field(default_factory=dict)
    consents: tuple[ConsentFacts, ...] = ()
    restricted: bool = False
    objections: frozenset[str] = frozenset()
    # Organisations a referral is waiting with, and the categories its packet carries: they may
    # read those categories for the purpose "referral" and nothing else.
    referred: Mapping[int, frozenset[DataCategory]] = field(default_factory=dict)


@dataclass(frozen=True)
class Basis:
    kind: BasisKind
    agreement_version_id: int | None = None
    consent_record_id: str | None = None
    lawful_basis: str = ""
    break_glass_grant_id: int | None = None


@dataclass(frozen=True)
class Grant:
    category: DataCategory
    own_items: bool
    from_organisations: frozenset[int]
    # The basis relied on, per supplying organisation other than the actor's own.
    bases: Mapping[int, Basis] = field(default_factory=dict)
    # Break-glass: every supplier's items, on the grant.
    break_glass: Basis | None = None

    def covers(self, supplier_id: int, actor_organisation_id: int) -> bool:
        if self.break_glass is not None:
            return True
        if supplier_id == actor_organisation_id:
            return self.own_items
        return supplier_id in self.from_organisations

    def basis_for(self, supplier_id: int, actor_organisation_id: int) -> Basis:
        if self.break_glass is not None:
            return self.break_glass
        if supplier_id == actor_organisation_id:
            return Basis(BasisKind.OWN)
        return self.bases[supplier_id]


@dataclass(frozen=True)
class Denial:
    """A refusal and its reason. The sentence is built only when read: translating it for every
    refusal of every decision would cost more than the decision itself."""

    category: DataCategory
    reason: Reason
    actor_organisation: str = ""
    supplier_organisation: str = ""

    @property
    def message(self) -> str:
        name = self.category.label
        me, them = self.actor_organisation, self.supplier_organisation
        match self.reason:
            case Reason.ACTOR_INACTIVE:
                return f"{name}: your account is not active."
            case Reason.TRAINING_EXPIRED:
                return f"{name}: your data-protection training is out of date."
            case Reason.NOT_CLEARED:
                sensitivity = sensitivity_of(self.category).label.lower()
                return f"{name}: your role is not cleared to see {sensitivity} information."
            case Reason.RESTRICTED:
                return f"{name}: the client has asked for the use of their information to be restricted."
            case Reason.OBJECTED:
                return f"{name}: the client has objected to their information being used for this purpose."
            case Reason.NO_RELATIONSHIP:
                return f"{name}: {me} is not working with this client."
            case Reason.NO_AGREEMENT:
                return f"{name}: no information sharing agreement lets {them} share this with {me} for this purpose."
            case Reason.NO_CONSENT:
                return f"{name}: the client has not agreed to share this with {me}."
            case Reason.CONSENT_WITHDRAWN:
                return f"{name}: the client has withdrawn their consent to share this with {me}."
        raise AssertionError(self.reason)


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


def _consented(
    consents: Iterable[ConsentFacts], actor: ActorFacts, purpose: str, at: dt.datetime, live_engagements: frozenset[int]
) -> dict[DataCategory, str]:
    """For this actor and purpose: each category some live consent row covers, and the newest
    record covering it. Worked out once per decision, not once per category and supplier."""
    covered: dict[DataCategory, str] = {}
    for consent in sorted(consents, key=lambda c: c.valid_from):
        for scope in consent.live_scopes(at, live_engagements):
            recipient_matches = scope.recipient_organisation_id == actor.organisation_id or (
                scope.recipient_organisation_id is None and scope.recipient_type == actor.organisation_type
            )
            if recipient_matches and scope.purpose == purpose:
                covered[scope.category] = consent.record_id
    return covered


def _withdrawn(consents: Iterable[ConsentFacts], actor: ActorFacts, purpose: str, at: dt.datetime) -> set[DataCategory]:
    """For this actor and purpose: each category some consent row covered until the client
    withdrew it. Only asked once a category has no live consent, to say why."""
    categories: set[DataCategory] = set()
    for consent in consents:
        for scope in consent.withdrawn_scopes(at):
            recipient_matches = scope.recipient_organisation_id == actor.organisation_id or (
                scope.recipient_organisation_id is None and scope.recipient_type == actor.organisation_type
            )
            if recipient_matches and scope.purpose == purpose:
                categories.add(scope.category)
    return categories


def decide(
    actor: ActorFacts,
    client: ClientFacts,
    categories: Iterable[DataCategory],
    purpose: str,
    at: dt.datetime,
    *,
    agreements: Sequence[AgreementFacts] = (),
    break_glass: Sequence[BreakGlassFacts] = (),
) -> Decision:
    requested = list(dict.fromkeys(DataCategory(c) for c in categories))
    permitted: dict[DataCategory, Grant] = {}
    denied: dict[DataCategory, Denial] = {}
    withheld: dict[DataCategory, tuple[Denial, ...]] = {}
    me = actor.organisation_name
    engaged = actor.organisation_id in client.live_engagement_organisation_ids
    packet = client.referred.get(actor.organisation_id, frozenset()) if purpose == REFERRAL else frozenset()
    trained = actor.training_expires_on is not None and actor.training_expires_on >= at.date()
    # Agreements in force that name the actor's organisation and cover the purpose, by category.
    covering: dict[DataCategory, list[AgreementFacts]] = {}
    for candidate in agreements:
        terms = candidate.purposes.get(purpose)
        if terms is None or actor.organisation_id not in candidate.parties or not candidate.in_force(at.date()):
            continue
        for covered_category in terms.categories:
            covering.setdefault(covered_category, []).append(candidate)
    consented: dict[DataCategory, str] | None = None
    withdrawn: set[DataCategory] | None = None

    def deny(category: DataCategory, reason: Reason) -> None:
        denied[category] = Denial(category, reason, me)

    for category in requested:
        if not actor.active:
            deny(category, Reason.ACTOR_INACTIVE)
            continue
        if not trained:
            deny(category, Reason.TRAINING_EXPIRED)
            continue
        if CATEGORY_SENSITIVITY[category] not in actor.clearance:
            deny(category, Reason.NOT_CLEARED)
            continue
        if client.restricted:
            deny(category, Reason.RESTRICTED)
            continue
        if purpose in client.objections:
            deny(category, Reason.OBJECTED)
            continue
        glass = next((g for g in break_glass if g.covers(actor.staff_id, category, at)), None)
        if glass is not None:
            basis = Basis(BasisKind.BREAK_GLASS, break_glass_grant_id=glass.grant_id)
            permitted[category] = Grant(category, own_items=True, from_organisations=frozenset(), break_glass=basis)
            continue
        if not engaged and category not in packet:
            deny(category, Reason.NO_RELATIONSHIP)
            continue
        bases: dict[int, Basis] = {}
        refusals: list[Denial] = []
        candidates = covering.get(category, ())
        for supplier in sorted(client.suppliers.get(category, frozenset()) - {actor.organisation_id}):
            agreement = next((a for a in candidates if supplier in a.parties), None)
            if agreement is None:
                them = client.organisation_names.get(supplier, "another partner")
                refusals.append(Denial(category, Reason.NO_AGREEMENT, me, them))
                continue
            lawful_basis = agreement.purposes[purpose].lawful_basis
            if lawful_basis != CONSENT:
                bases[supplier] = Basis(
                    BasisKind.AGREEMENT_OTHER_BASIS, agreement.version_id, lawful_basis=lawful_basis
                )
                continue
            if consented is None:
                consented = _consented(client.consents, actor, purpose, at, client.live_engagement_organisation_ids)
            record_id = consented.get(category)
            if record_id is None:
                if withdrawn is None:
                    withdrawn = _withdrawn(client.consents, actor, purpose, at)
                reason = Reason.CONSENT_WITHDRAWN if category in withdrawn else Reason.NO_CONSENT
                refusals.append(Denial(category, reason, me))
                continue
            bases[supplier] = Basis(
                BasisKind.AGREEMENT_CONSENT, agreement.version_id, consent_record_id=record_id, lawful_basis=CONSENT
            )
        permitted[category] = Grant(category, own_items=True, from_organisations=frozenset(bases), bases=bases)
        if refusals:
            withheld[category] = tuple(refusals)
    return Decision(purpose=purpose, at=at, permitted=permitted, denied=denied, withheld_suppliers=withheld)
