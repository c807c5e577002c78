"""The services a client may be eligible for: the directory's rules over what the decision permits.

The directory never reads a client: its `service_matches` takes plain facts (age, council area,
postcode, benefit codes). This module is where those facts come from. It reads the client through
`selectors.client_record` (sections identity, benefits and support_needs; never the contact
section, which holds no fact a service is matched on), and derives each fact only from a section
the decision permitted for the actor:

- age (from the date of birth), council area and postcode: the identity section;
- benefits: the codes of the claims that have not ended, from the benefits section;
- needs: the barrier codes of the support needs not yet resolved, from support_needs (not an
  eligibility criterion: each service says which of the client's needs it helps with).

A fact from a section the decision withholds, or that nothing permitted records, is unknown:
the directory does not hold an unknown fact against the client, and `unknown` says which facts
were not known and why (the decision's reason for a hidden section, "nothing is recorded"
otherwise). Where some partners' items of a section are withheld from the actor, the fact is
unknown too, since a withheld item might meet a criterion the visible ones do not.

What is recorded in the access ledger (`record_shown`, in the same transaction as the decision):
using a fact to choose services counts as disclosing it to the actor, because the answer reveals
it ("the client is 17", "the client lives in Fife", a service that needs Universal Credit shown
as eligible). So the page and the API record:

- IDENTITY, when the identity item is visible (the name is in the heading, and the date of birth,
  council area and postcode are matched);
- BENEFITS, when benefits were known and matched (the visible claims' suppliers);
- SUPPORT_NEEDS, when needs were known and matched (the suppliers of the unresolved needs).

A category whose facts were unknown is not recorded; nothing shown, nothing recorded.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ceangal.directory.models import Service
from ceangal.directory.selectors import criteria_labels, service_matches
from ceangal.ledger.models import Channel
from ceangal.partners.models import StaffMember
from ceangal.policy import selectors
from ceangal.policy.purposes import Purpose
from ceangal.policy.selectors import ItemView, SectionView
from ceangal.reference.ages import age_on
from ceangal.reference.categories import DataCategory

SECTIONS = ["identity", "benefits", "support_needs"]
NOTHING_RECORDED = "Nothing is recorded."


@dataclass(frozen=True)
class UnknownFact:
    """A fact eligibility could not use, and why (the decision's reason, or nothing recorded)."""

    fact: str
    section: str
    reason: str


@dataclass(frozen=True)
class ServiceOption:
    service: Service
    unmet: list[str]
    capacity: str
    helps_with: list[str] = field(default_factory=list)  # labels of the client's needs it helps with

    @property
    def eligible(self) -> bool:
        return not self.unmet


@dataclass(frozen=True)
class ServicesForClient:
    client_id: uuid.UUID
    reference: str
    display_name: str
    age: int | None
    local_authority: str | None
    local_authority_label: str
    postcode: str | None
    benefits: list[str] | None  # codes of current claims; None: unknown
    benefit_labels: list[str]
    needs: list[str] | None  # barrier codes not yet resolved; None: unknown
    need_labels: list[str]
    unknown: list[UnknownFact]
    services: list[ServiceOption]  # eligible first, then the others, each by name

    @property
    def eligible(self) -> list[ServiceOption]:
        return [s for s in self.services if s.eligible]

    @property
    def ineligible(self) -> list[ServiceOption]:
        return [s for s in self.services if not s.eligible]


def _unknown_reason(view: SectionView) -> str | None:
    """Why this section gives no usable fact, or None if its items can be used."""
    if not view.permitted:
        return view.reason
    if view.withheld:
        return " ".join(view.withheld)
    if not view.items:
        return NOTHING_RECORDED
    return None


def _current(item: ItemView, today: dt.date) -> bool:
    ended = item.values.get("ended_on")
    return ended is None or ended >= today


def services_for_client(
    *,
    actor: StaffMember,
    client_id: object,
    purpose: Purpose | str = Purpose.SUPPORT_COORDINATION,
    stage: str | None = None,
    need: str | None = None,
    channel: Channel | str = Channel.PAGE,
) -> ServicesForClient:
    """The partnership's active services (at `stage`, helping with `need` if given), each eligible
    for the client or with the criteria they do not meet, from the facts the actor may use.

    A client the actor may not see is NotFound, as in client_record. What is used is recorded in
    the access ledger as the module docstring says."""
    with transaction.atomic():
        record = selectors.client_record(
            actor=actor, client_id=client_id, purpose=purpose, sections=SECTIONS, channel=channel, record=False
        )
        today = timezone.localdate()
        labels = criteria_labels()
        unknown: list[UnknownFact] = []
        used: list[tuple[DataCategory, ItemView]] = []

        identity = record.section("identity")
        age: int | None = None
        local_authority: str | None = None
        postcode: str | None = None
        reason = _unknown_reason(identity)
        if reason is None:
            ident = identity.items[0]
            used.append((DataCategory.IDENTITY, ident))
            dob = ident.values.get("date_of_birth")
            age = age_on(dob, today) if dob else None
            local_authority = ident.values.get("local_authority") or None
            postcode = ident.values.get("postcode") or None
        else:
            unknown.append(UnknownFact("Age, council area and postcode", identity.label, reason))

        benefits_view = record.section("benefits")
        benefits: list[str] | None = None
        reason = _unknown_reason(benefits_view)
        if reason is None:
            benefits = sorted({i.values["benefit"] for i in benefits_view.items if _current(i, today)})
            used.extend((DataCategory.BENEFITS, i) for i in benefits_view.items)
        else:
            unknown.append(UnknownFact("Benefits", benefits_view.label, reason))

        needs_view = record.section("support_needs")
        needs: list[str] | None = None
        reason = _unknown_reason(needs_view)
        open_needs = [i for i in needs_view.items if not i.values.get("resolved_on")]
        if reason is None and open_needs:
            needs = sorted({i.values["need"] for i in open_needs})
            used.extend((DataCategory.SUPPORT_NEEDS, i) for i in open_needs)
        else:
            unknown.append(UnknownFact("Needs", needs_view.label, reason or "No unresolved need is recorded."))

        matches = service_matches(
            actor,
            age=age,
            local_authority=local_authority,
            postcode=postcode,
            benefits=benefits,
            stage=stage or None,
            need=need or None,
        )
        options = [
            ServiceOption(
                service=m.service,
                unmet=m.unmet,
                capacity=m.capacity,
                helps_with=[labels.get(code, code) for code in (needs or []) if code in m.service.needs],
            )
            for m in matches
        ]
        options.sort(key=lambda o: not o.eligible)  # stable: by name within each group
        selectors.record_shown(actor=actor, record=record, items=used, name=True, channel=channel)
    return ServicesForClient(
        client_id=record.client_id,
        reference=record.reference,
        display_name=record.display_name,
        age=age,
        local_authority=local_authority,
        local_authority_label=labels.get(local_authority, local_authority) if local_authority else "",
        postcode=postcode,
        benefits=benefits,
        benefit_labels=[labels.get(code, code) for code in benefits or []],
        needs=needs,
        need_labels=[labels.get(code, code) for code in needs or []],
        unknown=unknown,
        services=options,
    )
