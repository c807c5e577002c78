"""The client's own side of rights requests and referrals (ceangal.rights.subject): a request
made on their pages, their requests and timelines in plain words, who was told of a correction,
their referrals. Each read returns that client's own rows and nobody else's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.directory.tests.factories import make_service
from ceangal.errors import InvalidInput, NotFound
from ceangal.policy.selectors import client_record
from ceangal.referrals.services import referral_draft, referral_send
from ceangal.rights import actions
from ceangal.rights.models import Channel, RequestStatus, RightsRequest, RightsRequestEvent
from ceangal.rights.services import (
    request_await_clarification,
    request_complete,
    request_extend,
    request_refuse,
    request_resume,
    request_verify_identity,
)
from ceangal.rights.subject import (
    request_from_client,
    request_notices,
    subject_counts,
    subject_referrals,
    subject_request,
    subject_requests,
)
from ceangal.testing.factories import Personas, make_agreement, make_client, make_notice

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"


@dataclass
class World:
    client: cm.Client
    qualification: cm.Qualification


def _world(personas: Personas, given_name: str = "Eilidh") -> World:
    """The council registered the client and their qualification; the college also supports them
    and may see it by consent."""
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    client = make_client(personas.council_worker, given_name=given_name)
    qualification = item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5 English", "scqf_level": "SCQF05"},
    )
    engagement_open(actor=personas.college_worker, client=client)
    consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[ScopeChoice(PURPOSE, "qualifications", personas.college)],
        method="verbal_witnessed",
        witness_name="Tam Person",
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )
    assert isinstance(qualification, cm.Qualification)
    return World(client, qualification)


# -- making a request -----------------------------------------------------------------------------


def test_a_request_from_the_client_is_logged_by_nobody_received_by_their_latest_live_organisation(personas):
    world = _world(personas)
    made = request_from_client(
        client_id=world.client.pk,
        kind="rectification",
        details="It was Higher English, not National 5.",
        section="qualifications",
    )
    made.refresh_from_db()
    assert made.channel == Channel.PORTAL
    assert made.logged_by is None
    assert made.received_on == timezone.localdate()
    # The college's engagement started after the council's registration: the college received it.
    assert made.received_by_id == personas.college.pk
    assert made.partnership_id == personas.partnership.pk
    assert (made.section, made.purpose) == ("qualifications", "")
    assert "Part of the record" not in made.details
    assert "Higher English" in made.details
    (event,) = RightsRequestEvent.objects.filter(request=made)
    assert (event.kind, event.by_id) == ("logged", None)
    audit = AuditEvent.objects.get(action="rights_request.logged", object_id=str(made.pk))
    assert audit.actor_id is None
    assert audit.detail["by_client"] is True
    assert audit.detail["section"] == "qualifications"
    assert "Higher" not in str(audit.detail)  # what the client wrote stays out of the audit log


def test_with_no_live_engagement_the_request_goes_to_the_latest_organisation_then_the_registering_one(personas):
    world = _world(personas)
    cm.Engagement.objects.filter(client=world.client).update(status=cm.EngagementStatus.CLOSED)
    made = request_from_client(client_id=world.client.pk, kind="access", details="")
    assert made.received_by_id == personas.college.pk
    alone = make_client(personas.council_worker, given_name="Solo")
    cm.Engagement.objects.filter(client=alone).delete()
    assert request_from_client(client_id=alone.pk, kind="access", details="").received_by_id == personas.council.pk


@pytest.mark.parametrize(
    ("kind", "extra", "field"),
    [
        ("nonsense", {}, "kind"),
        ("rectification", {"section": "qualifications", "details": "  "}, "details"),
        ("rectification", {"section": "nowhere", "details": "Wrong"}, "section"),
        ("objection", {"purpose": "evaluation", "details": ""}, "details"),
        ("objection", {"purpose": "sunbathing", "details": "No"}, "purpose"),
        ("complaint", {"details": ""}, "details"),
        ("access", {"details": "x" * 4001}, "details"),
    ],
)
def test_bad_requests_name_the_field_and_create_nothing(personas, kind, extra, field):
    world = _world(personas)
    arguments = {"details": ""} | extra
    with pytest.raises(InvalidInput) as bad:
        request_from_client(client_id=world.client.pk, kind=kind, **arguments)
    assert field in bad.value.errors
    assert not RightsRequest.objects.exists()
    assert not AuditEvent.objects.filter(action="rights_request.logged").exists()


def test_a_request_for_a_client_who_does_not_exist_is_not_found(db):
    import uuid

    with pytest.raises(NotFound):
        request_from_client(client_id=uuid.uuid4(), kind="access", details="")
    assert not RightsRequest.objects.exists()


# -- the client's requests ------------------------------------------------------------------------


def test_the_clients_requests_say_where_they_stand_and_when_in_words(personas):
    world = _world(personas)
    other = _world(personas, given_name="Other")
    today = timezone.localdate()
    access = request_from_client(client_id=world.client.pk, kind="access", details="All of it")
    complaint = request_from_client(client_id=world.client.pk, kind="complaint", details="Nobody called me back")
    request_from_client(client_id=other.client.pk, kind="erasure", details="")
    rows = {r.kind: r for r in subject_requests(world.client.pk, today)}
    assert set(rows) == {"access", "complaint"}
    assert rows["access"].status_label == "We have received it"
    assert rows["access"].kind_label == "A copy of your information"
    assert rows["access"].due_on is not None
    assert "one month" in rows["access"].when
    assert rows["complaint"].due_on == today + dt.timedelta(days=30)
    assert "30 days" in rows["complaint"].when
    request_verify_identity(actor=personas.council_dpo, request=access, method="signed_in")
    access.refresh_from_db()
    request_resume(actor=personas.council_dpo, request=access)
    access.refresh_from_db()
    request_extend(actor=personas.council_dpo, request=access, months=2, reason="Five organisations hold your data")
    extended = next(r for r in subject_requests(world.client.pk, today) if r.id == access.pk)
    assert extended.status_label == "We need more time"
    assert extended.extension_reason == "Five organisations hold your data"  # Art 12(3): the client is told
    assert complaint.pk in {r.id for r in subject_requests(world.client.pk, today)}


def test_the_timeline_shows_what_the_client_was_told_and_never_the_dpos_own_notes(personas):
    world = _world(personas)
    today = timezone.localdate()
    made = request_from_client(client_id=world.client.pk, kind="erasure", details="Delete my health details")
    made = request_verify_identity(
        actor=personas.council_dpo, request=made, method="known_to_key_worker", note="DPO-INTERNAL identity note"
    )
    made = request_await_clarification(actor=personas.council_dpo, request=made, question="Which organisations?")
    made = request_resume(actor=personas.council_dpo, request=made, note="DPO-INTERNAL resume note")
    made = request_refuse(
        actor=personas.council_dpo, request=made, exemption="legal_claims", note="We must keep it for a tribunal."
    )
    detail = subject_request(world.client.pk, made.pk, today)
    words = [step.words for step in detail.steps]
    assert words == [
        "We received your request",
        "We checked who you are",
        "We asked you a question",
        "We carried on with your request",
        "We could not do what you asked",
    ]
    notes = " ".join(step.note for step in detail.steps)
    assert "Which organisations?" in notes
    assert "tribunal" in notes
    assert "DPO-INTERNAL" not in notes
    assert "Made by the client" not in notes
    assert detail.refusal_note == "We must keep it for a tribunal."
    assert detail.details == "Delete my health details"
    assert detail.request.closed
    assert detail.request.when.startswith("Finished on")


def test_another_clients_request_is_not_found(personas):
    world = _world(personas)
    other = _world(personas, given_name="Other")
    theirs = request_from_client(client_id=other.client.pk, kind="access", details="")
    with pytest.raises(NotFound):
        subject_request(world.client.pk, theirs.pk, timezone.localdate())
    with pytest.raises(NotFound):
        subject_request(world.client.pk, "not-an-id", timezone.localdate())


def test_the_client_sees_who_was_told_of_their_correction(personas):
    world = _world(personas)
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose=PURPOSE)  # the college saw it
    made = request_from_client(
        client_id=world.client.pk, kind="rectification", details="Higher, not N5", section="qualifications"
    )
    made = request_verify_identity(actor=personas.council_dpo, request=made, method="signed_in")
    made = request_resume(actor=personas.council_dpo, request=made)
    assert (
        request_notices(world.client.pk, subject_request(world.client.pk, made.pk, timezone.localdate()).request) == []
    )
    actions.request_rectify(
        actor=personas.council_dpo,
        request=made,
        section_key="qualifications",
        item_id=world.qualification.pk,
        data={"title": "Higher English", "scqf_level": "SCQF06"},
        expected_version=world.qualification.version,
    )
    request_complete(actor=personas.council_dpo, request=RightsRequest.objects.get(pk=made.pk), note="Corrected.")
    detail = subject_request(world.client.pk, made.pk, timezone.localdate())
    told = request_notices(world.client.pk, detail.request)
    assert [n.organisation for n in told] == [personas.college.name]
    assert told[0].category_label == "Qualifications"
    # Another request, even of the same kind made the same day, shows only its own notices.
    for kind, details in (("access", ""), ("rectification", "My postcode is wrong")):
        later = request_from_client(client_id=world.client.pk, kind=kind, details=details, section="contact")
        assert (
            request_notices(world.client.pk, subject_request(world.client.pk, later.pk, timezone.localdate()).request)
            == []
        )


# -- referrals ------------------------------------------------------------------------------------


def test_the_clients_referrals_are_the_sent_ones_with_what_they_carried_and_no_staff_notes(personas):
    world = _world(personas)
    other = _world(personas, given_name="Other")
    service = make_service(personas.college_leader, name="College Access")
    sent = referral_draft(
        actor=personas.council_worker,
        client_id=world.client.pk,
        service_id=service.pk,
        reason="STAFF-ONLY reason for the referral",
    )
    referral_send(actor=personas.council_worker, referral=sent, override_note="STAFF-ONLY override")
    referral_draft(actor=personas.council_worker, client_id=world.client.pk, service_id=service.pk, reason="Draft")
    referral_draft(actor=personas.council_worker, client_id=other.client.pk, service_id=service.pk, reason="Other")
    (shown,) = subject_referrals(world.client.pk)
    assert (shown.organisation, shown.service) == (personas.college.name, "College Access")
    assert shown.status_label == "Sent: waiting for their answer"
    assert shown.sent_on == timezone.localdate()
    assert "STAFF-ONLY" not in repr(shown)
    counts = subject_counts(world.client.pk)
    assert counts.referrals_open == 1
    assert counts.open_requests == 0
    assert subject_referrals(other.client.pk) == []  # a draft has gone nowhere


def test_a_closed_request_is_not_counted_as_open(personas):
    world = _world(personas)
    made = request_from_client(client_id=world.client.pk, kind="access", details="")
    assert subject_counts(world.client.pk).open_requests == 1
    RightsRequest.objects.filter(pk=made.pk).update(status=RequestStatus.COMPLETED, completed_on=timezone.localdate())
    assert subject_counts(world.client.pk).open_requests == 0
