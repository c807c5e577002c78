"""The world of the matrix: a client of the council with a secret in each of three categories, and
the states a reader at the college can be in."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ceangal.clients import models as cm
from ceangal.clients.services import document_upload, engagement_open, item_add
from ceangal.consent.models import ConsentRecord
from ceangal.consent.services import ScopeChoice, consent_give, consent_refuse, consent_withdraw
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.breakglass import break_glass_open
from ceangal.testing.factories import Personas, make_agreement, make_client, make_notice, make_staff

PURPOSE = "support_coordination"
HEALTH, IDENTITY, DOCUMENTS = "health", "identity", "documents"
SECRETS = {
    HEALTH: "SYNTHETIC-HEALTH-DETAIL-7731",
    IDENTITY: "Zebedina",  # the client's given name
    DOCUMENTS: "SYNTHETIC-DOC-5519",  # in the file's name and its content
}
# What a page or response says when it keeps something back.
REASONS = (
    "not agreed",
    "withdrawn their consent",
    "not cleared",
    "not shared",
    "no information sharing",
    "not working with this client",
    "ask them to correct it",
    "cannot change client records",
)


# --- The world --------------------------------------------------------------------------------


@dataclass
class World:
    p: Personas
    client: cm.Client
    health_id: int = 0
    document_id: int = 0
    consent_id: uuid.UUID | None = None
    reader: StaffMember | None = None
    engagement_id: int = 0


def build_world(p: Personas) -> World:
    make_agreement([p.council_dpo, p.college_dpo])
    client = make_client(p.council_worker, given_name=SECRETS[IDENTITY])
    health = item_add(
        actor=p.council_worker,
        client=client,
        section_key=HEALTH,
        data={"condition_type": "MENTAL", "limitation": "LITTLE", "details": SECRETS[HEALTH]},
    )
    document = document_upload(
        actor=p.council_worker,
        client=client,
        title="Letter from the GP",
        kind="letter",
        upload=SimpleUploadedFile(
            f"fit-note-{SECRETS[DOCUMENTS]}.txt", f"Fit note. {SECRETS[DOCUMENTS]}\n".encode(), "text/plain"
        ),
    )
    # A consent every state has (for contact details, which the client has none of), so that the
    # receipt pages have a record to show in every state.
    baseline = _consent(p, client, ["contact"])
    return World(p, client, health.pk, document.pk, baseline.pk)


def _consent(p: Personas, client: cm.Client, categories: list[str]) -> ConsentRecord:
    return consent_give(
        actor=p.council_worker,
        client=client,
        notice=make_notice(p.council_dpo),
        method="verbal_witnessed",
        witness_name="Tam",
        valid_until=timezone.localdate() + dt.timedelta(days=90),
        scopes=[ScopeChoice(PURPOSE, category, p.college) for category in categories],
    )


# --- The states: who reads, and what they may see ---------------------------------------------


@dataclass(frozen=True)
class State:
    name: str
    setup: Callable[[World], StaffMember | None]
    sees: frozenset[str] = frozenset()  # the categories of the council's data the reader may see
    engaged: bool = True  # the reader's organisation works with the client
    signed_in: bool = True
    casework: bool = True  # a key worker or team leader
    uncleared: frozenset[str] = frozenset()  # categories the reader's role is not cleared for
    break_glass: frozenset[str] = frozenset()


def _engaged(w: World) -> StaffMember:
    engagement_open(actor=w.p.college_worker, client=w.client)
    return w.p.college_worker


def _consented(w: World) -> StaffMember:
    _consent(w.p, w.client, [HEALTH, IDENTITY, DOCUMENTS])
    return _engaged(w)


def _low_clearance(w: World) -> StaffMember:
    _consented(w)
    return make_staff(w.p.college, Role.AUDITOR)  # cleared for standard and sensitive, not health


def _withdrawn(w: World) -> StaffMember:
    consent_withdraw(record=_consent(w.p, w.client, [HEALTH, IDENTITY, DOCUMENTS]), by_client=True)
    return _engaged(w)


def _refused(w: World) -> StaffMember:
    """Asked to share all three with the college, the client said no."""
    consent_refuse(
        actor=w.p.council_worker,
        client=w.client,
        notice=make_notice(w.p.council_dpo),
        method="verbal_witnessed",
        scopes=[ScopeChoice(PURPOSE, category, w.p.college) for category in (HEALTH, IDENTITY, DOCUMENTS)],
    )
    return _engaged(w)


def _referred(w: World) -> StaffMember:
    """The council has referred the client to a college service; the college has not answered. It
    may read the packet for the referral (the referral pages), and nothing on these views."""
    from ceangal.directory.tests.factories import make_service
    from ceangal.referrals.services import referral_create

    service = make_service(
        w.p.college_leader,
        min_age=None,
        max_age=None,
        local_authorities=[],
        postcode_areas=[],
        categories_needed=[HEALTH, IDENTITY, DOCUMENTS],
    )
    _consent(w.p, w.client, [HEALTH, IDENTITY, DOCUMENTS])
    referral_create(
        actor=w.p.council_worker, client_id=w.client.pk, service_id=service.pk, reason="A course.", send=True
    )
    return w.p.college_worker


def _expired(w: World) -> StaffMember:
    record = _consent(w.p, w.client, [HEALTH, IDENTITY, DOCUMENTS])
    ConsentRecord.objects.filter(pk=record.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    return _engaged(w)


def _break_glass(w: World) -> StaffMember:
    break_glass_open(
        actor=w.p.college_worker,
        client_id=w.client.pk,
        categories=[HEALTH, DOCUMENTS],
        ground="safeguarding",
        reason="Risk of harm disclosed in a session this morning.",
    )
    return w.p.college_worker


GLASS = frozenset({HEALTH, DOCUMENTS})
STATES = [
    State("anonymous", lambda w: None, engaged=False, signed_in=False),
    State("outsider", lambda w: w.p.outsider, engaged=False),
    State("engaged_not_consented", _engaged),
    State("consented", _consented, frozenset({HEALTH, IDENTITY, DOCUMENTS})),
    State(
        "consented_clearance_too_low",
        _low_clearance,
        frozenset({IDENTITY, DOCUMENTS}),
        casework=False,
        uncleared=frozenset({HEALTH}),
    ),
    State("consent_withdrawn", _withdrawn),
    State("consent_refused", _refused),
    State("consent_expired", _expired),
    # A referral waiting with the college opens only its packet, for the referral: none of these.
    State("referral_waiting", _referred, engaged=False),
    # No engagement: break-glass alone opens the record, for what the grant names (not identity).
    State("break_glass", _break_glass, GLASS, engaged=False, break_glass=GLASS),
]
