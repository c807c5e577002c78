"""manage.py demo: a small synthetic partnership to sign in to, made through the real services.

`make run` calls it. The first run makes three organisations, one member of staff per role with a
known email and one shared password, and about 25 synthetic clients with full records, each
written through clients.services as a key worker would (validated, versioned, audited). Later runs
find the demo partnership and only print the sign-in table, keeping whatever was changed since.
"""

from __future__ import annotations

import datetime as dt
import os
import random
from argparse import ArgumentParser
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from ceangal.agreements.models import PrivacyNotice
from ceangal.agreements.services import (
    AgreementTerms,
    NoticeTerms,
    PurposeTerms,
    agreement_create,
    agreement_sign,
    notice_create,
    notice_publish,
)
from ceangal.clients import models as m
from ceangal.clients import services
from ceangal.clients.seeding import ClientDraft, ItemDraft, ReferenceDataMissing, draft_client, load_draws
from ceangal.consent.services import ScopeChoice, consent_give, consent_withdraw
from ceangal.directory.services import LocationTerms, ServiceTerms, service_create
from ceangal.partners.models import Organisation, OrganisationType, Partnership, StaffMember
from ceangal.partners.roles import Role
from ceangal.partners.services import organisation_create, partnership_create, staff_create, staff_grant_admin_site
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose

DEMO_SLUG = "demo"
DEMO_NAME = "Ceangal demo partnership (synthetic)"
# Shown on screen by design: it opens a local demo of made-up people and nothing else.
DEMO_PASSWORD = "ceangal-demo-2026"
# Where `make run` serves; it passes its HOST and PORT through CEANGAL_SITE_URL.
SITE_URL = os.environ.get("CEANGAL_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
DEMO_SEED = 2026
DEMO_NOTE = "Synthetic demo record made by manage.py demo; not a real person."


@dataclass(frozen=True)
class DemoOrganisation:
    key: str
    name: str
    org_type: OrganisationType
    local_authority: str
    clients: int  # relative share of the demo clients registered here


@dataclass(frozen=True)
class DemoStaff:
    organisation: str
    role: Role
    email: str
    first_name: str
    last_name: str


ORGANISATIONS = (
    DemoOrganisation("council", "Fife Council Employability", OrganisationType.LOCAL_AUTHORITY, "S12000047", 12),
    DemoOrganisation("college", "Fife College", OrganisationType.COLLEGE, "", 7),
    DemoOrganisation("linktown", "Linktown Works (third sector)", OrganisationType.THIRD_SECTOR, "", 6),
)
STAFF = (
    DemoStaff("council", Role.KEY_WORKER, "keyworker@council.demo", "Kirsty", "Campbell"),
    DemoStaff("council", Role.TEAM_LEADER, "teamleader@council.demo", "Tam", "Reid"),
    DemoStaff("council", Role.DPO, "dpo@council.demo", "Dorothy", "Paterson"),
    DemoStaff("council", Role.ORG_ADMIN, "admin@council.demo", "Ailsa", "Morrison"),
    DemoStaff("council", Role.ANALYST, "analyst@council.demo", "Angus", "Wallace"),
    DemoStaff("council", Role.AUDITOR, "auditor@council.demo", "Isla", "Buchanan"),
    DemoStaff("college", Role.KEY_WORKER, "keyworker@college.demo", "Calum", "Fraser"),
    DemoStaff("college", Role.TEAM_LEADER, "teamleader@college.demo", "Catriona", "Sinclair"),
    DemoStaff("college", Role.ORG_ADMIN, "admin@college.demo", "Fraser", "Gillies"),
    DemoStaff("college", Role.DPO, "dpo@college.demo", "Duncan", "Ross"),
    DemoStaff("linktown", Role.KEY_WORKER, "keyworker@linktown.demo", "Lewis", "Baird"),
    DemoStaff("linktown", Role.TEAM_LEADER, "teamleader@linktown.demo", "Mairi", "Docherty"),
    DemoStaff("linktown", Role.DPO, "dpo@linktown.demo", "Rhona", "Kerr"),
)


class Command(BaseCommand):
    help = "Make the demo partnership (first run) and print who to sign in as."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--clients", type=int, default=25, help="Synthetic clients to make on the first run.")
        parser.add_argument("--force", action="store_true", help="Run even where CEANGAL_ENV=production.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError(
                "This is a production set-up (CEANGAL_ENV=production): the demo's shared password and made-up "
                "people do not belong here. Use --force only on a throw-away copy."
            )
        partnership = Partnership.objects.filter(slug=DEMO_SLUG).first()
        if partnership is None:
            try:
                partnership, made = _make_demo(clients=options["clients"], today=timezone.localdate())
            except ReferenceDataMissing as exc:
                raise CommandError(str(exc)) from exc
            self.stdout.write(self.style.SUCCESS(f"Made {partnership.name} with {made} synthetic clients."))
        else:
            self.stdout.write(f"{partnership.name} is already here; its data is kept as it is.")
        self.stdout.write(_sign_in_table(partnership))


def _sign_in_table(partnership: Partnership) -> str:
    found = {
        s.user.email: s
        for s in StaffMember.objects.filter(organisation__partnership=partnership).select_related(
            "user", "organisation"
        )
    }
    rows = [("Role", "Organisation", "Email", "Password")]
    for person in STAFF:
        staff = found.get(person.email)
        if staff is not None:
            rows.append((str(Role(staff.role).label), staff.organisation.name, person.email, DEMO_PASSWORD))
    if len(rows) == 1:
        return f"No demo staff found in {partnership.name!r}: was the slug {DEMO_SLUG!r} taken by something else?"
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append("")
    lines.append(
        f"Sign in at {SITE_URL}/accounts/login/ (the password is the same for everyone, unless changed since)."
    )
    lines.append(f"The organisation admins may also use the Django admin at {SITE_URL}/admin/.")
    return "\n".join(lines)


def _make_demo(*, clients: int, today: dt.date) -> tuple[Partnership, int]:
    """All or nothing: a failure part-way leaves no half-made demo that a second run would take as done."""
    draws = load_draws()
    with transaction.atomic():
        partnership = partnership_create(name=DEMO_NAME, slug=DEMO_SLUG, local_authority="S12000047")
        orgs: dict[str, Organisation] = {}
        for plan in ORGANISATIONS:
            orgs[plan.key] = organisation_create(
                partnership=partnership,
                name=plan.name,
                slug=plan.key,
                org_type=plan.org_type,
                local_authority=plan.local_authority,
                contact_email=f"hello@{plan.key}.example.org",
            )
        staff: dict[tuple[str, Role], StaffMember] = {}
        for person in STAFF:
            member = staff_create(
                organisation=orgs[person.organisation],
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                role=person.role,
                password=DEMO_PASSWORD,
                job_title=f"{person.role.label} (demo)",
                training_completed_on=today - dt.timedelta(days=30),
            )
            staff[(person.organisation, person.role)] = member
            if person.role == Role.ORG_ADMIN:
                staff_grant_admin_site(staff=member, by=None)
        keys = [plan.key for plan in ORGANISATIONS]
        weights = [plan.clients for plan in ORGANISATIONS]
        drafts = [
            draft_client(random.Random(f"ceangal-demo:{DEMO_SEED}:{index}"), draws, today, weights, note=DEMO_NOTE)
            for index in range(clients)
        ]
        _show_every_section(drafts, today)
        _share(orgs, staff, today)
        for draft in drafts:
            _register(draft, [keys[draft.home], keys[draft.second] if draft.second is not None else ""], staff, today)
        _consent_some(staff, today)
        _publish_services(staff)
    return partnership, clients


DEMO_SERVICES = (
    (
        ("council", Role.ORG_ADMIN),
        ServiceTerms(
            name="Fife Works: key worker support (demo)",
            description="A key worker helps you plan your way into work, with money advice and in-work support.",
            stages=["PS1", "PS2", "PS4", "PS5"],
            needs=["B_LTU", "B_CONF", "B_DEBT"],
            min_age=16,
            local_authorities=["S12000047"],
            places_available=12,
            waiting_days=5,
            email="fifeworks@council.example.org",
            phone="01592 583 000",
            referral_instructions="Refer through Ceangal; we phone the client within two working days.",
            categories_needed=["identity", "contact", "journey"],
            locations=[LocationTerms(name="Kirkcaldy Jobs Hub", address="Town House, Kirkcaldy", postcode="KY1 1XW")],
        ),
    ),
    (
        ("college", Role.TEAM_LEADER),
        ServiceTerms(
            name="Get Ready for College access course (demo)",
            description="A twelve-week course in core skills, digital skills and confidence, leading to SCQF 4.",
            stages=["PS3"],
            needs=["B_LOWQUAL", "B_DIGI", "B_LIT", "B_NUM"],
            min_age=16,
            benefits=[],
            other_criteria="Not in full-time education.",
            places_available=0,
            waiting_days=42,
            email="access@college.example.org",
            categories_needed=["identity", "contact", "qualifications", "support_needs"],
        ),
    ),
    (
        ("linktown", Role.TEAM_LEADER),
        ServiceTerms(
            name="Linktown Young Persons' Guarantee placements (demo)",
            description="Paid six-month work placements with local employers, with a mentor throughout.",
            stages=["PS3", "PS4"],
            needs=["B_NOEXP", "B_CONF"],
            min_age=16,
            max_age=24,
            postcode_areas=["KY1", "KY2"],
            benefits=["UC"],
            places_available=4,
            waiting_days=14,
            email="placements@linktown.example.org",
            categories_needed=["identity", "contact", "experience", "journey"],
        ),
    ),
)


def _publish_services(staff: dict[tuple[str, Role], StaffMember]) -> None:
    """A few services in the directory, so that it has something to browse and filter."""
    for who, terms in DEMO_SERVICES:
        service_create(actor=staff[who], terms=terms)


def _share(orgs: dict[str, Organisation], staff: dict[tuple[str, Role], StaffMember], today: dt.date) -> None:
    """A published privacy notice and two signed agreements, so the demo shows sharing at work:
    the council and the college share on consent; the council and Linktown on public task."""
    everyone = list(orgs.values())
    dpo = staff[("council", Role.DPO)]
    notice = notice_create(
        actor=dpo,
        terms=NoticeTerms(
            title="How the Fife employability partners use your information (demo)",
            body=(
                "The partners below work together to support you into work. With your agreement, they share "
                "what you choose, so that you do not have to tell your story again. You can change your mind "
                "at any time, and it takes effect at once."
            ),
            purposes=[Purpose.SUPPORT_COORDINATION, Purpose.REFERRAL, Purpose.PROGRESS_MONITORING],
            categories=[c.value for c in DataCategory if c != DataCategory.CONVICTIONS],
            controllers=everyone,
            recipients=everyone,
            retention="While you are supported, and six years after.",
            rights="You can see, correct or ask us to delete your information, and complain to the ICO.",
        ),
    )
    notice_publish(actor=dpo, notice=notice)
    plans = [
        (
            "council-college",
            "Council and college support coordination and referral (demo)",
            ["council", "college"],
            [
                PurposeTerms(
                    purpose,
                    "consent",
                    [c.value for c in DataCategory if c != DataCategory.CONVICTIONS],
                    article9_condition="A9-2-a",
                )
                for purpose in (Purpose.SUPPORT_COORDINATION, Purpose.REFERRAL)
            ],
        ),
        (
            "council-linktown",
            "Council and Linktown progress monitoring (demo)",
            ["council", "linktown"],
            [PurposeTerms(Purpose.SUPPORT_COORDINATION, "public_task", ["identity", "journey", "qualifications"])],
        ),
    ]
    for reference, title, parties, purposes in plans:
        version = agreement_create(
            actor=staff[(parties[0], Role.DPO)],
            title=title,
            reference=reference,
            terms=AgreementTerms(
                summary="To coordinate support for clients both partners work with.",
                frequency="ad_hoc",
                retention="While the client is supported, and six years after.",
                retention_months=72,
                on_end="destroy",
                starts_on=today - dt.timedelta(days=30),
                review_on=today + dt.timedelta(days=20),
                parties=[orgs[p] for p in parties],
                purposes=purposes,
            ),
        )
        for party in parties:
            agreement_sign(actor=staff[(party, Role.DPO)], version=version)


def _consent_some(staff: dict[tuple[str, Role], StaffMember], today: dt.date) -> None:
    """Some of the council's clients agreed to share with the college; one has since withdrawn; two
    more agreed that a referral to the college may carry some of their record (not their needs)."""
    worker = staff[("council", Role.KEY_WORKER)]
    college = staff[("college", Role.KEY_WORKER)].organisation
    notice = PrivacyNotice.objects.get(partnership=worker.organisation.partnership, status="published")
    # The council's first four clients (by reference) also work with the college.
    clients = list(
        m.Client.objects.filter(
            registered_by=worker.organisation,
            engagements__organisation=worker.organisation,
            engagements__status__in=m.LIVE_ENGAGEMENT_STATUSES,
        )
        .distinct()
        .order_by("reference")[:6]
    )
    college_worker = staff[("college", Role.KEY_WORKER)]
    for client in clients[4:]:
        consent_give(
            actor=worker,
            client=client,
            notice=notice,
            scopes=[
                ScopeChoice(purpose, category, college)
                for purpose in (Purpose.REFERRAL, Purpose.SUPPORT_COORDINATION)
                for category in ("identity", "contact", "qualifications", "journey")
            ],
            method="verbal_witnessed",
            witness_name="Tam Reid",
            valid_until=today + dt.timedelta(days=365),
            today=today,
        )
    for n, client in enumerate(clients[:4]):
        if not m.Engagement.objects.filter(
            client=client, organisation=college, status__in=m.LIVE_ENGAGEMENT_STATUSES
        ).exists():
            services.engagement_open(actor=college_worker, client=client, key_worker=college_worker)
        record = consent_give(
            actor=worker,
            client=client,
            notice=notice,
            scopes=[
                ScopeChoice(Purpose.SUPPORT_COORDINATION, category, college)
                for category in ("identity", "qualifications", "experience", "support_needs", "journey")
            ],
            method="verbal_witnessed",
            witness_name="Tam Reid",
            valid_until=today + dt.timedelta(days=365 if n % 3 else 20),
            today=today,
        )
        if n == 1:
            consent_withdraw(record=record, scopes=list(record.scopes.filter(category="support_needs")), by_client=True)


def _show_every_section(drafts: list[ClientDraft], today: dt.date) -> None:
    """Convictions are rare (about one client in twenty), so 25 drafts may hold none; the demo
    should still show a team leader what criminal offence data looks like, and a key worker that
    they cannot see it."""
    if not drafts or any(item.section == "convictions" for d in drafts for item in d.items):
        return
    draft = drafts[0]
    three_years_ago = today - dt.timedelta(days=3 * 365)
    adult = draft.identity["date_of_birth"] + dt.timedelta(days=18 * 365 + 5)
    values = {
        "status": m.ConvictionStatus.SPENT,
        "offence_summary": "Breach of the peace",
        "sentence": "Fine",
        "convicted_on": three_years_ago if adult <= three_years_ago else None,
        "disclosure_notes": "Spent; no need to disclose for most jobs.",
    }
    draft.items.append(ItemDraft("convictions", 0, values))


def _register(
    draft: ClientDraft, org_keys: list[str], staff: dict[tuple[str, Role], StaffMember], today: dt.date
) -> None:
    """One client, written as the key workers would write it, section by section."""
    workers = [staff[(key, Role.KEY_WORKER)] if key else None for key in org_keys]
    leaders = [staff.get((key, Role.TEAM_LEADER)) if key else None for key in org_keys]
    home = workers[0]
    assert home is not None
    client = services.client_register(
        actor=home, identity=draft.identity, contact=draft.contact, discoverable=draft.discoverable, today=today
    )
    for key, data in (("demographics", draft.demographics), ("caring", draft.caring)):
        services.section_save(actor=home, client=client, section_key=key, data=data, expected_version=None, today=today)
    if workers[1] is not None:
        services.engagement_open(actor=workers[1], client=client, key_worker=workers[1])
    for item in draft.items:
        actor = workers[item.slot]
        assert actor is not None
        if item.section == "convictions":
            # Key workers are not cleared for criminal offence data; their team leader records it.
            actor = leaders[item.slot] or actor
        added = services.item_add(actor=actor, client=client, section_key=item.section, data=item.values, today=today)
        if isinstance(added, m.Outcome):
            _check_follow_ups(actor, client, added, item.follow_ups, today)
    # Statuses last: a closed engagement could no longer add to the record.
    for engagement in draft.engagements:
        actor = workers[engagement.slot]
        assert actor is not None
        if engagement.status == m.EngagementStatus.REGISTERED:
            continue
        row = m.Engagement.objects.get(
            client=client, organisation_id=actor.organisation_id, status__in=m.LIVE_ENGAGEMENT_STATUSES
        )
        services.engagement_update(
            actor=actor,
            engagement=row,
            expected_version=row.version,
            status=engagement.status,
            closure_reason=engagement.closure_reason,
        )


def _check_follow_ups(
    actor: StaffMember, client: m.Client, outcome: m.Outcome, drafted: list[dict[str, Any]], today: dt.date
) -> None:
    """The service made the follow-ups NOT_DUE; record the checks the draft says were done."""
    by_week = {f.week: f for f in outcome.follow_ups.all()}
    for values in drafted:
        follow_up = by_week.get(values["week"])
        if follow_up is None or values["status"] == "NOT_DUE":
            continue
        services.section_save(
            actor=actor,
            client=client,
            section_key="follow_ups",
            item_id=follow_up.pk,
            data={"status": values["status"], "checked_on": values["checked_on"], "notes": values["notes"]},
            expected_version=follow_up.version,
            today=today,
        )
