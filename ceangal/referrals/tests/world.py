"""A referral world: the council refers its client to the college's service under an agreement that
covers referral and support coordination on consent, with the client's consent for some categories."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ceangal.agreements.models import PrivacyNotice
from ceangal.agreements.services import PurposeTerms
from ceangal.clients import models as cm
from ceangal.clients.services import item_add
from ceangal.consent.models import ConsentRecord
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.directory.models import Service
from ceangal.directory.tests.factories import make_service
from ceangal.testing.factories import Personas, make_agreement, make_client, make_notice

ALL_BUT_CONVICTIONS = [
    "identity",
    "contact",
    "demographics",
    "qualifications",
    "experience",
    "support_needs",
    "health",
    "caring",
    "benefits",
    "journey",
    "outcomes",
    "documents",
]
AGREED = ["identity", "contact", "qualifications"]


@dataclass
class World:
    personas: Personas
    client: cm.Client
    service: Service
    notice: PrivacyNotice
    consent: ConsentRecord | None


def consent_for(personas: Personas, client: cm.Client, notice: PrivacyNotice, categories: list[str], **extra: Any):
    scopes = [
        ScopeChoice(purpose=purpose, category=category, recipient_organisation=personas.college)
        for purpose in ("referral", "support_coordination")
        for category in categories
    ]
    return consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=scopes,
        method="verbal_witnessed",
        witness_name="Tam Person",
        valid_until=timezone.localdate() + dt.timedelta(days=365),
        **extra,
    )


def make_world(personas: Personas, *, consent: list[str] | None = AGREED, **service: Any) -> World:
    make_agreement(
        [personas.council_dpo, personas.college_dpo],
        purposes=[
            PurposeTerms(purpose, "consent", ALL_BUT_CONVICTIONS, article9_condition="A9-2-a")
            for purpose in ("referral", "support_coordination")
        ],
    )
    notice = make_notice(personas.council_dpo)
    client = make_client(
        personas.council_worker,
        given_name="Morag",
        family_name="Macleod",
        date_of_birth=(timezone.localdate() - dt.timedelta(days=365 * 20)).isoformat(),
    )
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5 English", "scqf_level": "SCQF05"},
    )
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="health",
        data={"condition_type": "MENTAL", "limitation": "LITTLE"},
    )
    options: dict[str, Any] = {
        "categories_needed": ["identity", "contact", "qualifications", "health"],
        "min_age": None,
        "max_age": None,
        "local_authorities": [],
        "postcode_areas": [],
    }
    made = make_service(personas.college_leader, **(options | service))
    record = consent_for(personas, client, notice, consent) if consent else None
    return World(personas=personas, client=client, service=made, notice=notice, consent=record)
