"""Small worlds several apps' tests share, built through the real services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from ceangal.agreements.models import PrivacyNotice
from ceangal.clients import models as cm
from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.models import ConsentRecord
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.testing.factories import Personas, make_agreement, make_client, make_notice

SUPPORT_COORDINATION = "support_coordination"


@dataclass
class SharingWorld:
    """A client the council registered (a qualification and a health condition recorded), whom
    Fife College also supports, with a consent letting the college see their name and
    qualifications for coordinating support."""

    client: cm.Client
    consent: ConsentRecord
    notice: PrivacyNotice


def sharing_world(
    personas: Personas,
    *,
    given_name: str = "Eilidh",
    family_name: str = "Synthetic",
    qualification: str = "N5 English",
    health_details: str = "Anxiety in crowds",
) -> SharingWorld:
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    client = make_client(personas.council_worker, given_name=given_name, family_name=family_name)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": qualification, "scqf_level": "SCQF05"},
    )
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="health",
        data={"condition_type": "MENTAL", "limitation": "LITTLE", "details": health_details},
    )
    engagement_open(actor=personas.college_worker, client=client)
    consent = consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[
            ScopeChoice(SUPPORT_COORDINATION, "identity", personas.college),
            ScopeChoice(SUPPORT_COORDINATION, "qualifications", personas.college),
        ],
        method="verbal_witnessed",
        witness_name="Tam Person",
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )
    return SharingWorld(client, consent, notice)
