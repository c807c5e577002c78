from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.utils import timezone

from ceangal.agreements.models import AgreementStatus, SharingAgreement
from ceangal.agreements.services import (
    AgreementTerms,
    PurposeTerms,
    agreement_create,
    agreement_new_version,
    agreement_set_status,
    agreement_sign,
)
from ceangal.audit.models import AuditEvent
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.testing.factories import make_agreement

pytestmark = pytest.mark.django_db


def _terms(personas, **changes):
    today = timezone.localdate()
    base = AgreementTerms(
        summary="Coordinating support.",
        frequency="monthly",
        retention="Six years.",
        retention_months=72,
        on_end="destroy",
        starts_on=today,
        review_on=today + dt.timedelta(days=365),
        parties=[personas.council, personas.college],
        purposes=[PurposeTerms("support_coordination", "public_task", ["identity", "qualifications"])],
    )
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purposes": [PurposeTerms("support_coordination", "", ["identity"])]}, "purposes[0].lawful_basis"),
        (
            {"purposes": [PurposeTerms("support_coordination", "public_task", ["health"])]},
            "purposes[0].article9_condition",
        ),
        (
            {"purposes": [PurposeTerms("support_coordination", "public_task", ["convictions"])]},
            "purposes[0].article10_condition",
        ),
        ({"purposes": [PurposeTerms("gossip", "public_task", ["identity"])]}, "purposes[0].purpose"),
        ({"ends_on": dt.date(2020, 1, 1)}, "ends_on"),
        ({"on_end": "forget"}, "on_end"),
    ],
)
def test_bad_agreement_is_refused_naming_the_field_and_nothing_saved(personas, changes, field):
    with pytest.raises(InvalidInput) as caught:
        agreement_create(actor=personas.council_dpo, title="Bad", terms=_terms(personas, **changes))
    assert field in caught.value.errors
    assert not SharingAgreement.objects.exists()


def test_a_single_party_or_an_outside_party_is_refused(personas):
    with pytest.raises(InvalidInput) as caught:
        agreement_create(actor=personas.council_dpo, title="Alone", terms=_terms(personas, parties=[personas.council]))
    assert "parties" in caught.value.errors


def test_only_a_dpo_manages_agreements(personas):
    with pytest.raises(NotPermitted):
        agreement_create(actor=personas.council_worker, title="X", terms=_terms(personas))


def test_agreement_comes_into_force_when_every_party_has_signed(personas):
    version = agreement_create(actor=personas.council_dpo, title="Coordination", terms=_terms(personas))
    assert version.status == AgreementStatus.DRAFT
    agreement_sign(actor=personas.council_dpo, version=version)
    version.refresh_from_db()
    assert version.status == AgreementStatus.DRAFT
    with pytest.raises(NotPermitted):
        agreement_sign(actor=personas.council_worker, version=version)
    agreement_sign(actor=personas.college_dpo, version=version)
    version.refresh_from_db()
    assert version.status == AgreementStatus.ACTIVE
    signatures = {p.organisation_id: p.signed_by_id for p in version.parties.all()}
    assert signatures == {personas.council.pk: personas.council_dpo.pk, personas.college.pk: personas.college_dpo.pk}
    assert AuditEvent.objects.filter(action="agreement.activated").count() == 1


def test_a_new_version_replaces_the_live_one_only_once_signed(personas):
    v1 = make_agreement([personas.council_dpo, personas.college_dpo])
    v2 = agreement_new_version(actor=personas.council_dpo, agreement=v1.agreement, terms=_terms(personas))
    assert v2.number == 2
    v1.refresh_from_db()
    assert v1.status == AgreementStatus.ACTIVE
    for dpo in (personas.council_dpo, personas.college_dpo):
        agreement_sign(actor=dpo, version=v2)
    v1.refresh_from_db()
    v2.refresh_from_db()
    assert (v1.status, v2.status) == (AgreementStatus.ENDED, AgreementStatus.ACTIVE)


def test_suspend_needs_a_reason_and_can_resume(personas):
    version = make_agreement([personas.council_dpo, personas.college_dpo])
    with pytest.raises(InvalidInput) as caught:
        agreement_set_status(actor=personas.college_dpo, version=version, status="suspended", reason="")
    assert "status_reason" in caught.value.errors
    agreement_set_status(actor=personas.college_dpo, version=version, status="suspended", reason="Breach under review")
    agreement_set_status(actor=personas.college_dpo, version=version, status="active", reason="Review closed")
    version.refresh_from_db()
    assert version.status == AgreementStatus.ACTIVE
