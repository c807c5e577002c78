"""Recording a client's refusal: what they were asked is kept, nothing is granted, and a refusal
is final (not withdrawn, not renewed)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.consent.models import ConsentRecord, ConsentScope, EventKind
from ceangal.consent.services import (
    ScopeChoice,
    consent_attach_evidence,
    consent_give,
    consent_invalidate,
    consent_refuse,
    consent_renew,
    consent_withdraw,
    consents_expire,
    record_state,
)
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.partners.roles import Role
from ceangal.testing.factories import make_agreement, make_client, make_notice, make_staff

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"
PDF = b"%PDF-1.4\nrefused\n%%EOF\n"


@pytest.fixture
def world(personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(
        personas.council_dpo, categories=["identity", "qualifications", "health"], recipient_types=["college"]
    )
    client = make_client(personas.council_worker)
    return client, notice


def _refuse(personas, client, notice, scopes=None, **extra: Any) -> ConsentRecord:
    defaults: dict[str, Any] = {"method": "verbal_witnessed"}
    return consent_refuse(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=scopes if scopes is not None else [ScopeChoice(PURPOSE, "qualifications", personas.college)],
        **(defaults | extra),
    )


def test_a_refusal_keeps_what_was_asked_by_whom_and_when_and_is_audited(personas, world):
    client, notice = world
    record = _refuse(
        personas,
        client,
        notice,
        [
            ScopeChoice(PURPOSE, "qualifications", personas.college),
            ScopeChoice(PURPOSE, "health", recipient_type="college"),
            ScopeChoice(PURPOSE, "qualifications", personas.college),  # asked twice: kept once
        ],
        expressed_by="guardian",
        notes="  Asked at the first meeting.  ",
    )
    assert record.notice == notice
    assert record.organisation == personas.council
    assert record.recorded_by == personas.council_worker
    assert record.expressed_by == "guardian"
    assert record.notes == "Asked at the first meeting."
    assert record.valid_from == timezone.localdate()
    assert record.valid_until is None
    assert not record.until_support_ends
    rows = {(s.recipient_organisation_id, s.recipient_type, s.purpose, s.category) for s in record.scopes.all()}
    assert rows == {(personas.college.pk, "", PURPOSE, "qualifications"), (None, "college", PURPOSE, "health")}
    [event] = record.events.all()
    assert event.kind == EventKind.REFUSED
    assert event.recorded_by == personas.council_worker
    assert record_state(record) == EventKind.REFUSED
    audit = AuditEvent.objects.get(action="consent.refused")
    assert audit.object_id == str(record.pk)
    assert audit.client_id == client.pk
    assert audit.detail["scopes"] == 3


def test_a_verbal_refusal_needs_no_witness_and_a_paper_one_no_scan(personas, world):
    client, notice = world
    verbal = _refuse(personas, client, notice, witness_name="")
    paper = _refuse(personas, client, notice, method="paper_form")
    assert verbal.events.get().kind == paper.events.get().kind == EventKind.REFUSED  # never "pending"


def test_a_signed_refusal_keeps_its_form_and_hash(personas, world):
    client, notice = world
    record = _refuse(personas, client, notice, method="paper_form", evidence=SimpleUploadedFile("no.pdf", PDF))
    assert record.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert record.evidence_content_type == "application/pdf"


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"method": ""}, "method"),
        ({"method": "carrier_pigeon"}, "method"),
        ({"expressed_by": "neighbour"}, "expressed_by"),
        ({"evidence": SimpleUploadedFile("form.docx", b"PK\x03\x04 not a pdf")}, "evidence"),
        ({"scopes": []}, "scopes"),
        ({"scopes": [ScopeChoice(PURPOSE, "convictions", recipient_type="college")]}, "scopes[0]"),
        ({"scopes": [ScopeChoice("marketing", "identity", recipient_type="college")]}, "scopes[0]"),
        ({"scopes": [ScopeChoice(PURPOSE, "identity")]}, "scopes[0]"),  # no recipient at all
    ],
)
def test_a_bad_refusal_is_refused_naming_the_field_and_nothing_is_saved(personas, world, extra, field):
    client, notice = world
    with pytest.raises(InvalidInput) as caught:
        _refuse(personas, client, notice, **extra)
    assert field in caught.value.errors, caught.value.errors
    assert not ConsentRecord.objects.exists()
    assert not ConsentScope.objects.exists()
    assert not AuditEvent.objects.filter(action="consent.refused").exists()


def test_every_mistake_is_named_at_once(personas, world):
    client, notice = world
    with pytest.raises(InvalidInput) as caught:
        _refuse(personas, client, notice, scopes=[], method="", expressed_by="")
    assert {"scopes", "method", "expressed_by"} <= set(caught.value.errors)


def test_a_draft_notice_cannot_be_refused_against(personas, world):
    from ceangal.agreements.services import NoticeTerms, notice_create

    client, _notice = world
    draft = notice_create(
        actor=personas.council_dpo,
        terms=NoticeTerms(
            title="Draft",
            body="Not yet published.",
            purposes=[PURPOSE],
            categories=["qualifications"],
            controllers=[personas.council],
            recipients=[personas.college],
            retention="Six years.",
            rights="Ask us.",
        ),
    )
    with pytest.raises(InvalidInput) as caught:
        _refuse(personas, client, draft)
    assert "notice" in caught.value.errors
    assert not ConsentRecord.objects.exists()


def test_only_a_trained_caseworker_working_with_the_client_may_record_a_refusal(personas, world):
    client, notice = world
    analyst = make_staff(personas.council, Role.ANALYST)
    with pytest.raises(NotPermitted):
        consent_refuse(
            actor=analyst,
            client=client,
            notice=notice,
            scopes=[ScopeChoice(PURPOSE, "qualifications", personas.college)],
            method="online",
        )
    with pytest.raises(NotFound):  # the college does not work with this client
        consent_refuse(
            actor=personas.college_worker,
            client=client,
            notice=notice,
            scopes=[ScopeChoice(PURPOSE, "qualifications", personas.college)],
            method="online",
        )
    assert not ConsentRecord.objects.exists()


def test_a_refusal_cannot_be_withdrawn_renewed_or_given_a_scan_later(personas, world):
    client, notice = world
    record = _refuse(personas, client, notice, method="paper_form")
    with pytest.raises(InvalidInput) as withdrawing:
        consent_withdraw(record=record, actor=personas.council_worker)
    assert "nothing to withdraw" in withdrawing.value.errors["record"][0]
    with pytest.raises(InvalidInput) as partly:
        consent_withdraw(record=record, scopes=list(record.scopes.all()), by_client=True)
    assert "record" in partly.value.errors
    with pytest.raises(InvalidInput) as renewing:
        consent_renew(
            record=record, actor=personas.council_worker, valid_until=timezone.localdate() + dt.timedelta(days=30)
        )
    assert "nothing to renew" in renewing.value.errors["record"][0]
    with pytest.raises(InvalidInput) as attaching:
        consent_attach_evidence(
            actor=personas.council_worker, record=record, upload=SimpleUploadedFile("late.pdf", PDF)
        )
    assert "refusal" in attaching.value.errors["evidence"][0]
    assert [e.kind for e in record.events.all()] == [EventKind.REFUSED]
    assert not record.evidence_sha256


def test_a_refusal_recorded_in_error_can_be_invalidated(personas, world):
    client, notice = world
    record = _refuse(personas, client, notice)
    consent_invalidate(record=record, actor=personas.council_worker, reason="Recorded against the wrong client.")
    assert record_state(record) == EventKind.INVALIDATED


def test_housekeeping_leaves_a_refusal_alone(personas, world):
    client, notice = world
    record = _refuse(personas, client, notice)
    ConsentRecord.objects.filter(pk=record.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert consents_expire() == 0
    assert [e.kind for e in record.events.all()] == [EventKind.REFUSED]


def test_a_refusal_leaves_an_earlier_consent_in_force_and_a_later_one_still_counts(personas, world):
    client, notice = world
    given = consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[ScopeChoice(PURPOSE, "identity", personas.college)],
        method="online",
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    _refuse(personas, client, notice)
    assert record_state(given) == EventKind.GIVEN
    # The earlier consent can still be withdrawn: only the refusal itself is final.
    consent_withdraw(record=given, by_client=True)
    assert record_state(given) == EventKind.WITHDRAWN
