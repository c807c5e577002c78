"""Plain, ORM-free views of a consent record, the input to the standard exporters in `exports`.

The consent models map themselves onto `ConsentDocument`; the exporters never touch the database, the
settings or the clock (time is an argument), so they can be tested and reused anywhere.

State rules, shared by every export:

* A `ConsentEventView` with `scope_indexes` touches only those scope rows (a partial withdrawal);
  one without touches the whole record.
* The record's `state` is the kind of the latest whole-record event ("given" when there is none).
  A partial withdrawal does not end the record: the other rows stay in force.
* Partial withdrawals accumulate. A later renewal does not bring a withdrawn row back: agreeing to
  that sharing again is a new consent, recorded as a new record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

#: DPV: ConsentGiven and RenewedConsentGiven are the states valid for processing.
VALID_STATES = frozenset({"given", "renewed"})
EVENT_KINDS = frozenset({"pending", "given", "renewed", "refused", "withdrawn", "expired", "invalidated"})


@dataclass(frozen=True)
class Party:
    """An organisation named on the record: a controller, joint controller or recipient."""

    name: str
    identifier: str
    role: str  # "controller" | "joint_controller" | "recipient"
    organisation_type: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    url: str = ""


@dataclass(frozen=True)
class ScopeRow:
    """One permitted sharing: this recipient, for this purpose, this category of data, on this basis.

    `lawful_basis` is the Art 6 basis ("consent", "public_task", ...). `condition` is the Art 9
    condition for special category rows ("explicit_consent", "substantial_public_interest", ... or
    the article code itself, e.g. "A9-2-g"); empty for rows that need none.
    """

    recipient_name: str
    recipient_identifier: str
    recipient_type: str
    purpose: str  # our purpose code, e.g. "support_coordination"
    purpose_label: str
    purpose_dpv: str  # e.g. "dpv:ServiceProvision"
    category: str  # our data category code, e.g. "health"
    category_label: str
    sensitivity: str  # "standard" | "sensitive" | "special_category" | "criminal_offence"
    lawful_basis: str  # e.g. "consent", "public_task"
    condition: str = ""


@dataclass(frozen=True)
class ConsentEventView:
    """One entry of the append-only consent event log."""

    kind: str  # pending | given | renewed | refused | withdrawn | expired | invalidated
    at: datetime  # aware, UTC, set by the server
    by: str  # who expressed or recorded it: "client", "guardian", "appointee" or a staff reference
    note: str = ""
    scope_indexes: tuple[int, ...] = ()  # rows a partial withdrawal touched; empty = whole record

    @property
    def is_partial(self) -> bool:
        return bool(self.scope_indexes)


@dataclass(frozen=True)
class ConsentDocument:
    """A consent record with everything the three standard shapes need, and nothing from the ORM."""

    record_id: str  # UUID
    client_ref: str  # pseudonymous, e.g. "CG-7K2M9Q"; never a name
    notice_id: str
    notice_version: int
    notice_url: str
    notice_title: str
    controllers: tuple[Party, ...]
    scopes: tuple[ScopeRow, ...]
    method: str  # paper_form | verbal_witnessed | online
    method_label: str
    expressed_by: str  # client | guardian | appointee
    recorded_by: str
    recorded_at: datetime
    valid_from: date
    valid_until: date | None
    until_support_ends: bool
    evidence_sha256: str  # hex digest of the evidence file
    evidence_media_type: str
    events: tuple[ConsentEventView, ...]
    jurisdiction: str = "GB-SCT"
    language: str = "en"
    storage_location: str = "United Kingdom"
    retention: str = ""
    withdrawal_method: str = ""
    rights_url: str = ""
    authority: str = "Information Commissioner's Office"
    service: str = "Ceangal"

    @property
    def ordered_events(self) -> tuple[ConsentEventView, ...]:
        return tuple(sorted(self.events, key=lambda event: event.at))

    @property
    def state(self) -> str:
        """The kind of the latest whole-record event, or "given" for a record with no events yet."""
        return self.state_at(None)

    def state_at(self, at: datetime | None) -> str:
        state = "given"
        for event in self.ordered_events:
            if at is not None and event.at > at:
                break
            if not event.is_partial:
                state = event.kind
        return state

    @property
    def consented_at(self) -> datetime:
        """When the consent now in force was expressed: the latest given or renewed event."""
        moments = [event.at for event in self.ordered_events if event.kind in VALID_STATES and not event.is_partial]
        return moments[-1] if moments else self.recorded_at

    def withdrawn_scope_indexes(self, at: datetime | None = None) -> frozenset[int]:
        """Rows taken out by partial withdrawals up to `at` (all of them when `at` is None)."""
        withdrawn: set[int] = set()
        for event in self.ordered_events:
            if at is not None and event.at > at:
                break
            if event.is_partial and event.kind == "withdrawn":
                withdrawn.update(event.scope_indexes)
        return frozenset(withdrawn)

    def withdrawal_of(self, index: int) -> ConsentEventView | None:
        """The partial withdrawal that took out row `index`, if any."""
        for event in self.ordered_events:
            if event.is_partial and event.kind == "withdrawn" and index in event.scope_indexes:
                return event
        return None

    def in_force_scope_indexes(self, at: datetime | None = None) -> tuple[int, ...]:
        withdrawn = self.withdrawn_scope_indexes(at)
        return tuple(index for index in range(len(self.scopes)) if index not in withdrawn)

    def within_period(self, at: datetime) -> bool:
        day = at.date()
        if day < self.valid_from:
            return False
        return self.valid_until is None or day <= self.valid_until

    def is_valid(self, at: datetime) -> bool:
        """True when the record may justify a share at `at`: a valid state and inside its period.

        Matching a share to a scope row is the policy layer's job; this answers only for the record.
        "Until support ends" is not checked here: the engagement's end is outside this document.
        """
        return self.state_at(at) in VALID_STATES and self.within_period(at)
