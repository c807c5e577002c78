"""A signed paper form counts only once its scan is attached, and the scan is attached once."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.exports import to_fhir_r5, to_iso27560, to_kantara
from ceangal.consent.models import ConsentRecord, EventKind
from ceangal.consent.services import (
    ScopeChoice,
    consent_attach_evidence,
    consent_give,
    consent_invalidate,
    consent_renew,
    consent_withdraw,
)
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.policy.consents import awaits_evidence, client_consents, consent_document, consent_evidence
from ceangal.policy.selectors import client_record
from ceangal.testing.factories import make_agreement, make_client, make_notice

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _world(personas: Any) -> tuple[Any, ConsentRecord]:
    """The council records paper consent to share qualifications with the college, scan to follow."""
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5 English", "scqf_level": "SCQF05"},
    )
    engagement_open(actor=personas.college_worker, client=client)
    record = consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[ScopeChoice(PURPOSE, "qualifications", personas.college)],
        method="paper_form",
        valid_until=timezone.localdate() + dt.timedelta(days=365),
    )
    return client, record


def _college_sees_qualifications(personas: Any, client: Any) -> bool:
    seen = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    return bool(seen.section("qualifications").items)


def test_paper_consent_without_its_scan_does_not_count_until_it_is_attached(personas):
    client, record = _world(personas)
    assert record.events.get().kind == EventKind.PENDING
    assert awaits_evidence(record)
    assert not _college_sees_qualifications(personas, client)
    [view] = client_consents(actor=personas.council_worker, client_id=client.pk, purpose=PURPOSE)
    assert view.state == "Awaiting the signed form"
    assert not view.in_force

    event = consent_attach_evidence(
        actor=personas.council_worker, record=record, upload=SimpleUploadedFile("scan.pdf", PDF)
    )
    record.refresh_from_db()
    assert event.kind == EventKind.GIVEN
    assert record.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert record.evidence_content_type == "application/pdf"
    assert str(record.evidence.name).endswith(".pdf")
    assert "scan" not in str(record.evidence.name)
    assert not awaits_evidence(record)
    assert _college_sees_qualifications(personas, client)
    assert AuditEvent.objects.filter(action="consent.evidence_attached", object_id=str(record.pk)).exists()

    evidence = consent_evidence(actor=personas.council_worker, record_id=record.pk, purpose=PURPOSE)
    with evidence.file.open("rb") as handle:
        assert handle.read() == PDF
    assert evidence.content_type == "application/pdf"
    assert AuditEvent.objects.filter(action="consent.evidence_downloaded").count() == 1


def test_evidence_is_attached_once_and_never_replaced(personas):
    _client, record = _world(personas)
    consent_attach_evidence(actor=personas.council_worker, record=record, upload=SimpleUploadedFile("a.png", PNG))
    digest = ConsentRecord.objects.get(pk=record.pk).evidence_sha256
    with pytest.raises(InvalidInput) as caught:
        consent_attach_evidence(actor=personas.council_worker, record=record, upload=SimpleUploadedFile("b.pdf", PDF))
    assert "never replaced" in caught.value.errors["evidence"][0]
    assert ConsentRecord.objects.get(pk=record.pk).evidence_sha256 == digest


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (None, "Choose the scan"),
        (SimpleUploadedFile("form.pdf", b"PK\x03\x04 a word file named pdf"), "PDF, JPEG or PNG"),
        (SimpleUploadedFile("form.pdf", b""), "between 1 byte and 10 MB"),
    ],
)
def test_a_bad_upload_is_refused_naming_evidence_and_nothing_changes(personas, upload, message):
    client, record = _world(personas)
    with pytest.raises(InvalidInput) as caught:
        consent_attach_evidence(actor=personas.council_worker, record=record, upload=upload)
    assert message in caught.value.errors["evidence"][0]
    record.refresh_from_db()
    assert not record.evidence_sha256
    assert not record.evidence
    assert record.events.get().kind == EventKind.PENDING
    assert not _college_sees_qualifications(personas, client)


def test_only_a_live_paper_record_awaiting_its_scan_takes_one(personas):
    client, record = _world(personas)
    consent_withdraw(record=record, actor=personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        consent_attach_evidence(actor=personas.council_worker, record=record, upload=SimpleUploadedFile("a.pdf", PDF))
    assert "no longer live" in caught.value.errors["evidence"][0]

    verbal = consent_give(
        actor=personas.council_worker,
        client=client,
        notice=record.notice,
        scopes=[ScopeChoice(PURPOSE, "qualifications", personas.college)],
        method="verbal_witnessed",
        witness_name="Tam",
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    with pytest.raises(InvalidInput) as caught:
        consent_attach_evidence(actor=personas.council_worker, record=verbal, upload=SimpleUploadedFile("a.pdf", PDF))
    assert "signed paper form" in caught.value.errors["evidence"][0]


def test_only_the_recording_organisation_attaches_and_only_while_it_works_with_the_client(personas):
    _client, record = _world(personas)
    with pytest.raises(NotPermitted):
        consent_attach_evidence(actor=personas.college_worker, record=record, upload=SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(NotFound):
        consent_attach_evidence(actor=personas.outsider, record=record, upload=SimpleUploadedFile("a.pdf", PDF))
    with pytest.raises(NotPermitted):
        consent_attach_evidence(actor=personas.council_dpo, record=record, upload=SimpleUploadedFile("a.pdf", PDF))
    assert not ConsentRecord.objects.get(pk=record.pk).evidence_sha256


def test_a_record_awaiting_its_scan_cannot_be_renewed_into_force(personas):
    client, record = _world(personas)
    with pytest.raises(InvalidInput) as caught:
        consent_renew(
            record=record, actor=personas.council_worker, valid_until=timezone.localdate() + dt.timedelta(days=700)
        )
    assert "evidence" in caught.value.errors
    assert not _college_sees_qualifications(personas, client)
    consent_invalidate(record=record, actor=personas.council_worker, reason="Wrong client's form.")
    with pytest.raises(InvalidInput):
        consent_attach_evidence(actor=personas.council_worker, record=record, upload=SimpleUploadedFile("a.pdf", PDF))


def test_a_record_awaiting_its_scan_exports_as_not_yet_in_force(personas):
    _client, record = _world(personas)
    document = consent_document(actor=personas.council_worker, record_id=record.pk, purpose=PURPOSE)
    assert document.state == "pending"
    assert not document.is_valid(timezone.now())
    assert to_fhir_r5(document)["status"] == "draft"
    assert "dpv:ConsentUnknown" in str(to_iso27560(document))
    assert to_kantara(document)
