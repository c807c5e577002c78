"""A synthetic partnership that shares: one privacy notice, information sharing agreements and consents.

Runs after ceangal.clients.seeding (which may not import agreements or consent; this layer may).
Everything here is made up, like the clients: agreement titles and the notice say "(synthetic)",
and every consent's notes say it is a synthetic record.

Agreements and the notice go through the real services (agreement_create, each party's DPO
signing with agreement_sign, notice_create and notice_publish), so they are validated and audited
as a DPO's would be. There are a few dozen of them; speed does not matter.

Consents do not: 60,000 of them through consent_give would take many minutes. They are written
in batches straight into the tables by the client seed's TableWriter, with exactly the rows
consent_give writes: the record, its scope rows, the "given" event and the "consent.given" audit
event, and they honour its rules, checked here before anything is written:
- the recorder is the key worker of the client's home organisation (the one that registered
  them), active, trained on `today`, with a live engagement with the client;
- every scope row is inside the published notice, and its recipient is a party, with the home
  organisation, to an active agreement in force that covers the purpose and the category on the
  lawful basis of consent (stricter than consent_give, which asks only for some agreement);
- the method is verbal with a named witness or online (a paper form without its scan would only be
  pending, which no decision counts);
- the record ends on a future date or "until support ends".
tests/test_seed_sharing.py re-validates every seeded record against the notice and agreements.

Deterministic. Agreements are drawn from `Random("ceangal-sharing:S")`, all of them every run, so
the same seed gives the same agreements; each client's consent from its own stream keyed by the
client's id (itself fixed by partnership, client seed and number). Idempotent: agreements are found
by reference ("synthetic-isa-001" ...), the notice by title, and a client who has any consent record
is left alone, so running twice makes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, reset_queries, transaction
from django.utils import timezone

from ceangal.agreements.models import (
    AgreementParty,
    AgreementPurpose,
    AgreementStatus,
    AgreementVersion,
    Article9Condition,
    Article10Condition,
    LawfulBasis,
    NoticeStatus,
    PrivacyNotice,
    SharingAgreement,
)
from ceangal.agreements.services import (
    AgreementTerms,
    NoticeTerms,
    PurposeTerms,
    agreement_create,
    agreement_sign,
    notice_create,
    notice_publish,
)
from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.seeding import ORGANISATIONS, TableWriter, analyze, staff_email
from ceangal.clients.seeding.phrases import FAMILY_NAMES, GIVEN_NAMES
from ceangal.consent.models import ConsentEvent, ConsentMethod, ConsentRecord, ConsentScope, EventKind, ExpressedBy
from ceangal.partners.models import Organisation, OrganisationType, Partnership, StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role
from ceangal.partners.services import staff_create
from ceangal.reference.categories import DataCategory, Sensitivity, sensitivity_of
from ceangal.reference.purposes import Purpose

AGREEMENT_PREFIX = "synthetic-isa-"
NOTICE_TITLE = "How the partnership uses and shares your information (synthetic)"
CONSENT_NOTE = "Synthetic consent made by manage.py seed; not a real person's."
_UUID_NAMESPACE = uuid.UUID("0d8f3b8e-5c2a-4f61-9d7e-3a1c6b2e9f40")

_C, _P = DataCategory, Purpose
_CONSENT, _PUBLIC_TASK = LawfulBasis.CONSENT.value, LawfulBasis.PUBLIC_TASK.value


@dataclass(frozen=True)
class PurposePlan:
    """How often an agreement covers a purpose, on which basis, and which categories it draws."""

    chance: float
    lawful_basis: str
    always: tuple[DataCategory, ...]
    sometimes: tuple[DataCategory, ...]
    article9: str  # the condition wherever a special-category category is included
    article10: str  # likewise for conviction data


# Consent for most purposes; public task where partners report to funders or safeguard.
PURPOSE_PLANS: dict[Purpose, PurposePlan] = {
    _P.SUPPORT_COORDINATION: PurposePlan(
        0.85,
        _CONSENT,
        (_C.IDENTITY, _C.CONTACT, _C.JOURNEY),
        (_C.QUALIFICATIONS, _C.EXPERIENCE, _C.SUPPORT_NEEDS, _C.OUTCOMES, _C.BENEFITS, _C.CARING, _C.HEALTH),
        Article9Condition.EXPLICIT_CONSENT,
        Article10Condition.CONSENT,
    ),
    _P.REFERRAL: PurposePlan(
        0.5,
        _CONSENT,
        (_C.IDENTITY, _C.CONTACT),
        (_C.QUALIFICATIONS, _C.EXPERIENCE, _C.SUPPORT_NEEDS, _C.JOURNEY, _C.HEALTH, _C.CARING),
        Article9Condition.EXPLICIT_CONSENT,
        Article10Condition.CONSENT,
    ),
    _P.PROGRESS_MONITORING: PurposePlan(
        0.4,
        _PUBLIC_TASK,
        (_C.IDENTITY, _C.JOURNEY, _C.OUTCOMES),
        (_C.DEMOGRAPHICS, _C.BENEFITS),
        Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST,  # equality of opportunity monitoring
        Article10Condition.STATUTORY,
    ),
    _P.EVALUATION: PurposePlan(
        0.2,
        _CONSENT,
        (_C.JOURNEY, _C.OUTCOMES),
        (_C.QUALIFICATIONS, _C.DEMOGRAPHICS),
        Article9Condition.EXPLICIT_CONSENT,
        Article10Condition.CONSENT,
    ),
    _P.PROMOTION: PurposePlan(
        0.25, _CONSENT, (_C.CONTACT,), (_C.QUALIFICATIONS, _C.EXPERIENCE), Article9Condition.EXPLICIT_CONSENT, ""
    ),
    _P.SAFEGUARDING: PurposePlan(
        0.15,
        _PUBLIC_TASK,
        (_C.IDENTITY, _C.CONTACT, _C.SUPPORT_NEEDS),
        (_C.HEALTH,),
        Article9Condition.SUBSTANTIAL_PUBLIC_INTEREST,
        Article10Condition.SAFEGUARDING,
    ),
}


@dataclass(frozen=True)
class AgreementPlan:
    reference: str
    title: str
    parties: tuple[Organisation, ...]
    purposes: tuple[PurposeTerms, ...]
    terms: dict[str, Any]


@dataclass
class SharingReport:
    notice: PrivacyNotice
    agreements: int  # synthetic agreements in force after the run
    agreements_created: int
    consents: int  # consent records written by this run
    rows: Counter[str] = field(default_factory=Counter)
    agreement_seconds: float = 0.0
    consent_seconds: float = 0.0


def _ordered_organisations(partnership: Partnership) -> list[Organisation]:
    """The seed's plan order (bigger partners first), then any others by slug: the same in any partnership."""
    rank = {plan.slug: n for n, plan in enumerate(ORGANISATIONS)}
    orgs = list(Organisation.objects.filter(partnership=partnership, active=True))
    return sorted(orgs, key=lambda o: (rank.get(o.slug, len(rank)), o.slug))


def _dpos(organisations: Sequence[Organisation], partnership: Partnership, today: dt.date) -> dict[int, StaffMember]:
    """Each organisation's DPO, who signs its agreements; made through staff_create where missing."""
    found: dict[int, StaffMember] = {}
    for staff in StaffMember.objects.filter(organisation__in=organisations, role=Role.DPO, active=True).order_by("pk"):
        found.setdefault(staff.organisation_id, staff)
    for org in organisations:
        if org.pk not in found:
            rng = random.Random(f"ceangal-staff:{org.slug}:{Role.DPO.value}:1")
            found[org.pk] = staff_create(
                organisation=org,
                email=staff_email(partnership.slug, org.slug, Role.DPO, 1),
                first_name=rng.choice(GIVEN_NAMES),
                last_name=rng.choice(FAMILY_NAMES),
                role=Role.DPO,
                job_title="Data protection officer",
                training_completed_on=today - dt.timedelta(days=rng.randint(20, 200)),
            )
    return found


def _purpose_terms(rng: random.Random, purpose: Purpose, parties: Sequence[Organisation]) -> PurposeTerms:
    plan = PURPOSE_PLANS[purpose]
    categories = list(plan.always) + [c for c in plan.sometimes if rng.random() < 0.5]
    # Conviction data only where a justice service is a party, and only with an Article 10 condition.
    if plan.article10 and any(p.org_type == OrganisationType.JUSTICE for p in parties) and rng.random() < 0.7:
        categories.append(_C.CONVICTIONS)
    sensitivities = {sensitivity_of(c) for c in categories}
    return PurposeTerms(
        purpose=purpose.value,
        lawful_basis=plan.lawful_basis,
        categories=sorted(c.value for c in categories),
        article9_condition=plan.article9 if Sensitivity.SPECIAL_CATEGORY in sensitivities else "",
        article10_condition=plan.article10 if Sensitivity.CRIMINAL_OFFENCE in sensitivities else "",
        why_necessary=f"So that partners can {purpose.label.lower()} without asking the client again.",
    )


def plan_agreements(
    organisations: Sequence[Organisation], count: int, seed: int, today: dt.date
) -> list[AgreementPlan]:
    """`count` agreements of 2 to 4 parties. Organisation i is a party to agreement i % count, so
    every partner is in at least one (given count >= 5); the other seats go by the seed's weights,
    so the partners that register most clients sit in several."""
    rng = random.Random(f"ceangal-sharing:{seed}")
    weight = {plan.slug: plan.weight for plan in ORGANISATIONS}
    plans: list[AgreementPlan] = []
    for n in range(count):
        parties = [o for i, o in enumerate(organisations) if i % count == n][:4]
        size = max(len(parties), rng.choice((2, 3, 3, 4)))
        while len(parties) < min(size, len(organisations)):
            others = [o for o in organisations if o not in parties]
            parties.append(rng.choices(others, weights=[weight.get(o.slug, 1) for o in others])[0])
        purposes = [p for p in PURPOSE_PLANS if rng.random() < PURPOSE_PLANS[p].chance] or [_P.SUPPORT_COORDINATION]
        terms = [_purpose_terms(rng, p, parties) for p in purposes]
        main = Purpose(terms[0].purpose).label
        plans.append(
            AgreementPlan(
                reference=f"{AGREEMENT_PREFIX}{n + 1:03d}",
                title=f"{main}: {', '.join(p.name.removesuffix(' (synthetic)') for p in parties)} (synthetic)",
                parties=tuple(parties),
                purposes=tuple(terms),
                terms={
                    "frequency": rng.choice(("ad_hoc", "ad_hoc", "weekly", "monthly", "quarterly")),
                    "retention_months": rng.choice((24, 36, 72)),
                    "on_end": rng.choice(("return", "destroy", "destroy", "archive")),
                    "starts_on": today - dt.timedelta(days=rng.randint(30, 700)),
                    "review_on": today + dt.timedelta(days=rng.randint(30, 365)),
                },
            )
        )
    return plans


def _make_agreement(plan: AgreementPlan, dpos: dict[int, StaffMember], partnership: Partnership) -> bool:
    if SharingAgreement.objects.filter(partnership=partnership, reference=plan.reference).exists():
        return False
    months = plan.terms["retention_months"]
    terms = AgreementTerms(
        summary="To support shared clients into work without asking them to tell their story twice.",
        retention=f"Kept for {months} months after support ends, then as the agreement says.",
        parties=plan.parties,
        purposes=plan.purposes,
        dpia_reference=f"DPIA-{plan.reference.upper()}",
        security="Access through Ceangal only; no copies by email.",
        **plan.terms,
    )
    version = agreement_create(actor=dpos[plan.parties[0].pk], title=plan.title, reference=plan.reference, terms=terms)
    for party in plan.parties:
        agreement_sign(actor=dpos[party.pk], version=version)
    return True


def _notice(plans: Sequence[AgreementPlan], organisations: list[Organisation], dpo: StaffMember) -> PrivacyNotice:
    """The partnership's synthetic notice, covering every purpose and category the agreements use;
    a new version if the published one does not (an earlier run with other agreements)."""
    purposes = sorted({t.purpose for p in plans for t in p.purposes} or {_P.SUPPORT_COORDINATION.value})
    categories = sorted({c for p in plans for t in p.purposes for c in t.categories} or {_C.IDENTITY.value})
    published = PrivacyNotice.objects.filter(
        partnership=dpo.organisation.partnership, title=NOTICE_TITLE, status=NoticeStatus.PUBLISHED
    ).order_by("-version")
    notice = published.first()
    if (
        notice is not None
        and set(purposes) <= set(notice.purposes)
        and set(categories) <= set(notice.categories)
        and set(notice.recipients.values_list("pk", flat=True)) >= {o.pk for o in organisations}
    ):
        return notice
    terms = NoticeTerms(
        title=NOTICE_TITLE,
        body="The partners of this synthetic partnership share what you agree to, with the partners you choose, "
        "to support you into work. Progress is reported to funders as the law allows.",
        purposes=purposes,
        categories=categories,
        controllers=organisations,
        recipients=organisations,
        retention="While you are supported and six years after, unless an agreement says less.",
        rights="You can see what is held, correct it, withdraw consent at any time and complain to the ICO.",
    )
    return notice_publish(actor=dpo, notice=notice_create(actor=dpo, terms=terms))


def _consent_coverage(partnership: Partnership, today: dt.date) -> dict[tuple[int, int], dict[str, set[str]]]:
    """(supplier, recipient) -> purpose -> categories that an agreement in force shares on consent."""
    versions = AgreementVersion.objects.filter(
        agreement__partnership=partnership, status=AgreementStatus.ACTIVE, starts_on__lte=today
    ).exclude(ends_on__lt=today)
    parties: dict[int, set[int]] = defaultdict(set)
    for vid, org in AgreementParty.objects.filter(version__in=versions).values_list("version_id", "organisation_id"):
        parties[vid].add(org)
    coverage: dict[tuple[int, int], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    rows = AgreementPurpose.objects.filter(version__in=versions, lawful_basis=_CONSENT)
    for vid, purpose, categories in rows.values_list("version_id", "purpose", "categories"):
        for a in parties[vid]:
            for b in parties[vid] - {a}:
                coverage[(a, b)][purpose].update(categories)
    return coverage


def seed_sharing(
    partnership: Partnership,
    *,
    agreements: int = 50,
    consent_share: float = 0.6,
    seed: int = 1,
    today: dt.date | None = None,
    batch_size: int = 5000,
) -> SharingReport:
    """Give a seeded partnership its notice, `agreements` active agreements and, for about
    `consent_share` of its clients who have none yet, a consent record."""
    if agreements < 0 or not 0 <= consent_share <= 1 or batch_size < 1:
        raise ValueError("agreements must be 0 or more, consent_share between 0 and 1, batch_size at least 1.")
    today = today or timezone.localdate()
    started = time.perf_counter()
    organisations = _ordered_organisations(partnership)
    plans = plan_agreements(organisations, agreements, seed, today)
    with transaction.atomic():
        dpos = _dpos(organisations, partnership, today)
        created = sum(_make_agreement(plan, dpos, partnership) for plan in plans)
        notice = _notice(plans, organisations, dpos[organisations[0].pk])
    live = SharingAgreement.objects.filter(
        partnership=partnership, reference__startswith=AGREEMENT_PREFIX, versions__status=AgreementStatus.ACTIVE
    ).count()
    report = SharingReport(notice, live, created, 0, agreement_seconds=time.perf_counter() - started)
    started = time.perf_counter()
    _seed_consents(report, partnership, seed, consent_share, today, batch_size)
    report.consent_seconds = time.perf_counter() - started
    return report


def _record_id(client_id: uuid.UUID, seed: int) -> uuid.UUID:
    digest = hashlib.sha256(f"{_UUID_NAMESPACE}:{client_id}:{seed}".encode()).digest()
    return uuid.UUID(bytes=digest[:16], version=4)


@dataclass(frozen=True)
class _ConsentFacts:
    """What every consent of a run is checked against, read once."""

    notice: PrivacyNotice
    # (home, recipient) -> the (purpose, category) pairs a consent may name, in a fixed order: each
    # covered on consent by an agreement in force between the two, and inside the notice.
    offers: dict[tuple[int, int], tuple[tuple[str, str], ...]]
    partners: dict[int, list[int]]  # home organisation -> organisations it shares with on consent
    recorders: dict[int, int]  # staff id -> user id: active, trained caseworkers
    engagements: dict[uuid.UUID, list[tuple[int, str, int | None]]]  # (organisation, status, key worker)
    scope_writer: TableWriter


def _consent_facts(
    partnership: Partnership, notice: PrivacyNotice, today: dt.date, scope_writer: TableWriter
) -> _ConsentFacts:
    coverage = _consent_coverage(partnership, today)
    partners: dict[int, list[int]] = defaultdict(list)
    for supplier, recipient in sorted(coverage):
        partners[supplier].append(recipient)
    staff = StaffMember.objects.filter(organisation__partnership=partnership, active=True, user__is_active=True)
    recorders = {
        pk: user_id
        for pk, user_id, role, expires in staff.values_list("pk", "user_id", "role", "training_expires_on")
        if role in CASEWORK_ROLES and expires is not None and expires >= today
    }
    engagements: dict[uuid.UUID, list[tuple[int, str, int | None]]] = defaultdict(list)
    rows = cm.Engagement.objects.filter(client__registered_by__partnership=partnership)
    for client_id, org, status, key_worker in rows.values_list(
        "client_id", "organisation_id", "status", "key_worker_id"
    ):
        engagements[client_id].append((org, status, key_worker))
    recipients = set(notice.recipients.values_list("pk", flat=True))
    offers = {
        (home, recipient): tuple(
            (purpose, category)
            for purpose, categories in sorted(by_purpose.items())
            if purpose in notice.purposes and recipient in recipients
            for category in sorted(categories)
            if category in notice.categories
        )
        for (home, recipient), by_purpose in coverage.items()
    }
    return _ConsentFacts(notice, offers, partners, recorders, engagements, scope_writer)


def _draft_consent(
    facts: _ConsentFacts,
    client_id: uuid.UUID,
    home: int,
    rng: random.Random,
    seed: int,
    today: dt.date,
    now: dt.datetime,
) -> dict[type[models.Model], list[dict[str, Any]]] | None:
    """The rows consent_give would write for this client, or None where it would refuse."""
    engagements = facts.engagements[client_id]
    live = cm.LIVE_ENGAGEMENT_STATUSES
    recorder = next((w for org, status, w in engagements if org == home and status in live), None)
    if recorder is None or recorder not in facts.recorders:
        return None  # no live engagement, or no active trained key worker, at the home organisation
    # The other partners working with the client, or else one or two the home organisation shares with.
    recipients = [r for r in sorted({org for org, _, _ in engagements} - {home}) if (home, r) in facts.offers]
    if not recipients and facts.partners[home]:
        options = facts.partners[home]
        recipients = sorted(rng.sample(options, min(len(options), rng.choice((1, 1, 2)))))
    scopes = [
        (recipient, purpose, category)
        for recipient in recipients
        for purpose, category in facts.offers[(home, recipient)]
        if rng.random() < 0.6  # a subset: a partner sees some sections and is refused others
    ]
    if not scopes:
        return None
    record_id = _record_id(client_id, seed)
    stored_id = facts.scope_writer.prepare("record_id", record_id)  # once, not once per scope row
    online = rng.random() < 0.3
    until = today + dt.timedelta(days=rng.randint(365, 1095)) if rng.random() < 0.6 else None
    method = ConsentMethod.ONLINE if online else ConsentMethod.VERBAL_WITNESSED
    record = {
        "id": record_id,
        "client_id": client_id,
        "notice_id": facts.notice.pk,
        "organisation_id": home,
        "recorded_by_id": recorder,
        "method": method.value,
        "witness_name": "" if online else f"{rng.choice(GIVEN_NAMES)} {rng.choice(FAMILY_NAMES)}",
        "expressed_by": ExpressedBy.CLIENT.value,
        "valid_from": today,
        "valid_until": until,
        "until_support_ends": until is None,
        "notes": CONSENT_NOTE,
    }
    audit = {
        "actor_id": facts.recorders[recorder],
        "organisation_id": home,
        "action": "consent.given",
        "object_type": "consent.consentrecord",
        "object_id": str(record_id),
        "client_id": client_id,
        "detail": {"scopes": len(scopes), "method": method.value, "awaiting_evidence": False},
    }
    return {
        ConsentRecord: [record],
        ConsentScope: [
            {"record_id": stored_id, "recipient_organisation_id": r, "purpose": p, "category": c} for r, p, c in scopes
        ],
        ConsentEvent: [{"record_id": record_id, "kind": EventKind.GIVEN.value, "at": now, "recorded_by_id": recorder}],
        AuditEvent: [audit],
    }


def _seed_consents(
    report: SharingReport, partnership: Partnership, seed: int, share: float, today: dt.date, batch_size: int
) -> None:
    clients = cm.Client.objects.filter(registered_by__partnership=partnership)
    consented = set(ConsentRecord.objects.filter(client__in=clients).values_list("client_id", flat=True).distinct())
    pending = [
        (c, home) for c, home in clients.order_by("pk").values_list("pk", "registered_by_id") if c not in consented
    ]
    if not pending or share == 0:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    models_in_order = (ConsentRecord, ConsentScope, ConsentEvent, AuditEvent)
    writers = {model: TableWriter(model, connection) for model in models_in_order}
    facts = _consent_facts(partnership, report.notice, today, writers[ConsentScope])
    for offset in range(0, len(pending), batch_size):
        rows: dict[type[models.Model], list[dict[str, Any]]] = {model: [] for model in writers}
        now = timezone.now()  # the time each "given" event is stamped with, as consent_give would
        for client_id, home in pending[offset : offset + batch_size]:
            rng = random.Random(f"ceangal-consent:{seed}:{client_id}")
            drafted = _draft_consent(facts, client_id, home, rng, seed, today, now) if rng.random() < share else None
            for model, drafted_rows in (drafted or {}).items():
                rows[model].extend(drafted_rows)
        with transaction.atomic():
            for model, writer in writers.items():
                if writer.auto_pk:  # ids reserved, as the writer needs every column, id included
                    for row, pk in zip(rows[model], writer.reserve_ids(len(rows[model])), strict=True):
                        row["id"] = pk
                prepared = frozenset({"record_id"}) if model is ConsentScope else frozenset()
                written = writer.insert(rows[model], [None] * len(rows[model]), now, prepared=prepared)
                if written:
                    report.rows[model._meta.label] += written
        report.consents += len(rows[ConsentRecord])
        reset_queries()  # with DEBUG on, Django would keep every query's SQL
    analyze(writers.values())
