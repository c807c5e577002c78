"""Referral packets: what a referral to an organisation would carry, as the decision point allows.

A packet is the categories the service needs ∩ what the decision point would permit the receiving
organisation for the purpose "referral". Before sending, the referrer sees it exactly as the
recipient will: the decision is taken for the recipient (a key worker of theirs, as if the referral
were already waiting with them), and the items are those the recipient would receive. The referrer
is shown only the items they may see themselves; any other partner's items the recipient would get
are counted, not shown. What the referrer is shown is recorded in the access ledger.

After sending, the recipient reads the packet through client_record with the purpose "referral":
their referred engagement carries the packet's categories and nothing else (see decision.py).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import uuid
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from ceangal.clients.sections import SECTIONS, SectionSpec
from ceangal.ledger.models import Channel
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import Role, clearance_for
from ceangal.policy import selectors
from ceangal.policy.decision import ActorFacts, Decision, Reason, decide
from ceangal.policy.facts import agreement_facts, client_facts, consent_facts, organisation_names
from ceangal.policy.purposes import Purpose
from ceangal.policy.selectors import ClientRecord, ItemView, SectionView
from ceangal.reference.categories import DataCategory

# A category left out for either of these needs the client's (fresh) consent.
CONSENT_MISSING = frozenset({Reason.NO_CONSENT, Reason.CONSENT_WITHDRAWN})

# The recipient's decision is taken as for a key worker of theirs: the role that reads packets.
_RECIPIENT_ROLE = Role.KEY_WORKER


def sections_of(categories: Collection[DataCategory | str]) -> list[SectionSpec]:
    wanted = {DataCategory(c) for c in categories}
    return [spec for spec in SECTIONS if spec.category in wanted]


@dataclass(frozen=True)
class PacketCategory:
    category: DataCategory
    label: str
    shared: bool
    # Why it will not go (the decision's reason, for the recipient), or which partners' items stay behind.
    reason: str = ""
    withheld: list[str] = field(default_factory=list)
    # The reason is the client's consent: the referrer can ask the client and record it.
    consent_missing: bool = False
    sections: list[SectionView] = field(default_factory=list)
    # Items the recipient would receive from partners whose items the referrer may not see.
    unseen_items_from: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PacketPreview:
    client_id: uuid.UUID
    reference: str
    display_name: str
    recipient_id: int
    recipient_name: str
    categories: list[PacketCategory]

    @property
    def shared(self) -> list[DataCategory]:
        return [c.category for c in self.categories if c.shared]

    @property
    def consent_missing(self) -> list[PacketCategory]:
        return [c for c in self.categories if c.consent_missing]


def _recipient_actor(recipient: Organisation, on: dt.date) -> ActorFacts:
    return ActorFacts(
        staff_id=0,
        organisation_id=recipient.pk,
        organisation_name=recipient.name,
        active=True,
        training_expires_on=on,
        clearance=clearance_for(_RECIPIENT_ROLE),
        organisation_type=recipient.org_type,
    )


def recipient_decision(
    *, client_id: uuid.UUID, recipient: Organisation, categories: Collection[DataCategory], at: dt.datetime
) -> Decision:
    """The decision the recipient would get for the packet, were the referral waiting with them."""
    client = selectors._get_client(client_id)
    partnership_id = recipient.partnership_id
    facts = client_facts(client, with_consents=False, partnership_id=partnership_id)
    facts = dataclasses.replace(
        facts,
        consents=consent_facts(client.pk),
        referred={**facts.referred, recipient.pk: frozenset(categories)},
    )
    agreements = agreement_facts(partnership_id, at.date())
    return decide(
        _recipient_actor(recipient, at.date()),
        facts,
        list(categories),
        str(Purpose.REFERRAL),
        at,
        agreements=agreements,
    )


def packet_preview(
    *,
    actor: StaffMember,
    client_id: object,
    recipient: Organisation,
    categories: Collection[DataCategory | str],
    channel: Channel | str = Channel.PAGE,
    record: bool = True,
) -> PacketPreview:
    """The packet a referral from the actor to `recipient` would carry for these categories (the
    service's needs), shown as the recipient will see it. NotFound if the actor may not see the
    client. What the actor is shown is recorded in the ledger (record=False: the caller shows none
    of it, as when a referral is sent through the API)."""
    wanted = list(dict.fromkeys(DataCategory(c) for c in categories))
    with transaction.atomic():
        client = selectors.client_record(
            actor=actor,
            client_id=client_id,
            purpose=Purpose.REFERRAL,
            sections=[spec.key for spec in sections_of(wanted)] or ["identity"],
            channel=channel,
            record=False,
        )
        now = timezone.now()
        theirs = recipient_decision(client_id=client.client_id, recipient=recipient, categories=wanted, at=now)
        rows, shown = _packet_rows(client, theirs, wanted, recipient)
        if record:
            selectors.record_shown(actor=actor, record=client, items=shown, name=True, channel=channel)
    return PacketPreview(
        client_id=client.client_id,
        reference=client.reference,
        display_name=client.display_name,
        recipient_id=recipient.pk,
        recipient_name=recipient.name,
        categories=rows,
    )


def _packet_rows(
    record: ClientRecord, theirs: Decision, wanted: list[DataCategory], recipient: Organisation
) -> tuple[list[PacketCategory], list[tuple[DataCategory, ItemView]]]:
    rows: list[PacketCategory] = []
    shown: list[tuple[DataCategory, ItemView]] = []
    partners = organisation_names(recipient.partnership_id)
    for category in wanted:
        grant = theirs.grant(category)
        views = [v for v in record.sections if v.category == category]
        withheld = theirs.withheld_suppliers.get(category, ())
        if grant is None or (withheld and not grant.from_organisations):
            # Refused outright, or every partner's items in it stay behind: nothing of it goes.
            denials = [theirs.denied[category]] if grant is None else list(withheld)
            rows.append(
                PacketCategory(
                    category=category,
                    label=str(category.label),
                    shared=False,
                    reason=" ".join(d.message for d in denials),
                    consent_missing=any(d.reason in CONSENT_MISSING for d in denials),
                )
            )
            continue
        visible: list[SectionView] = []
        seen_suppliers: set[int] = set()
        for view in views:
            items = [i for i in view.items if grant.covers(i.supplied_by_id, recipient.pk)]
            seen_suppliers |= {i.supplied_by_id for i in view.items}
            shown.extend((category, i) for i in items)
            visible.append(dataclasses.replace(view, items=items, withheld=[]))
        unseen = sorted(set(grant.from_organisations) - seen_suppliers)
        rows.append(
            PacketCategory(
                category=category,
                label=str(category.label),
                shared=True,
                withheld=[d.message for d in withheld],
                consent_missing=any(d.reason in CONSENT_MISSING for d in withheld),
                sections=visible,
                unseen_items_from=[partners.get(org, "another partner") for org in unseen],
            )
        )
    return rows, shown


def fields_already_known(*, actor: StaffMember, client_id: object, categories: Collection[DataCategory | str]) -> int:
    """ "Tell us once": how many filled-in fields of these categories, supplied by other partners,
    the actor's organisation can now read without asking the client again. Nothing is shown, so
    nothing is recorded in the ledger; the count alone is kept."""
    specs = sections_of(categories)
    if not specs:
        return 0
    record = selectors.client_record(
        actor=actor,
        client_id=client_id,
        purpose=Purpose.SUPPORT_COORDINATION,
        sections=[spec.key for spec in specs],
        with_name=False,
        record=False,
    )
    count = 0
    for view in record.sections:
        for item in view.items:
            if item.supplied_by_id == actor.organisation_id:
                continue
            count += sum(1 for value in item.values.values() if value not in (None, "", [], {}))
    return count


@dataclass(frozen=True)
class Progress:
    """What a referrer may see of the client's progress with the organisation referred to."""

    stage: str = ""
    stage_label: str = ""
    changed_on: dt.date | None = None
    reason: str = ""  # why the stage is not shown


def progress_with(*, actor: StaffMember, client_id: object, organisation_id: int) -> Progress:
    """The client's latest pipeline stage as recorded by `organisation_id`, if the decision lets the
    actor see it (recorded in the ledger when shown)."""
    with transaction.atomic():
        record = selectors.client_record(
            actor=actor,
            client_id=client_id,
            purpose=Purpose.SUPPORT_COORDINATION,
            sections=["stages"],
            with_name=False,
            record=False,
        )
        view = record.section("stages")
        if not view.permitted:
            return Progress(reason=view.reason)
        theirs = [i for i in view.items if i.supplied_by_id == organisation_id]
        if not theirs:
            return Progress(reason=" ".join(view.withheld) or "No stage recorded by them yet.")
        latest = max(theirs, key=lambda i: (i.values.get("changed_on") or dt.date.min, i.id))
        selectors.record_shown(actor=actor, record=record, items=[(view.category, latest)])
    return Progress(
        stage=str(latest.values.get("stage", "")),
        stage_label=latest.display.get("stage", str(latest.values.get("stage", ""))),
        changed_on=latest.values.get("changed_on"),
    )
