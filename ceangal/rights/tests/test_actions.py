"""Acting on rectification, restriction and objection requests: the change goes through the
clients services and the real decision, and the organisations the ledger shows were disclosed the
data are told (Art 19) — exactly those, no more."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.sections import section
from ceangal.clients.services import document_upload, engagement_open, item_add, section_save
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.notifications.models import WebhookDelivery
from ceangal.notifications.webhooks import subscription_create
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.selectors import client_record
from ceangal.rights import actions
from ceangal.rights.models import RightsRequest
from ceangal.rights.services import request_verify_identity
from ceangal.rights.tests.factories import log_request
from ceangal.testing.factories import Personas, make_agreement, make_client, make_notice, make_staff

pytestmark = pytest.mark.django_db

PURPOSE = "support_coordination"
PDF = b"%PDF-1.4\n%%EOF\n"
NAME = ("Zebedee", "Quartermain")
NI = "JT654321B"
EMAIL = "zebedee.quartermain@example.org"


@dataclass
class World:
    personas: Personas
    client: cm.Client
    qualification: cm.Qualification
    trust_worker: StaffMember
    trust_dpo: StaffMember


def make_world(personas: Personas) -> World:
    """The council registered Zebedee (identity, contact, a qualification, a document). The college
    and the Elsewhere Trust both support him: his consent lets the college see his identity and
    qualifications, and the trust his identity only."""
    trust_dpo = make_staff(personas.outsider_org, Role.DPO, first_name="Tess")
    make_agreement([personas.council_dpo, personas.college_dpo, trust_dpo])
    notice = make_notice(personas.council_dpo)
    client = make_client(
        personas.council_worker,
        given_name=NAME[0],
        family_name=NAME[1],
        ni_number=NI,
    )
    section_save(
        actor=personas.council_worker,
        client=client,
        section_key="contact",
        data={"email": EMAIL, "phone": "07700900456"},
        expected_version=None,
    )
    qualification = item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5 Mathematics", "scqf_level": "SCQF05"},
    )
    assert isinstance(qualification, cm.Qualification)
    document_upload(
        actor=personas.council_worker,
        client=client,
        title="CV",
        kind="cv",
        upload=SimpleUploadedFile("cv.pdf", PDF, content_type="application/pdf"),
    )
    engagement_open(actor=personas.college_worker, client=client)
    engagement_open(actor=personas.outsider, client=client)
    consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[
            ScopeChoice(PURPOSE, "identity", personas.college),
            ScopeChoice(PURPOSE, "qualifications", personas.college),
            ScopeChoice(PURPOSE, "identity", personas.outsider_org),
        ],
        method="paper_form",
        evidence=SimpleUploadedFile("signed.pdf", PDF),
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )
    return World(personas, client, qualification, personas.outsider, trust_dpo)


def request_of(world: World, kind: str) -> RightsRequest:
    request = log_request(world.personas.council_worker, world.client.pk, kind=kind, details="Please fix my record.")
    return request_verify_identity(actor=world.personas.council_dpo, request=request, method="photo_id")


def read(actor: StaffMember, client: cm.Client) -> None:
    client_record(actor=actor, client_id=client.pk, purpose=PURPOSE)


@pytest.fixture
def world(personas):
    return make_world(personas)


def _notified(kind: str) -> set[int]:
    return set(cm.RecipientNotice.objects.filter(kind=kind).values_list("organisation_id", flat=True))


def test_a_correction_tells_exactly_the_organisations_that_were_disclosed_the_wrong_value(world, personas):
    admin = make_staff(personas.college, Role.ORG_ADMIN, first_name="Fraser")
    subscription_create(actor=admin, url="https://college.example.org/hooks", events=["client.rectified"])
    read(personas.college_worker, world.client)  # identity and qualifications
    read(world.trust_worker, world.client)  # identity only
    read(personas.council_worker, world.client)  # the supplier itself
    request = request_of(world, "rectification")
    done = actions.request_rectify(
        actor=personas.council_dpo,
        request=request,
        section_key="qualifications",
        item_id=world.qualification.pk,
        data={"title": "N5 Applications of Mathematics"},
        expected_version=world.qualification.version,
    )
    assert done.notified == (personas.college.pk,)
    [notice] = cm.RecipientNotice.objects.all()
    assert (notice.organisation_id, notice.kind, notice.category) == (
        personas.college.pk,
        "rectification",
        "qualifications",
    )
    assert notice.fields_changed == ["title"]
    assert notice.request_id == request.pk
    # The item kept its history, and says why it changed.
    history = section("qualifications").history(world.qualification.pk)
    latest = history.order_by("-history_date").first()
    assert latest is not None
    assert latest.title == "N5 Applications of Mathematics"
    assert latest.history_change_reason == f"rectification, request {request.pk}"
    assert history.filter(title="N5 Mathematics").exists()
    # The college's system hears, with ids only.
    [delivery] = WebhookDelivery.objects.filter(event="client.rectified")
    assert delivery.payload["data"]["client_id"] == str(world.client.pk)
    assert "Mathematics" not in str(delivery.payload)
    assert NAME[0] not in str(delivery.payload)
    assert AuditEvent.objects.filter(action="client.qualifications.rectified", client_id=world.client.pk).exists()


def test_an_organisation_that_saw_only_the_value_before_the_wrong_one_is_not_told(world, personas):
    read(personas.college_worker, world.client)  # saw "N5 Mathematics"
    wrong = section_save(
        actor=personas.council_worker,
        client=world.client,
        section_key="qualifications",
        item_id=world.qualification.pk,
        data={"title": "N4 Mathematics"},
        expected_version=world.qualification.version,
    )
    request = request_of(world, "rectification")
    done = actions.request_rectify(
        actor=personas.council_dpo,
        request=request,
        section_key="qualifications",
        item_id=wrong.pk,
        data={"title": "N5 Mathematics"},
        expected_version=wrong.version,
    )
    assert done.notified == ()
    assert not cm.RecipientNotice.objects.exists()


def test_a_correction_that_fails_validation_changes_nothing_and_tells_no_one(world, personas):
    read(personas.college_worker, world.client)
    request = request_of(world, "rectification")
    with pytest.raises(InvalidInput) as bad:
        actions.request_rectify(
            actor=personas.council_dpo,
            request=request,
            section_key="identity",
            item_id=None,
            data={"postcode": "NOT A POSTCODE", "family_name": "Quartermaine"},
            expected_version=1,
        )
    assert set(bad.value.errors) == {"postcode"}
    identity = cm.IdentitySection.objects.get(client=world.client)
    assert (identity.family_name, identity.version) == (NAME[1], 1)
    assert section("identity").history(identity.pk).count() == 1
    assert not cm.RecipientNotice.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_only_the_dpo_corrects_and_only_for_a_rectification_request_under_way(world, personas):
    request = log_request(personas.council_worker, world.client.pk, kind="rectification")
    args = {"section_key": "qualifications", "item_id": world.qualification.pk, "data": {"title": "X"}}
    with pytest.raises(InvalidInput) as bad:  # identity not yet verified
        actions.request_rectify(actor=personas.council_dpo, request=request, expected_version=1, **args)
    assert "status" in bad.value.errors
    request = request_verify_identity(actor=personas.council_dpo, request=request, method="photo_id")
    for who in (personas.council_worker, personas.council_leader, personas.college_worker):
        with pytest.raises(NotPermitted):
            actions.request_rectify(actor=who, request=request, expected_version=1, **args)
    erasure = request_of(world, "erasure")
    with pytest.raises(InvalidInput) as bad:
        actions.request_rectify(actor=personas.council_dpo, request=erasure, expected_version=1, **args)
    assert "kind" in bad.value.errors
    assert cm.Qualification.objects.get(pk=world.qualification.pk).title == "N5 Mathematics"


def test_a_restriction_from_a_request_denies_every_purpose_and_tells_the_recipients(world, personas):
    read(personas.college_worker, world.client)
    read(world.trust_worker, world.client)
    request = request_of(world, "restriction")
    restriction = actions.request_restrict(actor=personas.council_dpo, request=request, reason="Accuracy contested.")
    assert restriction.request_id == request.pk
    with pytest.raises(NotPermitted, match="restricted"):
        read(personas.college_worker, world.client)
    assert _notified("restriction") == {personas.college.pk, personas.outsider_org.pk}
    shown = actions.request_actions(actor=personas.council_dpo, request=request)
    assert shown.restriction == restriction
    assert "lift" in shown.offered
    assert "restrict" not in shown.offered
    with pytest.raises(InvalidInput) as bad:
        actions.request_restriction_lift(actor=personas.council_dpo, request=request, client_told_on=None)
    assert "client_told_on" in bad.value.errors
    assert cm.Client.objects.get(pk=world.client.pk).processing_restricted
    actions.request_restriction_lift(
        actor=personas.council_dpo, request=request, client_told_on=timezone.localdate(), note="Told by phone."
    )
    read(personas.college_worker, world.client)
    assert _notified("restriction_lifted") == {personas.college.pk, personas.outsider_org.pk}


def test_an_objection_stops_its_purpose_until_compelling_grounds_are_recorded(world, personas):
    request = request_of(world, "objection")
    objection = actions.request_object(
        actor=personas.council_dpo, request=request, purpose=PURPOSE, grounds="I do not want this shared."
    )
    assert objection.request_id == request.pk
    with pytest.raises(NotPermitted):
        read(personas.college_worker, world.client)
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose="progress_monitoring")
    with pytest.raises(InvalidInput) as bad:
        actions.request_objection_grounds(
            actor=personas.council_dpo, request=request, objection_id=objection.pk, grounds=" "
        )
    assert "compelling_grounds" in bad.value.errors
    actions.request_objection_grounds(
        actor=personas.council_dpo, request=request, objection_id=objection.pk, grounds="Safeguarding duty."
    )
    read(personas.college_worker, world.client)


def test_subject_notices_say_who_was_told_without_values(world, personas):
    read(personas.college_worker, world.client)
    request = request_of(world, "rectification")
    actions.request_rectify(
        actor=personas.council_dpo,
        request=request,
        section_key="qualifications",
        item_id=world.qualification.pk,
        data={"title": "N5 Applications of Mathematics"},
        expected_version=1,
    )
    [row] = actions.subject_notices(world.client.pk)
    assert (row.organisation, row.kind, row.category_label) == ("Fife College", "rectification", "Qualifications")
