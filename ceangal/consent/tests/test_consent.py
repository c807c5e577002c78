from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ceangal.consent.models import ConsentRecord, EventKind
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.errors import InvalidInput
from ceangal.testing.factories import make_agreement, make_client, make_notice, make_organisation

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"
PDF = b"%PDF-1.4\n%%EOF\n"


def _give(personas, client, notice, scopes, **extra):
    defaults: dict[str, Any] = {
        "method": "verbal_witnessed",
        "witness_name": "Tam Person",
        "valid_until": timezone.localdate() + dt.timedelta(days=365),
    }
    return consent_give(
        actor=personas.council_worker, client=client, notice=notice, scopes=scopes, **(defaults | extra)
    )


def test_consent_wider_than_its_notice_is_refused(personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo, categories=["identity", "qualifications"])
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        _give(personas, client, notice, [ScopeChoice(PURPOSE, "health", personas.college)])
    assert "does not cover 'health'" in caught.value.errors["scopes[0]"][0]
    assert not ConsentRecord.objects.exists()


def test_scope_naming_an_organisation_that_is_not_a_party_is_refused(personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    stranger = make_organisation(personas.partnership, "No Agreement Ltd")
    notice = make_notice(personas.council_dpo)
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        _give(personas, client, notice, [ScopeChoice(PURPOSE, "identity", stranger)])
    assert "not a party" in caught.value.errors["scopes[0]"][0]


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"method": "paper_form", "evidence": SimpleUploadedFile("form.docx", b"PK\x03\x04 not a pdf")}, "evidence"),
        ({"witness_name": ""}, "witness_name"),
        ({"valid_until": None}, "valid_until"),
        ({"valid_until": dt.date(2020, 1, 1)}, "valid_until"),
    ],
)
def test_bad_consent_is_refused_naming_the_field(personas, extra, field):
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        _give(personas, client, notice, [ScopeChoice(PURPOSE, "identity", personas.college)], **extra)
    assert field in caught.value.errors
    assert not ConsentRecord.objects.exists()


def test_paper_consent_keeps_its_evidence_hash(personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    client = make_client(personas.council_worker)
    record = _give(
        personas,
        client,
        notice,
        [ScopeChoice(PURPOSE, "identity", personas.college)],
        method="paper_form",
        evidence=SimpleUploadedFile("signed.pdf", PDF),
        witness_name="",
    )
    import hashlib

    assert record.evidence_sha256 == hashlib.sha256(PDF).hexdigest()
    assert record.events.get().kind == EventKind.GIVEN
