"""The generated matrix of issue 3: every client-data view of a partner's item, for every state a
reader can be in. The item is a health condition the council supplied; the reader is at the college
unless the state says otherwise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.models import ConsentRecord
from ceangal.consent.services import ScopeChoice, consent_give, consent_withdraw
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.breakglass import break_glass_open
from ceangal.testing.factories import Personas, make_agreement, make_client, make_notice, make_staff

pytestmark = pytest.mark.django_db
SECRET = "SYNTHETIC-HEALTH-DETAIL-7731"
PURPOSE = "support_coordination"

# (name, path template, kind): every view that can show the item.
VIEWS = [
    ("record page", "/clients/{id}/", "web"),
    ("record API", "/api/v1/clients/{id}", "api"),
    ("section API", "/api/v1/clients/{id}/sections/health", "api"),
]


@dataclass
class Expect:
    web: int
    api: int
    shows_item: bool


def _world(personas: Personas) -> Any:
    make_agreement([personas.council_dpo, personas.college_dpo])
    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="health",
        data={"condition_type": "MENTAL", "limitation": "LITTLE", "details": SECRET},
    )
    return client


def _consent(personas: Personas, client: Any) -> ConsentRecord:
    notice = make_notice(personas.council_dpo)
    return consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        method="verbal_witnessed",
        witness_name="Tam",
        valid_until=timezone.localdate() + dt.timedelta(days=90),
        scopes=[ScopeChoice(PURPOSE, "health", personas.college)],
    )


def anonymous(p: Personas, c: Any) -> tuple[StaffMember | None, Expect]:
    return None, Expect(302, 401, False)


def outsider(p: Personas, c: Any) -> tuple[StaffMember | None, Expect]:
    return p.outsider, Expect(404, 404, False)


def engaged_not_consented(p: Personas, c: Any) -> tuple[StaffMember | None, Expect]:
    engagement_open(actor=p.college_worker, client=c)
    return p.college_worker, Expect(200, 200, False)


def consented(p: Personas, c: Any) -> tuple[StaffMember | None, Expect]:
    engagement_open(actor=p.college_worker, client=c)
    _consent(p, c)
    return p.college_worker, Expect(200, 200, True)


def consented_clearance_too_low(p: Personas, c: Any) -> tuple[StaffMember | None, Expect]:
    engagement_open(actor=p.college_worker, client=c)
    _consent(p, c)
    auditor = make_staff(p.college, Role.AUDITOR)  # cleared for standard and sensitive, not health
    return auditor, Expect(200, 200, False)


def consent_withdrawn(p: Personas, c: Any) -> tuple[StaffMember | None, Expect]:
    engagement_open(actor=p.college_worker, client=c)
    consent_withdraw(record=_consent(p, c), by_client=True)
    return p.college_worker, Expect(200, 200, False)


def consent_expired(p: Personas, c: Any) -> tuple[StaffMember | None, Expect]:
    engagement_open(actor=p.college_worker, client=c)
    record = _consent(p, c)
    ConsentRecord.objects.filter(pk=record.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    return p.college_worker, Expect(200, 200, False)


def break_glass(p: Personas, c: Any) -> tuple[StaffMember | None, Expect]:
    break_glass_open(
        actor=p.college_worker,
        client_id=c.pk,
        categories=["health"],
        ground="safeguarding",
        reason="Risk of harm disclosed in a session this morning.",
    )
    return p.college_worker, Expect(200, 200, True)


STATES: list[Callable[[Personas, Any], tuple[StaffMember | None, Expect]]] = [
    anonymous,
    outsider,
    engaged_not_consented,
    consented,
    consented_clearance_too_low,
    consent_withdrawn,
    consent_expired,
    break_glass,
]


@pytest.mark.parametrize("view", VIEWS, ids=[v[0] for v in VIEWS])
@pytest.mark.parametrize("state", STATES, ids=[s.__name__ for s in STATES])
def test_matrix(personas, state, view):
    _name, template, kind = view
    client = _world(personas)
    reader, expect = state(personas, client)
    browser = Client()
    if reader is not None:
        browser.force_login(reader.user)
    response = browser.get(template.format(id=client.pk))
    assert response.status_code == (expect.web if kind == "web" else expect.api)
    body = response.content.decode()
    assert (SECRET in body) is expect.shows_item
    if response.status_code == 200 and not expect.shows_item:
        # A hidden item is never silent: the reason is on the page or in the response.
        assert any(words in body for words in ("not agreed", "not cleared", "not shared", "no information sharing"))
