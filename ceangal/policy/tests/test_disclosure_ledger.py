"""Invariant 3: every disclosure is written to the access ledger in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.services import ScopeChoice, consent_give, consent_withdraw
from ceangal.errors import NotFound
from ceangal.ledger.selectors import client_disclosures
from ceangal.policy.selectors import caseload, client_record
from ceangal.testing.factories import make_agreement, make_client, make_notice

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"


def test_a_partner_read_records_what_was_shown_and_on_which_agreement_and_consent(personas):
    version = make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "HNC", "scqf_level": "SCQF07"},
    )
    engagement_open(actor=personas.college_worker, client=client)
    record = consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        method="verbal_witnessed",
        witness_name="Tam",
        valid_until=timezone.localdate() + dt.timedelta(days=30),
        scopes=[ScopeChoice(PURPOSE, "qualifications", personas.college)],
    )
    before = len(client_disclosures(client.pk))
    client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE, channel="api")
    entries = client_disclosures(client.pk)
    assert len(entries) == before + 1
    entry = entries[-1]
    assert entry.channel == "api"
    assert entry.categories == ("journey", "qualifications")
    [basis] = [b for b in entry.bases if b.category == "qualifications"]
    assert basis.supplier_organisation_id == personas.council.pk
    assert basis.kind == "agreement_consent"
    assert basis.agreement_version_id == version.pk
    assert basis.consent_record_id == str(record.pk)
    consent_withdraw(record=record, by_client=True)
    client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    assert "qualifications" not in client_disclosures(client.pk)[-1].categories
    call_command("ledger_verify")


def test_a_refused_read_records_nothing(personas):
    client = make_client(personas.council_worker)
    with pytest.raises(NotFound):
        client_record(actor=personas.outsider, client_id=client.pk, purpose=PURPOSE)
    assert client_disclosures(client.pk) == []


def test_the_caseload_records_each_client_it_names(personas):
    first = make_client(personas.council_worker)
    second = make_client(personas.council_worker)
    caseload(actor=personas.council_worker, purpose=PURPOSE)
    for client in (first, second):
        [entry] = client_disclosures(client.pk)
        assert entry.categories == ("identity",)
        assert entry.bases[0].kind == "own"
