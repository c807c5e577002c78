"""The DPO's list of consent records naming their organisation: who is named, states, expiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ceangal.consent.services import ScopeChoice, consent_give, consent_renew, consent_withdraw
from ceangal.errors import NotFound, NotPermitted
from ceangal.ledger.models import LedgerEntry
from ceangal.partners.roles import Role
from ceangal.policy import consents
from ceangal.testing.factories import make_agreement, make_client, make_notice, make_staff

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"


def _give(personas: Any, days: int, **extra: Any) -> Any:
    client = make_client(personas.council_worker)
    return consent_give(
        actor=personas.council_worker,
        client=client,
        notice=extra.pop("notice"),
        scopes=[ScopeChoice(PURPOSE, "qualifications", extra.pop("recipient", personas.college))],
        method="verbal_witnessed",
        witness_name="Tam",
        valid_until=timezone.localdate() + dt.timedelta(days=days),
    )


def test_expiring_takes_renewals_and_ends_into_account(personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    soon = _give(personas, 10, notice=notice)
    renewed_away = _give(personas, 10, notice=notice)
    consent_renew(
        record=renewed_away, actor=personas.council_worker, valid_until=timezone.localdate() + dt.timedelta(days=300)
    )
    renewed_into = _give(personas, 300, notice=notice)
    consent_renew(
        record=renewed_into, actor=personas.council_worker, valid_until=timezone.localdate() + dt.timedelta(days=5)
    )
    withdrawn = _give(personas, 10, notice=notice)
    consent_withdraw(record=withdrawn, actor=personas.council_worker)
    far = _give(personas, 300, notice=notice)

    expiring = {r.id for r in consents.dpo_consent_records(actor=personas.college_dpo, expiring=True)}
    assert expiring == {str(soon.pk), str(renewed_into.pk)}
    every = {r.id for r in consents.dpo_consent_records(actor=personas.college_dpo)}
    assert every == {str(r.pk) for r in (soon, renewed_away, renewed_into, withdrawn, far)}
    assert [r.id for r in consents.dpo_consent_records(actor=personas.council_dpo, state="withdrawn")] == [
        str(withdrawn.pk)
    ]


def test_a_filter_reads_past_the_first_page(personas, monkeypatch):
    monkeypatch.setattr(consents, "DPO_LIST_LIMIT", 2)
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    oldest = _give(personas, 30, notice=notice)
    consent_withdraw(record=oldest, actor=personas.council_worker)
    for _ in range(3):
        _give(personas, 30, notice=notice)
    [found] = consents.dpo_consent_records(actor=personas.council_dpo, state="withdrawn")
    assert found.id == str(oldest.pk)
    assert len(consents.dpo_consent_records(actor=personas.council_dpo)) == 2


def test_only_a_named_dpo_reads_and_nothing_is_recorded_for_a_refusal(personas):
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    record = _give(personas, 30, notice=notice)
    stranger = make_staff(personas.outsider_org, Role.DPO)
    assert consents.dpo_consent_records(actor=stranger) == []
    with pytest.raises(NotFound):
        consents.dpo_consent_record(actor=stranger, record_id=record.pk)
    with pytest.raises(NotFound):
        consents.dpo_consent_record(actor=personas.council_worker, record_id=record.pk)
    with pytest.raises(NotPermitted):
        consents.dpo_consent_records(actor=personas.council_worker)
    assert not LedgerEntry.objects.exists()

    reviewed = consents.dpo_consent_record(actor=personas.college_dpo, record_id=record.pk)
    assert reviewed.client_reference == record.client.reference
    [entry] = LedgerEntry.objects.all()
    assert entry.bases[0]["kind"] == "agreement_other_basis"
    assert entry.bases[0]["lawful_basis"] == "A6-1-c"
    consents.dpo_consent_record(actor=personas.council_dpo, record_id=record.pk)
    assert LedgerEntry.objects.order_by("-pk")[0].bases[0]["kind"] == "own"
