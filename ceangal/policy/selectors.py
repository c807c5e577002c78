"""Every read of client data for display or disclosure goes through here.

Each selector takes the acting staff member and a purpose, asks the decision point, and returns
plain shapes holding only what was permitted. A client the actor may not see raises NotFound,
exactly as one that does not exist.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ceangal.clients import models as m
from ceangal.clients.sections import SECTIONS, Kind, SectionSpec, section
from ceangal.clients.validation import looks_like_ni_number, normalise_ni_number
from ceangal.crypto import blind_index
from ceangal.db import Prepared
from ceangal.errors import NotFound, NotPermitted
from ceangal.ledger.models import Channel
from ceangal.ledger.services import Disclosure, DisclosureBasis, record_disclosure, record_disclosures
from ceangal.partners.models import StaffMember
from ceangal.policy.decision import Basis, BasisKind, ClientFacts, Decision, Reason, decide
from ceangal.policy.facts import (
    actor_facts,
    agreement_facts,
    break_glass_facts,
    client_facts,
    consent_facts,
    consent_facts_many,
    live_engagements,
    organisation_names,
)
from ceangal.policy.purposes import Purpose
from ceangal.reference import lookups
from ceangal.reference.ages import age_band
from ceangal.reference.categories import DataCategory


@dataclass(frozen=True)
class ItemView:
    id: int
    version: int
    values: dict[str, Any]
    display: dict[str, str]
    supplied_by: str
    supplied_by_id: int
    recorded_at: dt.datetime
    recorded_by: str
    editable: bool
    updated_at: dt.datetime | None = None


@dataclass(frozen=True)
class SectionView:
    key: str
    label: str
    category: DataCategory
    multiple: bool
    addable: bool
    description: str
    permitted: bool
    reason: str = ""
    items: list[ItemView] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class EngagementView:
    id: int
    organisation: str
    organisation_id: int
    status: str
    status_label: str
    key_worker: str
    key_worker_id: int | None
    started_on: dt.date
    closed_on: dt.date | None
    version: int


@dataclass(frozen=True)
class ClientRecord:
    client_id: uuid.UUID
    reference: str
    display_name: str
    age_band: str
    purpose: str
    sections: list[SectionView]
    engagements: list[EngagementView]
    # For record_shown: the decision that allowed what the record holds, and who supplied the name.
    decision: Decision | None = field(default=None, repr=False, compare=False)
    name_supplied_by: int | None = None
    # Whether the actor's organisation works with the client (else it reads on break-glass alone).
    actor_engaged: bool = False

    def section(self, key: str) -> SectionView:
        return next(s for s in self.sections if s.key == key)


@dataclass(frozen=True)
class CaseloadRow:
    client_id: uuid.UUID
    reference: str
    name: str
    date_of_birth: dt.date | None
    postcode: str
    stage: str
    engagement_status: str
    key_worker: str
    started_on: dt.date


def _now() -> dt.datetime:
    return timezone.now()


def _visible_client_ids(actor: StaffMember) -> Q:
    return Q(
        engagements__organisation_id=actor.organisation_id,
        engagements__status__in=m.LIVE_ENGAGEMENT_STATUSES,
    )


_CLIENT_COLUMNS = tuple(f.attname for f in m.Client._meta.concrete_fields)
_CLIENT = Prepared(
    lambda client_id: m.Client.objects.filter(pk=client_id).values(*_CLIENT_COLUMNS), client_id=m.Client._meta.pk
)


def _get_client(client_id: object) -> m.Client:
    try:
        key = client_id if isinstance(client_id, uuid.UUID) else uuid.UUID(str(client_id))
    except (ValueError, TypeError, AttributeError):
        raise NotFound("No such client.") from None
    row = _CLIENT.first(client_id=key)
    if row is None:
        raise NotFound("No such client.")
    return m.Client.from_db("default", list(_CLIENT_COLUMNS), [row[name] for name in _CLIENT_COLUMNS])


def _client_and_facts(
    actor: StaffMember, client_id: object, purpose: Purpose | str
) -> tuple[m.Client, ClientFacts, Decision]:
    """The client, the facts about it and the decision over every category, or NotFound."""
    client = _get_client(client_id)
    partnership_id = actor.organisation.partnership_id
    facts = client_facts(client, with_consents=False, partnership_id=partnership_id)
    now = _now()
    glass = break_glass_facts(actor.pk, client.pk, now)
    referred = str(purpose) == Purpose.REFERRAL and actor.organisation_id in facts.referred
    if actor.organisation_id not in facts.live_engagement_organisation_ids and not glass and not referred:
        raise NotFound("No such client.")
    # Agreements and consent matter only for items another partner supplied: skip their queries
    # when there are none. They are still read fresh for every decision that needs them.
    others = any(suppliers - {actor.organisation_id} for suppliers in facts.suppliers.values())
    agreements = agreement_facts(partnership_id, now.date()) if others else ()
    if others:
        facts = dataclasses.replace(facts, consents=consent_facts(client.pk))
    decision = decide(
        actor_facts(actor), facts, list(DataCategory), str(purpose), now, agreements=agreements, break_glass=glass
    )
    if not decision.any_permitted:
        # The actor's organisation works with this client, so saying why reveals nothing new.
        reasons = {d.reason for d in decision.denied.values()}
        if Reason.TRAINING_EXPIRED in reasons:
            raise NotPermitted("Your data-protection training has expired: renew it to open client records.")
        if Reason.ACTOR_INACTIVE in reasons:
            raise NotPermitted("Your account is not active.")
        if Reason.RESTRICTED in reasons:
            raise NotPermitted(
                "The client has asked for the use of their information to be restricted: it is only stored "
                "until the data protection officer lifts the restriction."
            )
        if Reason.OBJECTED in reasons:
            raise NotPermitted("The client has objected to their information being used for this purpose.")
        raise NotPermitted("Your role does not give access to client records.")
    return client, facts, decision


def client_for_action(*, actor: StaffMember, client_id: object, purpose: Purpose | str) -> m.Client:
    """The client, for a service to act on, if the decision point lets the actor see any of it."""
    return _client_and_facts(actor, client_id, purpose)[0]


def _display(spec: SectionSpec, values: dict[str, Any], labels: dict[str, dict[str, str]]) -> dict[str, str]:
    shown: dict[str, str] = {}
    for f in spec.fields:
        value = values.get(f.name)
        if value in (None, "", []):
            shown[f.name] = ""
        elif f.kind == Kind.CODE:
            shown[f.name] = labels[f.code_list].get(value, value)
        elif f.kind == Kind.CODES:
            shown[f.name] = ", ".join(labels[f.code_list].get(v, v) for v in value)
        elif f.kind == Kind.CHOICE:
            shown[f.name] = dict(f.choices).get(value, value)
        elif f.kind == Kind.BOOLEAN:
            shown[f.name] = "Yes" if value else "No"
        elif f.kind == Kind.DATE:
            shown[f.name] = value.strftime("%-d %B %Y")
        else:
            shown[f.name] = str(value)
    return shown


def _code_labels(specs: list[SectionSpec]) -> dict[str, dict[str, str]]:
    return lookups.cached_labels_for({f.code_list for spec in specs for f in spec.fields if f.code_list})


# Shown beside a section's own fields for these sections.
_EXTRA_FIELDS = {"follow_ups": ("week", "due_on"), "documents": ("original_name", "size_bytes", "content_type")}
_PROVENANCE = ("id", "version", "supplied_by_id", "recorded_by_id", "recorded_at", "updated_at")
Row = dict[str, Any]


def _item_view(spec: SectionSpec, row: Row, actor: StaffMember, labels: dict[str, dict[str, str]]) -> ItemView:
    values = {name: row[name] for name in (*spec.field_names, *_EXTRA_FIELDS.get(spec.key, ()))}
    first, last = row["recorded_by__user__first_name"], row["recorded_by__user__last_name"]
    return ItemView(
        id=row["id"],
        version=row["version"],
        values=values,
        display=_display(spec, values, labels),
        supplied_by=row["supplied_by__name"],
        supplied_by_id=row["supplied_by_id"],
        recorded_at=row["recorded_at"],
        recorded_by=f"{first or ''} {last or ''}".strip() if row["recorded_by_id"] else "",
        editable=row["supplied_by_id"] == actor.organisation_id,
        updated_at=row["updated_at"],
    )


def _section_query(spec: SectionSpec) -> Prepared:
    """One section's rows for a client, with provenance names joined in, newest first."""
    fields = (
        *_PROVENANCE,
        "supplied_by__name",
        "recorded_by__user__first_name",
        "recorded_by__user__last_name",
        *spec.field_names,
        *_EXTRA_FIELDS.get(spec.key, ()),
    )
    return Prepared(
        lambda client_id: spec.rows(client_id).order_by(spec.order_by, "-pk").values(*fields),
        client_id=m.Client._meta.pk,
    )


_SECTION_QUERIES: dict[str, Prepared] = {spec.key: _section_query(spec) for spec in SECTIONS}


def _permitted_items(
    spec: SectionSpec, client: m.Client, decision: Decision, actor: StaffMember, facts: ClientFacts
) -> list[Row]:
    """The rows of one section the decision lets the actor see, as plain values (no model
    instances: a record read builds dozens of them otherwise)."""
    grant = decision.grant(spec.category)
    # The facts already say which categories hold items: an empty section costs no query.
    if grant is None or spec.category not in facts.suppliers:
        return []
    rows = _SECTION_QUERIES[spec.key].rows(client_id=client.pk)
    if grant.break_glass is None:
        suppliers = set(grant.from_organisations) | ({actor.organisation_id} if grant.own_items else set())
        rows = [row for row in rows if row["supplied_by_id"] in suppliers]
    return rows


def client_record(
    *,
    actor: StaffMember,
    client_id: object,
    purpose: Purpose | str,
    sections: list[str] | None = None,
    channel: Channel | str = Channel.PAGE,
    with_name: bool = True,
    record: bool = True,
) -> ClientRecord:
    """What the actor may see of a client, for a purpose. Whatever is shown is written to the
    access ledger in the same transaction as the decision that allowed it.

    with_name=False: the caller shows no name, so the identity section is not read for a heading
    (display_name is the reference) unless it is among `sections`. record=False: nothing is
    written, because the caller shows only part of what was read; it must then call record_shown
    with exactly what it shows, in the same transaction (a page or operation runs in one).
    """
    with transaction.atomic():
        return _client_record(actor, client_id, purpose, sections, channel, with_name=with_name, record=record)


def _client_record(
    actor: StaffMember,
    client_id: object,
    purpose: Purpose | str,
    sections: list[str] | None,
    channel: Channel | str,
    *,
    with_name: bool,
    record: bool,
) -> ClientRecord:
    client, facts, decision = _client_and_facts(actor, client_id, purpose)
    specs = [section(key) for key in sections] if sections else list(SECTIONS)
    labels = _code_labels(specs)
    loaded = {spec.key: _permitted_items(spec, client, decision, actor, facts) for spec in specs}
    views: list[SectionView] = []
    for spec in specs:
        denial = decision.denied.get(spec.category)
        views.append(
            SectionView(
                key=spec.key,
                label=spec.label,
                category=spec.category,
                multiple=spec.multiple,
                addable=spec.addable,
                description=spec.description,
                permitted=denial is None,
                reason=denial.message if denial is not None else "",
                items=[_item_view(spec, i, actor, labels) for i in loaded[spec.key]],
                withheld=[d.message for d in decision.withheld_suppliers.get(spec.category, ())],
            )
        )
    loaded_identity = loaded.get("identity")
    if loaded_identity is None and with_name:
        loaded_identity = _permitted_items(section("identity"), client, decision, actor, facts)
    ident = loaded_identity[0] if loaded_identity else None
    if ident is not None:
        display_name = f"{ident['preferred_name'] or ident['given_name']} {ident['family_name']}"
        band = age_band(ident["date_of_birth"], timezone.localdate())
    else:
        display_name, band = client.reference, ""
    # The engagements are journey data: read (and shown) with the whole record or a journey section.
    wants_journey = sections is None or any(spec.category == DataCategory.JOURNEY for spec in specs)
    engagements = (
        [_engagement_view(row) for row in _ENGAGEMENTS.rows(client_id=client.pk, organisation_id=actor.organisation_id)]
        if wants_journey and decision.grant(DataCategory.JOURNEY) is not None
        else []
    )
    if record:
        shown: dict[DataCategory, set[int]] = {}
        for view in views:
            for item in view.items:
                shown.setdefault(view.category, set()).add(item.supplied_by_id)
        if ident is not None:
            shown.setdefault(DataCategory.IDENTITY, set()).add(ident["supplied_by_id"])
        if engagements:
            shown.setdefault(DataCategory.JOURNEY, set()).add(actor.organisation_id)
        _record_disclosure(actor, client.pk, decision, shown, str(purpose), channel)
    return ClientRecord(
        client_id=client.pk,
        reference=client.reference,
        display_name=display_name,
        age_band=band,
        purpose=str(purpose),
        sections=views,
        engagements=engagements,
        decision=decision,
        name_supplied_by=ident["supplied_by_id"] if ident is not None else None,
        actor_engaged=actor.organisation_id in facts.live_engagement_organisation_ids,
    )


def record_shown(
    *,
    actor: StaffMember,
    record: ClientRecord,
    items: Sequence[tuple[DataCategory, ItemView]] = (),
    name: bool = False,
    channel: Channel | str = Channel.PAGE,
) -> None:
    """Record in the ledger what a caller of client_record(record=False) shows: these items, and
    the client's name if it shows that. Nothing shown, nothing recorded."""
    assert record.decision is not None, "record_shown takes a record read with client_record"
    shown: dict[DataCategory, set[int]] = {}
    for category, item in items:
        shown.setdefault(category, set()).add(item.supplied_by_id)
    if name and record.name_supplied_by is not None:
        shown.setdefault(DataCategory.IDENTITY, set()).add(record.name_supplied_by)
    with transaction.atomic():
        _record_disclosure(actor, record.client_id, record.decision, shown, record.purpose, channel)


_ENGAGEMENTS = Prepared(
    lambda client_id, organisation_id: (
        m.Engagement.objects.filter(client_id=client_id, organisation_id=organisation_id)
        .order_by("pk")
        .values(
            "id",
            "organisation_id",
            "organisation__name",
            "status",
            "key_worker_id",
            "key_worker__user__first_name",
            "key_worker__user__last_name",
            "key_worker__user__email",
            "started_on",
            "closed_on",
            "version",
        )
    ),
    client_id=m.Client._meta.pk,
    organisation_id=m.Engagement._meta.get_field("organisation"),
)
_ENGAGEMENT_STATUS_LABELS = dict(m.EngagementStatus.choices)


def _engagement_view(row: Row) -> EngagementView:
    """Only the actor's own organisation's engagements: another partner's are its journey data."""
    if row["key_worker_id"]:
        full = f"{row['key_worker__user__first_name']} {row['key_worker__user__last_name']}".strip()
        key_worker = full or row["key_worker__user__email"]
    else:
        key_worker = ""
    return EngagementView(
        id=row["id"],
        organisation=row["organisation__name"],
        organisation_id=row["organisation_id"],
        status=row["status"],
        status_label=str(_ENGAGEMENT_STATUS_LABELS.get(row["status"], row["status"])),
        key_worker=key_worker,
        key_worker_id=row["key_worker_id"],
        started_on=row["started_on"],
        closed_on=row["closed_on"],
        version=row["version"],
    )


def _record_disclosure(
    actor: StaffMember,
    client_id: uuid.UUID,
    decision: Decision,
    shown: dict[DataCategory, set[int]],
    purpose: str,
    channel: Channel | str,
) -> None:
    """One ledger entry for what was shown, with the basis for each supplier's items."""
    if not shown:
        return
    bases = []
    for category, suppliers in shown.items():
        grant = decision.grant(category)
        assert grant is not None, "only permitted categories are ever shown"
        for supplier in sorted(suppliers):
            bases.append(_basis(category, supplier, grant.basis_for(supplier, actor.organisation_id)))
    record_disclosure(
        actor_staff_id=actor.pk,
        actor_user_id=actor.user_id,
        organisation_id=actor.organisation_id,
        client_id=client_id,
        categories=sorted(str(c) for c in shown),
        purpose=purpose,
        channel=channel,
        bases=bases,
        at=decision.at,
    )


def find_item(view: SectionView, item_id: int | None) -> ItemView | None:
    """An item of a section read with client_record; for a one-per-client section (item_id None)
    its item, or None if nobody has filled it in. An item another partner supplied that the actor
    may not see is refused with the reason (NotPermitted), never hidden behind an empty answer or
    a 404 that says nothing; one that does not exist is NotFound."""
    if item_id is None:
        found = view.items[0] if view.items else None
    else:
        found = next((item for item in view.items if item.id == item_id), None)
    if found is None and view.withheld:
        raise NotPermitted(" ".join(view.withheld))
    if found is None and item_id is not None:
        raise NotFound("No such item.")
    return found


def section_item(
    *,
    actor: StaffMember,
    client_id: object,
    section_key: str,
    item_id: int | None,
    purpose: Purpose | str,
    channel: Channel | str = Channel.PAGE,
    with_name: bool = False,
) -> ItemView | None:
    """One item (or the one-per-client section's), None if that section is empty, recorded in the
    ledger as shown (with the client's name if the caller shows it too).

    A hidden section, or an item the actor may not see, is refused with the reason (NotPermitted),
    as the record page gives it: the actor's organisation works with the client, so the reason
    reveals nothing new. An item that does not exist is NotFound."""
    record = client_record(
        actor=actor, client_id=client_id, purpose=purpose, sections=[section_key], channel=channel, record=False
    )
    view = record.sections[0]
    if not view.permitted:
        raise NotPermitted(view.reason)
    found = find_item(view, item_id)
    record_shown(
        actor=actor,
        record=record,
        items=[(view.category, found)] if found is not None else [],
        name=with_name,
        channel=channel,
    )
    return found


@dataclass(frozen=True)
class HistoryEntry:
    version: int
    changed_at: dt.datetime
    changed_by: str
    change: str
    values: dict[str, str]


def section_history(
    *,
    actor: StaffMember,
    client_id: object,
    section_key: str,
    item_id: int | None,
    purpose: Purpose | str,
    channel: Channel | str = Channel.PAGE,
) -> list[HistoryEntry]:
    """Past versions of an item the actor may see now, newest first, with who made each change."""
    item = section_item(
        actor=actor, client_id=client_id, section_key=section_key, item_id=item_id, purpose=purpose, channel=channel
    )
    if item is None:
        return []
    spec = section(section_key)
    labels = _code_labels([spec])
    history = spec.history(item.id).select_related("history_user").order_by("-history_date")
    kinds = {"+": "Created", "~": "Changed", "-": "Removed"}
    entries = []
    for row in history:
        values = {name: getattr(row, name) for name in spec.field_names}
        entries.append(
            HistoryEntry(
                version=row.version,
                changed_at=row.history_date,
                changed_by=str(row.history_user) if row.history_user else "",
                change=kinds.get(row.history_type, row.history_type),
                values=_display(spec, values, labels),
            )
        )
    return entries


def document_for_download(
    *, actor: StaffMember, client_id: object, document_id: int, purpose: Purpose | str
) -> m.Document:
    item = section_item(actor=actor, client_id=client_id, section_key="documents", item_id=document_id, purpose=purpose)
    assert item is not None
    return m.Document.objects.get(pk=item.id)


def engagement_statuses() -> list[tuple[str, str]]:
    labels = dict(m.EngagementStatus.choices)
    return [(str(value), str(labels[value])) for value in m.SETTABLE_ENGAGEMENT_STATUSES]


def engagement_for_action(*, actor: StaffMember, engagement_id: int) -> m.Engagement:
    engagement = m.Engagement.objects.filter(pk=engagement_id, organisation_id=actor.organisation_id).first()
    if engagement is None:
        raise NotFound("No such engagement.")
    return engagement


def caseload(
    *,
    actor: StaffMember,
    purpose: Purpose | str,
    mine_only: bool = False,
    query: str = "",
    include_closed: bool = False,
    limit: int = 200,
    channel: Channel | str = Channel.PAGE,
) -> list[CaseloadRow]:
    """Clients the actor's organisation works with, optionally only the actor's own, filtered by a
    search on name, reference, postcode, date of birth (YYYY-MM-DD) or National Insurance number."""
    facts = actor_facts(actor)
    # A referred client is not on the caseload until the referral is accepted: the referrals
    # waiting page lists them.
    statuses = list(m.SETTABLE_ENGAGEMENT_STATUSES) if include_closed else list(m.LIVE_ENGAGEMENT_STATUSES)
    engagements = m.Engagement.objects.filter(organisation_id=actor.organisation_id, status__in=statuses)
    if mine_only:
        engagements = engagements.filter(key_worker=actor)
    query = query.strip()
    if query:
        engagements = engagements.filter(_search_filter(query))
    rows = list(
        engagements.select_related("client__identity", "key_worker__user").order_by("-started_on", "-pk")[:limit]
    )
    client_ids = [e.client_id for e in rows]
    engaged = live_engagements(client_ids)
    now = _now()
    stages = _latest_stages(client_ids, actor.organisation_id)
    stage_labels = lookups.cached_labels_for(["pipeline_stage"])["pipeline_stage"]
    # A name another partner supplied is shown where the decision permits it (an agreement and
    # the client's consent or another basis), exactly as on the record page.
    identities = {e.client_id: _identity_of(e) for e in rows}
    own = actor.organisation_id
    shared = [c for c, ident in identities.items() if ident is not None and ident.supplied_by_id != own]
    partnership_id = actor.organisation.partnership_id
    agreements = agreement_facts(partnership_id, now.date()) if shared else ()
    consents = consent_facts_many(shared) if shared else {}
    names = organisation_names(partnership_id) if shared else {}
    result: list[CaseloadRow] = []
    disclosures: list[Disclosure] = []
    for e in rows:
        ident = identities[e.client_id]
        client_fact_set = ClientFacts(
            e.client_id,
            engaged.get(e.client_id, frozenset()),
            suppliers={DataCategory.IDENTITY: frozenset({ident.supplied_by_id})} if ident else {},
            organisation_names=names,
            consents=consents.get(e.client_id, ()),
            restricted=e.client.processing_restricted,
            objections=frozenset(e.client.objected_purposes),
        )
        decision = decide(
            facts,
            client_fact_set,
            [DataCategory.IDENTITY, DataCategory.JOURNEY],
            str(purpose),
            now,
            agreements=agreements,
        )
        identity_grant = decision.grant(DataCategory.IDENTITY)
        identity_ok = (
            ident is not None
            and identity_grant is not None
            and identity_grant.covers(ident.supplied_by_id, actor.organisation_id)
        )
        if query and not identity_ok and e.client.reference.lower() != query.lower():
            # Found by a name, postcode or date of birth the actor may not see: finding it would
            # confirm what is withheld, so it is not found.
            continue
        journey_ok = decision.grant(DataCategory.JOURNEY) is not None
        bases: list[DisclosureBasis] = []
        if identity_ok and ident is not None and identity_grant is not None:
            basis = identity_grant.basis_for(ident.supplied_by_id, actor.organisation_id)
            bases.append(_basis(DataCategory.IDENTITY, ident.supplied_by_id, basis))
        if journey_ok and e.client_id in stages:
            bases.append(_basis(DataCategory.JOURNEY, actor.organisation_id, Basis(BasisKind.OWN)))
        if bases:
            disclosures.append(
                Disclosure(
                    actor_staff_id=actor.pk,
                    actor_user_id=actor.user_id,
                    organisation_id=actor.organisation_id,
                    client_id=e.client_id,
                    categories=[b.category for b in bases],
                    purpose=str(purpose),
                    channel=channel,
                    bases=bases,
                    at=now,
                )
            )
        shown = ident if identity_ok else None
        result.append(
            CaseloadRow(
                client_id=e.client_id,
                reference=e.client.reference,
                name=f"{shown.preferred_name or shown.given_name} {shown.family_name}" if shown else "",
                date_of_birth=shown.date_of_birth if shown else None,
                postcode=shown.postcode if shown else "",
                stage=stage_labels.get(stages.get(e.client_id, ""), "") if journey_ok else "",
                engagement_status=e.get_status_display(),
                key_worker=str(e.key_worker.user) if e.key_worker else "",
                started_on=e.started_on,
            )
        )
    # A list of names is a disclosure too: one ledger entry per client shown, written together.
    with transaction.atomic():
        record_disclosures(disclosures)
    return result


def _identity_of(engagement: m.Engagement) -> m.IdentitySection | None:
    return getattr(engagement.client, "identity", None)


def _basis(category: DataCategory, supplier: int, basis: Basis) -> DisclosureBasis:
    return DisclosureBasis(
        category=str(category),
        supplier_organisation_id=supplier,
        kind=str(basis.kind),
        agreement_version_id=basis.agreement_version_id,
        consent_record_id=basis.consent_record_id,
        break_glass_grant_id=basis.break_glass_grant_id,
        lawful_basis=basis.lawful_basis,
    )


def _search_filter(query: str) -> Q:
    compact = normalise_ni_number(query)
    if looks_like_ni_number(compact):
        # An exact identifier: the keyed blind index alone answers it, without scanning names.
        return Q(client__identity__ni_number_index=blind_index(compact))
    q = Q(client__reference__iexact=query) | Q(client__identity__postcode__iexact=query.upper())
    for term in query.split():
        q |= Q(client__identity__given_name__icontains=term) | Q(client__identity__family_name__icontains=term)
        q |= Q(client__identity__preferred_name__icontains=term)
    with contextlib.suppress(ValueError):
        q |= Q(client__identity__date_of_birth=dt.date.fromisoformat(query))
    if len(query.split()) > 1:
        first, *_, last = query.split()
        q |= Q(client__identity__given_name__icontains=first, client__identity__family_name__icontains=last)
    return q


def _latest_stages(client_ids: list[uuid.UUID], organisation_id: int) -> dict[uuid.UUID, str]:
    latest: dict[uuid.UUID, str] = {}
    rows = (
        m.StageChange.objects.filter(client_id__in=client_ids, supplied_by_id=organisation_id)
        .order_by("client_id", "changed_on", "pk")
        .values_list("client_id", "stage")
    )
    for client_id, stage in rows:
        latest[client_id] = stage
    return latest
