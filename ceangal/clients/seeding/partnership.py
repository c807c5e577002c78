"""The synthetic partnership: its organisations and their staff, made once and found again by slug and email."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from ceangal.audit.services import audit_record
from ceangal.clients.seeding.phrases import FAMILY_NAMES, FIFE, GIVEN_NAMES
from ceangal.partners.models import Organisation, OrganisationType, Partnership, StaffMember, User
from ceangal.partners.roles import Role
from ceangal.partners.services import staff_create

DEFAULT_SLUG = "fife-synthetic"
DEFAULT_NAME = "Fife Employability Partnership (synthetic)"


@dataclass(frozen=True)
class OrgPlan:
    slug: str
    name: str
    org_type: OrganisationType
    local_authority: str
    key_workers: int
    weight: int  # relative share of the clients registered here
    extra_roles: tuple[Role, ...] = (Role.DPO,)


_T = OrganisationType
# Twenty partners of the kinds a Fife partnership has, all made up (their names get "(synthetic)").
# Weights are each one's relative share of registrations: the council's employability service and
# the college register most, the specialist services a few. Every partner has a DPO, who signs
# its information sharing agreements (ceangal.policy.seeding).
ORGANISATIONS: tuple[OrgPlan, ...] = (
    OrgPlan("fife-council", "Fife Council Employability", _T.LOCAL_AUTHORITY, FIFE, 6, 30, (Role.DPO, Role.ANALYST)),
    OrgPlan("fife-college", "Fife College", _T.COLLEGE, "", 4, 15),
    OrgPlan("linktown-works", "Linktown Works", _T.THIRD_SECTOR, "", 3, 14),
    OrgPlan("east-neuk-futures", "East Neuk Futures", _T.THIRD_SECTOR, "", 3, 11),
    OrgPlan("sds-fife", "Skills Development Scotland, Fife", _T.SDS, "", 3, 9),
    OrgPlan("jcp-kirkcaldy", "Jobcentre Plus Kirkcaldy", _T.JOBCENTRE_PLUS, "", 2, 9),
    OrgPlan("fife-working-health", "Fife Working Health Service", _T.HEALTH, "", 2, 4),
    OrgPlan("fife-housing-options", "Fife Housing Options", _T.HOUSING, FIFE, 2, 4),
    OrgPlan("fife-justice-services", "Fife Justice Social Work", _T.JUSTICE, FIFE, 2, 4),
    OrgPlan("jcp-dunfermline", "Jobcentre Plus Dunfermline", _T.JOBCENTRE_PLUS, "", 2, 7),
    OrgPlan("fife-cld", "Fife Community Learning and Development", _T.LOCAL_AUTHORITY, FIFE, 3, 6),
    OrgPlan("jcp-glenrothes", "Jobcentre Plus Glenrothes", _T.JOBCENTRE_PLUS, "", 2, 5),
    OrgPlan("levenmouth-skills-hub", "Levenmouth Skills Hub", _T.THIRD_SECTOR, "", 2, 5),
    OrgPlan("west-fife-youth-pathways", "West Fife Youth Pathways", _T.THIRD_SECTOR, "", 2, 5),
    OrgPlan("sds-dunfermline", "Skills Development Scotland, Dunfermline", _T.SDS, "", 2, 4),
    OrgPlan("kingdom-lone-parents", "Kingdom Lone Parents Network", _T.THIRD_SECTOR, "", 2, 3),
    OrgPlan("fife-recovery-works", "Fife Recovery into Work", _T.HEALTH, "", 2, 3),
    OrgPlan("fife-carers-link", "Fife Carers' Link", _T.THIRD_SECTOR, "", 1, 2),
    OrgPlan("forth-coast-tenancy", "Forth Coast Housing Tenancy Support", _T.HOUSING, "", 1, 2),
    OrgPlan("fife-throughcare", "Fife Prison Throughcare Service", _T.JUSTICE, FIFE, 1, 2),
)
JOB_TITLES = {
    Role.KEY_WORKER: "Employability key worker",
    Role.TEAM_LEADER: "Team leader",
    Role.ORG_ADMIN: "Systems administrator",
    Role.DPO: "Data protection officer",
    Role.ANALYST: "Performance analyst",
    Role.AUDITOR: "Internal auditor",
}


@dataclass
class SeedOrganisation:
    organisation: Organisation
    plan: OrgPlan
    key_workers: list[StaffMember]


@dataclass
class SeedPartnership:
    partnership: Partnership
    organisations: list[SeedOrganisation]
    created: bool
    staff_created: int


def _staff_roles(plan: OrgPlan) -> Iterator[tuple[Role, int]]:
    for n in range(1, plan.key_workers + 1):
        yield Role.KEY_WORKER, n
    yield Role.TEAM_LEADER, 1
    yield Role.ORG_ADMIN, 1
    for role in plan.extra_roles:
        yield role, 1


def staff_email(partnership_slug: str, org_slug: str, role: Role, number: int) -> str:
    return f"{org_slug}.{role.value.replace('_', '')}{number}@{partnership_slug}.example.org"


def ensure_partnership(*, slug: str, name: str, today: dt.date, staff_password: str | None = None) -> SeedPartnership:
    """The synthetic partnership with its organisations and staff, made once: a second run finds
    them by slug and email and makes nothing twice."""
    staff_created = 0
    with transaction.atomic():
        partnership = Partnership.objects.filter(slug=slug).first()
        created = partnership is None
        if partnership is None:
            partnership = Partnership.objects.create(name=name, slug=slug, local_authority=FIFE)
            _audit_setup("seed.partnership_created", "partners.partnership", partnership.pk, None, name=name)
        organisations: list[SeedOrganisation] = []
        for plan in ORGANISATIONS:
            organisation = Organisation.objects.filter(partnership=partnership, slug=plan.slug).first()
            if organisation is None:
                organisation = Organisation.objects.create(
                    partnership=partnership,
                    name=f"{plan.name} (synthetic)",
                    slug=plan.slug,
                    org_type=plan.org_type,
                    local_authority=plan.local_authority,
                    contact_email=f"{plan.slug}@{slug}.example.org",
                )
                _audit_setup("seed.organisation_created", "partners.organisation", organisation.pk, organisation.pk)
            for role, number in _staff_roles(plan):
                email = staff_email(slug, plan.slug, role, number)
                if User.objects.filter(email__iexact=email).exists():
                    continue
                # Staff names do not depend on the seed, so reseeding never renames anyone.
                rng = random.Random(f"ceangal-staff:{plan.slug}:{role.value}:{number}")
                staff_create(
                    organisation=organisation,
                    email=email,
                    first_name=rng.choice(GIVEN_NAMES),
                    last_name=rng.choice(FAMILY_NAMES),
                    role=role,
                    password=staff_password,
                    job_title=JOB_TITLES[role],
                    training_completed_on=today - dt.timedelta(days=rng.randint(20, 200)),
                )
                staff_created += 1
            workers = list(
                StaffMember.objects.filter(organisation=organisation, role=Role.KEY_WORKER, active=True)
                .select_related("user")
                .order_by("pk")
            )
            organisations.append(SeedOrganisation(organisation, plan, workers))
    return SeedPartnership(partnership, organisations, created, staff_created)


def _audit_setup(action: str, object_type: str, object_id: int, organisation_id: int | None, **detail: Any) -> None:
    audit_record(
        actor_user_id=None,
        organisation_id=organisation_id,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail={"synthetic": True, **detail},
    )
