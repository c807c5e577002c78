"""Erasure (Art 17) through a request: refused while a legal hold stands; otherwise one transaction
after which no row anywhere in the project refers to the client or holds their details, except
the tombstone, the erasure record, the rights requests (their free text blanked), audit events,
ledger entries (whose hash chain still verifies) and the notices to recipients. It sits with the
web tests, at the top layer, because it looks into every app."""

from __future__ import annotations

import uuid

import pytest
from django.apps import apps
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import TestCase

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.erasure import Exemption
from ceangal.clients.holds import hold_lift, hold_place
from ceangal.clients.restrictions import restriction_lift, restriction_start
from ceangal.clients.services import document_upload, section_save
from ceangal.consent.models import ConsentRecord
from ceangal.errors import InvalidInput
from ceangal.ledger.models import LedgerEntry
from ceangal.ledger.verify import ledger_verify
from ceangal.notifications.models import WebhookDelivery
from ceangal.notifications.webhooks import subscription_create
from ceangal.partners.roles import Role
from ceangal.policy.breakglass import break_glass_open
from ceangal.portal.models import PortalAccess
from ceangal.portal.services import access_set_up
from ceangal.referrals import services as referral_services
from ceangal.referrals.models import Message, Referral
from ceangal.referrals.tests.world import make_world
from ceangal.rights import actions
from ceangal.rights.models import RightsRequest, RightsRequestEvent
from ceangal.rights.services import request_verify_identity
from ceangal.rights.tests.factories import log_request
from ceangal.testing.factories import make_staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"
EMAIL = "morag.macleod.erase@example.org"
NI = "JT654321B"
CONTACT_NOTE = "Prefers calls after Morag's shift at the bakery"

# What may still point at an erased client, and why.
ALLOWED = {
    cm.Client,  # the tombstone
    cm.ErasureRecord,  # the proof, in counts
    cm.RecipientNotice,  # who was told (Art 19)
    RightsRequest,  # the request itself, its free text blanked
    AuditEvent,  # what was done, with field names and no values
    LedgerEntry,  # who saw what, by pseudonymous id; append-only and chained
}


@pytest.fixture
def world(personas):
    world = make_world(personas)
    client = world.client
    section_save(
        actor=personas.council_worker,
        client=client,
        section_key="identity",
        data={"ni_number": NI},
        expected_version=1,
    )
    section_save(
        actor=personas.council_worker,
        client=client,
        section_key="contact",
        data={"email": EMAIL, "contact_notes": CONTACT_NOTE},
        expected_version=None,
    )
    document_upload(
        actor=personas.council_worker,
        client=client,
        title="CV",
        kind="cv",
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )
    access_set_up(actor=personas.council_worker, client_id=client.pk, email=EMAIL)
    draft = referral_services.referral_draft(
        actor=personas.council_worker,
        client_id=client.pk,
        service_id=world.service.pk,
        reason="Morag wants a college course in care.",
    )
    referral = referral_services.referral_send(actor=personas.council_worker, referral=draft)
    referral_services.message_send(
        actor=personas.college_worker,
        referral=referral,
        to_organisation_id=personas.council.pk,
        body="Morag starts on Monday.",
    )
    referral_services.referral_accept(actor=personas.college_worker, referral=referral)
    from ceangal.policy.selectors import client_record

    client_record(actor=personas.college_worker, client_id=client.pk, purpose="support_coordination")
    break_glass_open(
        actor=personas.outsider,
        client_id=client.pk,
        categories=["identity", "contact"],
        ground="safeguarding",
        reason="Morag said she was in danger at home.",
    )
    client_record(actor=personas.outsider, client_id=client.pk, purpose="safeguarding")
    restriction = restriction_start(actor=personas.council_dpo, client=client, reason="Morag disputed her record.")
    restriction_lift(actor=personas.council_dpo, restriction=restriction, client_told_on=restriction.started_at.date())
    return world


def erasure_request(personas, client):
    request = log_request(personas.council_worker, client.pk, kind="erasure", details="Morag Macleod: delete it all.")
    return request_verify_identity(
        actor=personas.council_dpo, request=request, method="photo_id", note="Morag's passport"
    )


def _client_refs(model: type[models.Model], client_id: uuid.UUID) -> int:
    """How many rows of `model` refer to the client: by a foreign key to Client, or a client_id."""
    found = 0
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model is cm.Client:
            found += model._default_manager.filter(**{field.attname: client_id}).count()
        elif field.attname == "client_id":
            found += model._default_manager.filter(client_id=client_id).count()
    return found


def _text_holding(model: type[models.Model], secrets: tuple[str, ...]) -> list[str]:
    """Rows whose text (decrypted, JSON included) holds any of the secrets."""
    hits = []
    for row in model._default_manager.all():
        for field in model._meta.concrete_fields:
            value = str(getattr(row, field.attname, ""))
            for secret in secrets:
                if secret.lower() in value.lower():
                    hits.append(f"{model._meta.label}.{field.name}")
    return hits


def test_erasure_leaves_nothing_about_the_client_but_the_tombstone_and_the_proof(world, personas):
    client = world.client
    admin = make_staff(personas.college, Role.ORG_ADMIN, first_name="Fraser")
    subscription_create(actor=admin, url="https://college.example.org/hooks", events=["client.erased"])
    files = [str(d.file.name) for d in cm.Document.objects.filter(client=client)]
    files += [str(r.evidence.name) for r in ConsentRecord.objects.filter(client=client) if r.evidence]
    request = erasure_request(personas, client)
    secrets = ("Morag", "Macleod", NI, EMAIL, "bakery", "danger at home", "passport")
    # The scan finds the client before: it can fail.
    before = {hit for model in apps.get_models() if model is not AuditEvent for hit in _text_holding(model, secrets)}
    assert {"clients.IdentitySection.ni_number", "clients.ContactDetails.email", "portal.PortalAccess.email"} <= before
    assert _client_refs(apps.get_model("clients", "HistoricalIdentitySection"), client.pk) == 2
    plan = actions.request_erasure_plan(actor=personas.council_dpo, request=request)
    by_org = {p.name: {kind: n for kind, _label, n in p.counts} for p in plan.organisations}
    assert by_org["Fife Council Employability"]["identity"] == 1
    assert by_org["Fife Council Employability"]["documents"] == 1
    assert by_org["Fife Council Employability"]["referrals"] == 1
    assert by_org["Fife College"]["messages"] == 1
    assert by_org["Elsewhere Trust"]["break_glass_grants"] == 1
    assert by_org[""]["portal_access"] == 1
    assert set(plan.recipients) == {"Fife College", "Elsewhere Trust"}
    assert plan.hold is None

    with TestCase.captureOnCommitCallbacks(execute=True):
        record = actions.request_erase(actor=personas.council_dpo, request=request)

    assert record.full
    assert record.counts[str(personas.council.pk)]["identity"] == 1
    client.refresh_from_db()
    assert client.erased_at is not None
    assert not client.discoverable
    for model in apps.get_models():
        if model in ALLOWED:
            continue
        assert _client_refs(model, client.pk) == 0, model._meta.label
    hits = [hit for model in apps.get_models() if model is not AuditEvent for hit in _text_holding(model, secrets)]
    assert hits == []
    assert not [e for e in AuditEvent.objects.filter(client_id=client.pk) if "Morag" in str(e.detail)]
    request.refresh_from_db()
    assert request.details == ""
    assert not RightsRequestEvent.objects.filter(request=request).exclude(note="").exists()
    for name in files:
        assert not default_storage.exists(name)
    assert ledger_verify().ok
    assert LedgerEntry.objects.filter(client_id=client.pk).count() >= 2
    assert {n.organisation_id for n in cm.RecipientNotice.objects.filter(kind="erasure")} == {
        personas.college.pk,
        personas.outsider_org.pk,
    }
    assert WebhookDelivery.objects.filter(event="client.erased").count() == 1
    assert AuditEvent.objects.filter(action="client.erased", client_id=client.pk).exists()
    assert not Referral.objects.exists()
    assert not Message.objects.exists()
    assert not PortalAccess.objects.exists()


def test_erasure_is_refused_while_a_legal_hold_stands_and_nothing_changes(world, personas):
    client = world.client
    hold = hold_place(actor=personas.council_dpo, client=client, reason="Tribunal claim", reference="ET/4100123/2026")
    request = erasure_request(personas, client)
    before = {model: model._default_manager.count() for model in apps.get_models()}
    plan = actions.request_erasure_plan(actor=personas.council_dpo, request=request)
    assert plan.hold is not None
    assert "ET/4100123/2026" in plan.hold
    with pytest.raises(InvalidInput) as bad:
        actions.request_erase(actor=personas.council_dpo, request=request)
    assert "ET/4100123/2026" in bad.value.errors["hold"][0]
    assert {model: model._default_manager.count() for model in apps.get_models()} == before
    assert cm.Client.objects.get(pk=client.pk).erased_at is None
    hold_lift(actor=personas.council_dpo, hold=hold, note="Claim settled.")
    assert actions.request_erase(actor=personas.council_dpo, request=request).full


def test_an_exempt_organisation_keeps_its_data_and_the_others_go(world, personas):
    client = world.client
    request = erasure_request(personas, client)
    with pytest.raises(InvalidInput) as bad:
        actions.request_erase(
            actor=personas.council_dpo,
            request=request,
            exemptions=[Exemption(personas.council.pk, "legal_claims", " ")],
        )
    assert f"reason_{personas.council.pk}" in bad.value.errors
    record = actions.request_erase(
        actor=personas.council_dpo,
        request=request,
        exemptions=[Exemption(personas.council.pk, "legal_claims", "An employment tribunal claim is under way.")],
    )
    assert not record.full
    assert record.exemptions[0]["organisation_id"] == personas.council.pk
    client.refresh_from_db()
    assert client.erased_at is None
    assert cm.IdentitySection.objects.filter(client=client).exists()
    assert not cm.Engagement.objects.filter(client=client, organisation=personas.college).exists()
    assert cm.Engagement.objects.filter(client=client, organisation=personas.council).exists()
    # The referral was between the council (exempt) and the college: the council keeps it.
    assert Referral.objects.filter(client=client).exists()
    assert PortalAccess.objects.filter(client=client).exists()
    assert personas.council.pk not in {n.organisation_id for n in cm.RecipientNotice.objects.filter(kind="erasure")}
