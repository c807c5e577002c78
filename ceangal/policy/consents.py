"""Reads of consent records and break-glass grants. Consent is about a client, so it is shown only
to staff who may see the client (and to the DPO), through the same door as the record."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from ceangal.agreements.models import AgreementPurpose, AgreementStatus
from ceangal.consent.models import ConsentEvent, ConsentRecord, ConsentScope
from ceangal.consent.receipts import ConsentDocument, ConsentEventView, Party, ScopeRow
from ceangal.errors import NotFound, NotPermitted
from ceangal.partners.models import OrganisationType, StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.decision import ConsentFacts
from ceangal.policy.facts import consent_facts, live_engagements
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
    engaged = live_engagements([client_id]).get(client_id, frozenset())
    views: list[ConsentView] = []
    for record in _records(client_id):
        live = {s.scope_id for s in facts[str(record.pk)].live_scopes(now, engaged)}
        events = list(record.events.all())
        whole = [e for e in events if not e.scopes.all()]
        views.append(
            ConsentView(
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
            )
        )
    return views


def consent_record_for_action(*, actor: StaffMember, record_id: object, purpose: Purpose | str) -> ConsentRecord:
    """A consent record, for a service to act on (withdraw, renew), if the actor may see its client."""
    record = ConsentRecord.objects.select_related("client").filter(pk=str(record_id)).first() if record_id else None
    if record is None:
        raise NotFound("No such consent record.")
    client_for_action(actor=actor, client_id=record.client_id, purpose=purpose)
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
