"""Reads of consent records and break-glass grants. Consent is about a client, so it is shown only
to staff who may see the client (and to the DPO), through the same door as the record."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from ceangal.agreements.models import AgreementPurpose, AgreementStatus, AgreementVersion
from ceangal.audit.services import audit_record
from ceangal.consent.models import ConsentEvent, ConsentMethod, ConsentRecord, ConsentScope, EventKind
from ceangal.consent.receipts import ConsentDocument, ConsentEventView, Party, ScopeRow
from ceangal.consent.services import record_state
from ceangal.errors import NotFound, NotPermitted
from ceangal.ledger.models import Channel
from ceangal.ledger.services import DisclosureBasis, record_disclosure
from ceangal.partners.models import OrganisationType, StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.decision import ConsentFacts
from ceangal.policy.facts import client_engagements, consent_facts
from ceangal.policy.models import BreakGlassGrant
from ceangal.policy.purposes import DPV_TERM, Purpose
from ceangal.policy.selectors import ClientRecord, client_for_action, client_record
from ceangal.reference.categories import DataCategory, sensitivity_of


@dataclass(frozen=True)
class ScopeView:
    id: int
    recipient: str
    purpose: str
    purpose_label: str
    category: str
    category_label: str
    in_force: bool


@dataclass(frozen=True)
class ConsentView:
    id: str
    notice: str
    method: str
    recorded_by: str
    organisation: str
    valid_from: dt.date
    valid_until: dt.date | None
    until_support_ends: bool
    state: str
    in_force: bool
    scopes: list[ScopeView]
    events: list[tuple[dt.datetime, str, str]]
    # A signed paper form recorded without its scan: it does not count until the scan is attached.
    awaiting_evidence: bool = False
    evidence_sha256: str = ""
    organisation_id: int = 0


def _records(client_id: object, record_id: object | None = None) -> list[ConsentRecord]:
    records = ConsentRecord.objects.filter(client_id=str(client_id))
    if record_id is not None:
        records = records.filter(pk=str(record_id))
    return list(
        records.select_related("notice", "organisation", "recorded_by__user", "client").prefetch_related(
            Prefetch("scopes", queryset=ConsentScope.objects.select_related("recipient_organisation")),
            Prefetch("events", queryset=ConsentEvent.objects.prefetch_related("scopes").order_by("at", "pk")),
        )
    )


def _recipient(scope: ConsentScope) -> str:
    if scope.recipient_organisation is not None:
        return scope.recipient_organisation.name
    return f"Any {OrganisationType(scope.recipient_type).label.lower()} partner"


def client_consents(*, actor: StaffMember, client_id: object, purpose: Purpose | str) -> list[ConsentView]:
    client = client_for_action(actor=actor, client_id=client_id, purpose=purpose)
    return _consent_views(client.pk)


def record_with_consents(
    *, actor: StaffMember, client_id: object, purpose: Purpose | str
) -> tuple[ClientRecord, list[ConsentView]]:
    """The record page's reads: the governed record (which checks access and writes the ledger
    entry) and the client's consents, without deciding access a second time."""
    record = client_record(actor=actor, client_id=client_id, purpose=purpose)
    return record, _consent_views(record.client_id)


def _consent_views(client_id: uuid.UUID) -> list[ConsentView]:
    """The consent records of a client the caller has already been allowed to see."""
    now = timezone.now()
    facts: dict[str, ConsentFacts] = {f.record_id: f for f in consent_facts(client_id)}
    engaged = client_engagements(client_id)
    return [_view(record, facts[str(record.pk)], engaged, now) for record in _records(client_id)]


def _view(record: ConsentRecord, facts: ConsentFacts, engaged: frozenset[int], now: dt.datetime) -> ConsentView:
    live = {s.scope_id for s in facts.live_scopes(now, engaged)}
    events = list(record.events.all())
    whole = [e for e in events if not e.scopes.all()]
    return ConsentView(
        id=str(record.pk),
        notice=str(record.notice),
        method=record.get_method_display(),
        recorded_by=str(record.recorded_by.user) if record.recorded_by else "The client",
        organisation=record.organisation.name,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        until_support_ends=record.until_support_ends,
        state=whole[-1].get_kind_display() if whole else "",
        in_force=bool(live),
        scopes=[
            ScopeView(
                id=s.pk,
                recipient=_recipient(s),
                purpose=s.purpose,
                purpose_label=str(Purpose(s.purpose).label),
                category=s.category,
                category_label=str(DataCategory(s.category).label),
                in_force=s.pk in live,
            )
            for s in record.scopes.all()
        ],
        events=[
            (
                e.at,
                e.get_kind_display() + (" (some rows)" if e.scopes.all() else ""),
                "The client" if e.by_client else (str(e.recorded_by.user) if e.recorded_by else "Ceangal"),
            )
            for e in events
        ],
        awaiting_evidence=bool(whole) and whole[-1].kind == EventKind.PENDING,
        evidence_sha256=record.evidence_sha256,
        organisation_id=record.organisation_id,
    )


def consent_record_for_action(*, actor: StaffMember, record_id: object, purpose: Purpose | str) -> ConsentRecord:
    """A consent record, for a service to act on (withdraw, renew), if the actor may see its client."""
    record = ConsentRecord.objects.select_related("client").filter(pk=str(record_id)).first() if record_id else None
    if record is None:
        raise NotFound("No such consent record.")
    try:
        client_for_action(actor=actor, client_id=record.client_id, purpose=purpose)
    except NotFound:
        # The same answer as for a record that does not exist: a different one would tell a
        # stranger that this record id is real.
        raise NotFound("No such consent record.") from None
    return record


def consent_document(*, actor: StaffMember, record_id: object, purpose: Purpose | str) -> ConsentDocument:
    """The record in the shape the receipt and the ISO 27560, Kantara and FHIR exports read."""
    record = consent_record_for_action(actor=actor, record_id=record_id, purpose=purpose)
    return _document(record)


def _document(record: ConsentRecord) -> ConsentDocument:
    [record] = _records(record.client_id, record.pk)
    notice = record.notice
    scopes = list(record.scopes.all())
    index = {s.pk: i for i, s in enumerate(scopes)}
    bases: dict[tuple[str, int | None], tuple[str, str]] = {
        (p.purpose, org): (p.lawful_basis, p.article9_condition)
        for p in AgreementPurpose.objects.filter(
            version__status=AgreementStatus.ACTIVE, version__agreement__partnership_id=notice.partnership_id
        ).prefetch_related("version__parties")
        for org in [party.organisation_id for party in p.version.parties.all()]
    }
    rows = []
    for s in scopes:
        basis, condition = bases.get((s.purpose, s.recipient_organisation_id), ("consent", ""))
        rows.append(
            ScopeRow(
                recipient_name=_recipient(s),
                recipient_identifier=f"org:{s.recipient_organisation_id}"
                if s.recipient_organisation_id
                else f"type:{s.recipient_type}",
                recipient_type=s.recipient_organisation.org_type if s.recipient_organisation else s.recipient_type,
                purpose=s.purpose,
                purpose_label=str(Purpose(s.purpose).label),
                purpose_dpv=DPV_TERM[Purpose(s.purpose)],
                category=s.category,
                category_label=str(DataCategory(s.category).label),
                sensitivity=str(sensitivity_of(s.category)),
                lawful_basis=basis,
                condition=condition or ("A9-2-a" if sensitivity_of(s.category) == "special_category" else ""),
            )
        )
    return ConsentDocument(
        record_id=str(record.pk),
        client_ref=record.client.reference,
        notice_id=str(notice.pk),
        notice_version=notice.version,
        notice_url=f"/notices/{notice.pk}/",
        notice_title=notice.title,
        controllers=tuple(
            Party(
                name=o.name,
                identifier=f"org:{o.pk}",
                role="joint_controller",
                organisation_type=o.org_type,
                address=o.address,
                email=o.contact_email,
                phone=o.contact_phone,
            )
            for o in notice.controllers.all()
        ),
        scopes=tuple(rows),
        method=record.method,
        method_label=record.get_method_display(),
        expressed_by=record.expressed_by,
        recorded_by=str(record.recorded_by.user) if record.recorded_by else "client",
        recorded_at=record.created_at,
        valid_from=record.valid_from,
        valid_until=record.valid_until,
        until_support_ends=record.until_support_ends,
        evidence_sha256=record.evidence_sha256,
        evidence_media_type=record.evidence_content_type,
        events=tuple(
            ConsentEventView(
                kind=e.kind,
                at=e.at,
                by="client" if e.by_client else (f"staff:{e.recorded_by_id}" if e.recorded_by_id else "ceangal"),
                note=e.note,
                scope_indexes=tuple(sorted(index[s.pk] for s in e.scopes.all())),
            )
            for e in record.events.all()
        ),
        language=record.language,
        retention=notice.retention,
        withdrawal_method="Ask your key worker, or use your own Ceangal pages; it takes effect at once.",
        rights_url=f"/notices/{notice.pk}/#rights",
    )


@dataclass(frozen=True)
class BreakGlassView:
    id: int
    staff: str
    organisation: str
    client_reference: str
    categories: list[str]
    ground: str
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    reviewed: bool
    outcome: str


def break_glass_queue(*, actor: StaffMember, include_reviewed: bool = False) -> list[BreakGlassView]:
    """The DPO's review queue: every grant in the partnership, unreviewed first."""
    if actor.role != Role.DPO or not actor.active:
        raise NotPermitted("Only a data protection officer reviews break-glass access.")
    grants = BreakGlassGrant.objects.filter(staff__organisation__partnership_id=actor.organisation.partnership_id)
    if not include_reviewed:
        grants = grants.filter(reviewed_at__isnull=True)
    return [
        BreakGlassView(
            id=g.pk,
            staff=str(g.staff.user),
            organisation=g.staff.organisation.name,
            client_reference=g.client.reference,
            categories=[str(DataCategory(c).label) for c in g.categories],
            ground=g.get_ground_display(),
            reason=g.reason,
            granted_at=g.granted_at,
            expires_at=g.expires_at,
            reviewed=g.reviewed_at is not None,
            outcome=g.get_review_outcome_display(),
        )
        for g in grants.select_related("staff__user", "staff__organisation", "client").order_by(
            "reviewed_at", "-granted_at"
        )
    ]


def break_glass_grant_for_review(*, actor: StaffMember, grant_id: int) -> BreakGlassGrant:
    if actor.role != Role.DPO:
        raise NotFound("No such grant.")
    grant = (
        BreakGlassGrant.objects.filter(
            pk=grant_id, staff__organisation__partnership_id=actor.organisation.partnership_id
        )
        .select_related("staff__organisation")
        .first()
    )
    if grant is None:
        raise NotFound("No such grant.")
    return grant


# --- The signed form, and the DPO's review of consent records naming their organisation -------

#: The ledger's purpose for a DPO reading a consent record (not a sharing purpose: no decision
#: about the client's case data is made, and none of it is shown).
CONSENT_REVIEW = "consent_review"
#: Art 6(1)(c): the controller must be able to demonstrate consent (Art 7(1)) and answer complaints.
CONSENT_REVIEW_BASIS = "A6-1-c"
EXPIRING_WITHIN = dt.timedelta(days=30)


@dataclass(frozen=True)
class EvidenceFile:
    file: FieldFile
    content_type: str
    sha256: str
    filename: str


def _is_dpo(actor: StaffMember) -> bool:
    return actor.role == Role.DPO and actor.active


def _naming(actor: StaffMember) -> QuerySet[ConsentRecord]:
    """Consent records that name the DPO's organisation: it recorded them, or a row names it as
    the recipient. A row naming only a kind of partner ("any college") names no organisation."""
    org = actor.organisation_id
    named = ConsentScope.objects.filter(recipient_organisation_id=org).values("record_id")
    return ConsentRecord.objects.filter(
        Q(organisation_id=org) | Q(pk__in=named),
        client__registered_by__partnership_id=actor.organisation.partnership_id,
    )


def _review_basis(actor: StaffMember, record: ConsentRecord) -> DisclosureBasis:
    """What the DPO's sight of the client's name and reference rests on, for the ledger."""
    supplier = record.client.identity.supplied_by_id
    if supplier == actor.organisation_id:
        return DisclosureBasis(category="identity", supplier_organisation_id=supplier, kind="own")
    versions = AgreementVersion.objects.filter(
        agreement__partnership_id=actor.organisation.partnership_id, parties__organisation_id=actor.organisation_id
    )
    # Prefer the agreement between the supplier and the DPO's organisation, then one with the
    # recording organisation; a live version before a draft or ended one.
    for other in (supplier, record.organisation_id):
        shared = versions.filter(pk__in=AgreementVersion.objects.filter(parties__organisation_id=other).values("pk"))
        found = (
            shared.filter(status=AgreementStatus.ACTIVE).order_by("-pk").values_list("pk", flat=True).first()
            or shared.order_by("-pk").values_list("pk", flat=True).first()
        )
        if found is not None:
            return DisclosureBasis(
                category="identity",
                supplier_organisation_id=supplier,
                kind="agreement_other_basis",
                agreement_version_id=found,
                lawful_basis=CONSENT_REVIEW_BASIS,
            )
    # A record can name only parties to an agreement, so this is a record we cannot account for:
    # fail closed.
    raise NotFound("No such consent record.")


def _dpo_record(actor: StaffMember, record_id: object, channel: Channel | str) -> ConsentRecord:
    """A consent record naming the DPO's organisation, read for review: audited, and the client's
    name and reference shown with it recorded in the access ledger as a disclosure."""
    try:
        wanted = uuid.UUID(str(record_id))
    except ValueError:
        raise NotFound("No such consent record.") from None
    record = _naming(actor).select_related("client__identity", "organisation").filter(pk=wanted).first()
    if record is None:
        raise NotFound("No such consent record.")
    basis = _review_basis(actor, record)
    with transaction.atomic():
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="consent.reviewed_by_dpo",
            object_type="consent.consentrecord",
            object_id=record.pk,
            client_id=record.client_id,
            detail={"channel": str(channel)},
        )
        record_disclosure(
            actor_staff_id=actor.pk,
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            client_id=record.client_id,
            categories=["identity"],
            purpose=CONSENT_REVIEW,
            channel=channel,
            bases=[basis],
        )
    return record


def readable_consent_record(
    *, actor: StaffMember, record_id: object, purpose: Purpose | str, channel: Channel | str = Channel.PAGE
) -> ConsentRecord:
    """A consent record the actor may read: through its client for staff who may see the client,
    or, for a DPO, because it names their organisation (then audited and in the ledger)."""
    if _is_dpo(actor):
        return _dpo_record(actor, record_id, channel)
    return consent_record_for_action(actor=actor, record_id=record_id, purpose=purpose)


def consent_evidence(
    *, actor: StaffMember, record_id: object, purpose: Purpose | str, channel: Channel | str = Channel.PAGE
) -> EvidenceFile:
    """The signed form of a consent record, for whoever may read the record. Each download is audited."""
    record = readable_consent_record(actor=actor, record_id=record_id, purpose=purpose, channel=channel)
    if not record.evidence_sha256 or not record.evidence:
        raise NotFound("This consent record has no signed form attached.")
    with transaction.atomic():
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="consent.evidence_downloaded",
            object_type="consent.consentrecord",
            object_id=record.pk,
            client_id=record.client_id,
            detail={"channel": str(channel), "sha256": record.evidence_sha256},
        )
    extension = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(
        record.evidence_content_type, ""
    )
    return EvidenceFile(
        file=record.evidence,
        content_type=record.evidence_content_type,
        sha256=record.evidence_sha256,
        filename=f"consent-{record.client.reference}-signed-form{extension}",
    )


def awaits_evidence(record: ConsentRecord) -> bool:
    """A signed paper form recorded without its scan, still waiting for it (and so not counting)."""
    if record.method != ConsentMethod.PAPER_FORM or record.evidence_sha256:
        return False
    return record_state(record) == EventKind.PENDING


@dataclass(frozen=True)
class ConsentSummary:
    """One row of the DPO's list: the record, never the client's name or case data."""

    id: str
    client_reference: str
    organisation: str
    method: str
    state: str
    state_label: str
    valid_until: dt.date | None
    until_support_ends: bool
    recorded_here: bool
    awaiting_evidence: bool


@dataclass(frozen=True)
class ReviewedConsent:
    """A consent record as the DPO reviews it: the record and the name and reference that identify it."""

    client_name: str
    client_reference: str
    consent: ConsentView
    document: ConsentDocument


STATES = tuple(kind.value for kind in EventKind)
DPO_LIST_LIMIT = 500


def _require_dpo(actor: StaffMember) -> None:
    if not _is_dpo(actor):
        raise NotPermitted("Only a data protection officer reviews the consent records naming their organisation.")


def _state_and_end(record: ConsentRecord) -> tuple[str, dt.date | None]:
    """The latest whole-record event's kind, and the end of validity after renewals."""
    state, until = "", record.valid_until
    for event in record.events.all():
        if event.scopes.all():
            continue
        state = event.kind
        if event.kind == EventKind.RENEWED and event.valid_until is not None:
            until = event.valid_until
    return state, until


def _in_pages(records: QuerySet[ConsentRecord]) -> Iterator[ConsentRecord]:
    """The records a page at a time, so a large organisation's list never loads every record (and
    its events) at once when a filter skips most of them."""
    offset = 0
    while True:
        page = list(records[offset : offset + DPO_LIST_LIMIT])
        yield from page
        if len(page) < DPO_LIST_LIMIT:
            return
        offset += DPO_LIST_LIMIT


def dpo_consent_records(
    *, actor: StaffMember, state: str = "", expiring: bool = False, today: dt.date | None = None
) -> list[ConsentSummary]:
    """The consent records naming the DPO's organisation, newest first, by state (an event kind)
    and, with `expiring`, only those in a live state whose validity ends within 30 days.

    Only the client's reference is shown: the list is for finding a record, and opening one (which
    shows the name) is what is recorded in the ledger. The listing itself is audited."""
    _require_dpo(actor)
    today = today or timezone.localdate()
    records = (
        _naming(actor)
        .select_related("client", "organisation")
        .prefetch_related(
            Prefetch("events", queryset=ConsentEvent.objects.prefetch_related("scopes").order_by("at", "pk"))
        )
        .order_by("-created_at", "pk")
    )
    if expiring:
        # Narrowed in the database (an end, first or renewed, inside the window); the check below
        # then takes the latest renewal into account.
        window = {"gte": today, "lte": today + EXPIRING_WITHIN}
        records = records.filter(
            Q(valid_until__gte=window["gte"], valid_until__lte=window["lte"])
            | Q(
                events__kind=EventKind.RENEWED,
                events__valid_until__gte=window["gte"],
                events__valid_until__lte=window["lte"],
            )
        ).distinct()
    rows: list[ConsentSummary] = []
    for record in _in_pages(records):
        kind, until = _state_and_end(record)
        if state and kind != state:
            continue
        if expiring and not (
            kind in {EventKind.GIVEN, EventKind.RENEWED, EventKind.PENDING}
            and until is not None
            and today <= until <= today + EXPIRING_WITHIN
        ):
            continue
        rows.append(
            ConsentSummary(
                id=str(record.pk),
                client_reference=record.client.reference,
                organisation=record.organisation.name,
                method=record.get_method_display(),
                state=kind,
                state_label=str(EventKind(kind).label) if kind else "",
                valid_until=until,
                until_support_ends=record.until_support_ends,
                recorded_here=record.organisation_id == actor.organisation_id,
                awaiting_evidence=kind == EventKind.PENDING,
            )
        )
        if len(rows) >= DPO_LIST_LIMIT:
            break
    with transaction.atomic():
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="consent.listed_by_dpo",
            object_type="consent.consentrecord",
            object_id="",
            detail={"state": state, "expiring": expiring, "count": len(rows)},
        )
    return rows


def dpo_consent_record(
    *, actor: StaffMember, record_id: object, channel: Channel | str = Channel.PAGE
) -> ReviewedConsent:
    """One consent record naming the DPO's organisation, for review (a complaint, an audit). The
    DPO need not work with the client and sees none of their case data: only the record, with the
    name and reference that identify it. Audited, and the name in the ledger; any other DPO, or
    anyone else, gets not found."""
    if not _is_dpo(actor):
        raise NotFound("No such consent record.")
    record = _dpo_record(actor, record_id, channel)
    identity = record.client.identity
    facts = {f.record_id: f for f in consent_facts(record.client_id)}
    engaged = client_engagements(record.client_id)
    [full] = _records(record.client_id, record.pk)
    return ReviewedConsent(
        client_name=f"{identity.given_name} {identity.family_name}",
        client_reference=record.client.reference,
        consent=_view(full, facts[str(record.pk)], engaged, timezone.now()),
        document=_document(full),
    )
