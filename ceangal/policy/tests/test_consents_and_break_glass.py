from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core import mail
from django.utils import timezone

from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.exports import to_fhir_r5, to_iso27560, to_kantara
from ceangal.consent.services import ScopeChoice, consent_give, consent_withdraw
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.partners.roles import Role
from ceangal.policy.breakglass import break_glass_open, break_glass_review
from ceangal.policy.consents import break_glass_queue, client_consents, consent_document
from ceangal.policy.models import BreakGlassGrant
from ceangal.policy.selectors import client_record
from ceangal.testing.factories import (
    make_agreement,
    make_client,
    make_notice,
    make_organisation,
    make_partnership,
    make_staff,
)

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"


def test_consent_views_and_exports_from_a_real_record(personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    client = make_client(personas.council_worker)
    record = consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        method="verbal_witnessed",
        witness_name="Tam",
        valid_until=timezone.localdate() + dt.timedelta(days=365),
        scopes=[ScopeChoice(PURPOSE, "identity", personas.college), ScopeChoice(PURPOSE, "health", personas.college)],
    )
    consent_withdraw(record=record, scopes=[record.scopes.get(category="health")], by_client=True)
    [view] = client_consents(actor=personas.council_worker, client_id=client.pk, purpose=PURPOSE)
    assert view.in_force
    assert {s.category: s.in_force for s in view.scopes} == {"identity": True, "health": False}
    document = consent_document(actor=personas.council_worker, record_id=record.pk, purpose=PURPOSE)
    assert document.client_ref == client.reference
    assert to_iso27560(document)
    assert to_kantara(document)["piiPrincipalId"] == client.reference
    assert to_fhir_r5(document)["resourceType"] == "Consent"
    with pytest.raises(NotFound):
        client_consents(actor=personas.outsider, client_id=client.pk, purpose=PURPOSE)


def test_break_glass_is_narrow_audited_reviewed_and_never_silent(personas, django_capture_on_commit_callbacks):
    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="health",
        data={"condition_type": "MENTAL", "limitation": "LOT"},
    )
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N4", "scqf_level": "SCQF04"},
    )
    with pytest.raises(NotFound):
        client_record(actor=personas.college_worker, client_id=client.pk, purpose="safeguarding")
    with pytest.raises(InvalidInput) as caught:
        break_glass_open(
            actor=personas.college_worker,
            client_id=client.pk,
            categories=["health"],
            ground="safeguarding",
            reason="short",
        )
    assert "reason" in caught.value.errors
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        grant = break_glass_open(
            actor=personas.college_worker,
            client_id=client.pk,
            categories=["health"],
            ground="safeguarding",
            reason="Client disclosed a risk of harm during a session today.",
        )
    # One email to each DPO of the partnership, naming no client.
    assert {m.to[0] for m in mail.outbox} == {personas.council_dpo.user.email, personas.college_dpo.user.email}
    assert all(client.reference not in m.body for m in mail.outbox)
    view = client_record(actor=personas.college_worker, client_id=client.pk, purpose="safeguarding")
    assert len(view.section("health").items) == 1
    assert not view.section("qualifications").permitted  # narrow: only what was chosen
    [queued] = break_glass_queue(actor=personas.council_dpo)
    assert queued.id == grant.pk
    with pytest.raises(NotPermitted):
        break_glass_queue(actor=personas.council_worker)
    break_glass_review(
        actor=personas.council_dpo, grant=grant, outcome="not_justified", note="No risk recorded elsewhere."
    )
    assert break_glass_queue(actor=personas.council_dpo) == []
    with pytest.raises(NotFound):  # ended at once by the review
        client_record(actor=personas.college_worker, client_id=client.pk, purpose="safeguarding")


def test_break_glass_within_clearance_only(personas):
    client = make_client(personas.council_worker)
    engagement_open(actor=personas.college_worker, client=client)
    with pytest.raises(InvalidInput) as caught:
        break_glass_open(
            actor=personas.college_worker,
            client_id=client.pk,
            categories=["convictions"],
            ground="vital_interests",
            reason="Client at immediate risk; police asked about history.",
        )
    assert "not cleared" in caught.value.errors["categories"][0]


def test_break_glass_on_another_partnerships_client_is_not_found(personas):
    """Another partnership's client is answered exactly as a client that does not exist."""
    elsewhere = make_staff(make_organisation(make_partnership("Another partnership"), "Far Council"), Role.KEY_WORKER)
    far_client = make_client(elsewhere)
    reason = "Client at immediate risk; police asked for contact details."

    def open_for(actor, client_id):
        return break_glass_open(
            actor=actor, client_id=client_id, categories=["contact"], ground="vital_interests", reason=reason
        )

    with pytest.raises(NotFound) as foreign:
        open_for(personas.council_worker, far_client.pk)
    with pytest.raises(NotFound) as unknown:
        open_for(personas.council_worker, uuid.uuid4())
    assert str(foreign.value) == str(unknown.value)
    # Even a bad request is refused as not found first: nothing about the client is checked.
    with pytest.raises(NotFound):
        break_glass_open(actor=personas.council_worker, client_id=far_client.pk, categories=[], ground="", reason="")
    assert not BreakGlassGrant.objects.exists()
    # Within its own partnership the same request opens.
    assert open_for(elsewhere, far_client.pk).client_id == far_client.pk
