"""Factories and personas for tests: real rows made through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ceangal.agreements.models import AgreementVersion, PrivacyNotice
from ceangal.agreements.services import (
    AgreementTerms,
    NoticeTerms,
    PurposeTerms,
    agreement_create,
    agreement_sign,
    notice_create,
    notice_publish,
)
from ceangal.clients import models as cm
from ceangal.clients.services import client_register, client_set_discoverable
from ceangal.partners.models import Organisation, OrganisationType, Partnership, StaffMember
from ceangal.partners.roles import Role
from ceangal.partners.services import staff_create
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose

PASSWORD = "correct-horse-battery-staple-7"
_seq = itertools.count(1)


def make_partnership(name: str = "Test Partnership") -> Partnership:
    slug = f"test-{next(_seq)}"
    return Partnership.objects.create(name=name, slug=slug, local_authority="S12000047")


def make_organisation(
    partnership: Partnership, name: str, org_type: str = OrganisationType.THIRD_SECTOR, local_authority: str = ""
) -> Organisation:
    slug = f"org-{next(_seq)}"
    return Organisation.objects.create(
        partnership=partnership,
        name=name,
        slug=slug,
        org_type=org_type,
        local_authority=local_authority,
        contact_email=f"dataprotection@{slug}.example.org",
        contact_phone="01592 000000",
        address="1 Synthetic Street, Kirkcaldy, KY1 1XX",
    )


def make_staff(
    organisation: Organisation,
    role: Role | str = Role.KEY_WORKER,
    *,
    first_name: str = "Test",
    last_name: str | None = None,
    email: str | None = None,
    trained: bool = True,
    active: bool = True,
) -> StaffMember:
    n = next(_seq)
    staff = staff_create(
        organisation=organisation,
        email=email or f"staff{n}@example.org",
        first_name=first_name,
        last_name=last_name or f"Person{n}",
        role=role,
        password=PASSWORD,
        training_completed_on=timezone.localdate() - dt.timedelta(days=30) if trained else None,
    )
    if not active:
        staff.active = False
        staff.save(update_fields=["active"])
        staff.user.is_active = False
        staff.user.save(update_fields=["is_active"])
    return staff


def identity_data(**overrides: Any) -> dict[str, Any]:
    n = next(_seq)
    data: dict[str, Any] = {
        "given_name": "Morag",
        "family_name": f"Testperson{n}",
        "date_of_birth": "1998-04-12",
        "ni_number": "",
        "postcode": "KY1 1XX",
        "local_authority": "S12000047",
    }
    data.update(overrides)
    return data


def make_client(actor: StaffMember, **identity: Any) -> cm.Client:
    return client_register(actor=actor, identity=identity_data(**identity))


@dataclass
class Personas:
    """Two partners working together, an outsider who must see nothing, and a lapsed account."""

    partnership: Partnership
    council: Organisation
    college: Organisation
    outsider_org: Organisation
    council_worker: StaffMember
    council_leader: StaffMember
    college_worker: StaffMember
    college_leader: StaffMember
    outsider: StaffMember
    inactive: StaffMember
    untrained: StaffMember
    council_admin: StaffMember
    analyst: StaffMember
    council_dpo: StaffMember
    college_dpo: StaffMember


def make_personas() -> Personas:
    partnership = make_partnership()
    council = make_organisation(
        partnership, "Fife Council Employability", OrganisationType.LOCAL_AUTHORITY, "S12000047"
    )
    college = make_organisation(partnership, "Fife College", OrganisationType.COLLEGE)
    outsider_org = make_organisation(partnership, "Elsewhere Trust", OrganisationType.THIRD_SECTOR)
    return Personas(
        partnership=partnership,
        council=council,
        college=college,
        outsider_org=outsider_org,
        council_worker=make_staff(council, Role.KEY_WORKER, first_name="Kirsty"),
        council_leader=make_staff(council, Role.TEAM_LEADER, first_name="Tam"),
        college_worker=make_staff(college, Role.KEY_WORKER, first_name="Calum"),
        college_leader=make_staff(college, Role.TEAM_LEADER, first_name="Catriona"),
        outsider=make_staff(outsider_org, Role.KEY_WORKER, first_name="Oscar"),
        inactive=make_staff(council, Role.KEY_WORKER, first_name="Ina", active=False),
        untrained=make_staff(council, Role.KEY_WORKER, first_name="Una", trained=False),
        council_admin=make_staff(council, Role.ORG_ADMIN, first_name="Ailsa"),
        analyst=make_staff(council, Role.ANALYST, first_name="Angus"),
        council_dpo=make_staff(council, Role.DPO, first_name="Dana"),
        college_dpo=make_staff(college, Role.DPO, first_name="Dougal"),
    )


def make_notice(dpo: StaffMember, *, recipients: list[Organisation] | None = None, **overrides: Any) -> PrivacyNotice:
    """A published notice that covers every purpose and category, naming the given recipients."""
    partnership = dpo.organisation.partnership
    organisations = list(partnership.organisations.all())
    terms = NoticeTerms(
        title=overrides.pop("title", "How the partnership uses your information"),
        body="We share what you agree to, with the partners you choose, to support you into work.",
        purposes=overrides.pop("purposes", list(Purpose.values)),
        categories=overrides.pop("categories", list(DataCategory.values)),
        controllers=organisations,
        recipients=recipients if recipients is not None else organisations,
        recipient_types=overrides.pop("recipient_types", []),
        retention="Six years after support ends.",
        rights="You can see, correct or withdraw at any time, and complain to the ICO.",
    )
    return notice_publish(actor=dpo, notice=notice_create(actor=dpo, terms=terms))


def make_agreement(
    dpos: list[StaffMember],
    *,
    purposes: list[PurposeTerms] | None = None,
    title: str = "Support coordination",
) -> AgreementVersion:
    """An agreement between the DPOs' organisations, signed by each so that it is active."""
    today = timezone.localdate()
    terms = AgreementTerms(
        summary="To coordinate support for shared clients.",
        frequency="ad_hoc",
        retention="Kept while the client is supported and six years after.",
        retention_months=72,
        on_end="destroy",
        starts_on=today - dt.timedelta(days=1),
        review_on=today + dt.timedelta(days=300),
        parties=[d.organisation for d in dpos],
        purposes=purposes
        or [
            PurposeTerms(
                "support_coordination",
                "consent",
                [c.value for c in DataCategory if c != DataCategory.CONVICTIONS],
                article9_condition="A9-2-a",
            )
        ],
    )
    version = agreement_create(actor=dpos[0], title=f"{title} {next(_seq)}", terms=terms)
    for dpo in dpos:
        agreement_sign(actor=dpo, version=version)
    version.refresh_from_db()
    return version


def make_discoverable_morag(personas: Personas) -> cm.Client:
    """Morag McLeod, known to the college, who agreed that other partners' searches may be told so."""
    client = make_client(
        personas.college_worker,
        given_name="Morag",
        family_name="McLeod",
        date_of_birth="1998-04-12",
        postcode="KY1 1YG",
        ni_number="AB123456C",
    )
    client_set_discoverable(actor=personas.college_worker, client=client, discoverable=True)
    return client
