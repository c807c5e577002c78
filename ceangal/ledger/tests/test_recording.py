from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

import pytest
from django.db import transaction

from ceangal.ledger.chain import GENESIS_HASH, SHARD_COUNT, entry_hash, shard_for
from ceangal.ledger.models import LedgerChainHead, LedgerEntry
from ceangal.ledger.services import Channel, Disclosure, DisclosureBasis, record_disclosure, record_disclosures
from ceangal.ledger.tests.helpers import CONSENT_ID, client_in_shard, disclose


def test_outside_a_transaction_nothing_is_recorded():
    # No database access at all: the check comes first (and pytest-django would refuse a query).
    with pytest.raises(RuntimeError, match="inside the transaction"):
        disclose()


@pytest.mark.django_db
def test_an_entry_records_who_what_why_and_on_what_basis():
    client_id = uuid.uuid4()
    at = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    bases = [
        DisclosureBasis(category="identity", supplier_organisation_id=1, kind="own"),
        DisclosureBasis(
            category="contact",
            supplier_organisation_id=2,
            kind="agreement_consent",
            agreement_version_id=7,
            consent_record_id=CONSENT_ID,
        ),
        DisclosureBasis(category="health", supplier_organisation_id=3, kind="break_glass", break_glass_grant_id=5),
        DisclosureBasis(
            category="contact",
            supplier_organisation_id=4,
            kind="agreement_other_basis",
            agreement_version_id=8,
            lawful_basis="A6-1-e-public-interest",
        ),
    ]
    entry = record_disclosure(
        actor_staff_id=11,
        actor_user_id=21,
        organisation_id=1,
        client_id=client_id,
        categories=["health", "identity", "contact", "contact"],
        purpose="support-coordination",
        channel="api",
        bases=bases,
        at=at,
    )
    stored = LedgerEntry.objects.get(pk=entry.pk)
    assert stored.at == at
    assert (stored.actor_staff_id, stored.actor_user_id, stored.organisation_id) == (11, 21, 1)
    assert stored.client_id == client_id
    assert stored.channel == Channel.API
    assert stored.categories == ["contact", "health", "identity"]  # sorted, once each
    assert [(b["category"], b["supplier_organisation_id"]) for b in stored.bases] == sorted(
        (b.category, b.supplier_organisation_id) for b in bases
    )
    assert stored.bases[0]["consent_record_id"] == CONSENT_ID
    assert stored.shard == shard_for(client_id)
    assert (stored.seq, stored.prev_hash) == (1, GENESIS_HASH)
    assert stored.entry_hash == entry_hash(stored.chained_fields())


@pytest.mark.django_db
def test_entries_in_one_chain_link_and_the_head_follows():
    client_id = client_in_shard(3)
    first = disclose(client_id)
    second = disclose(client_id, channel=Channel.EXPORT)
    other = disclose(client_in_shard(4))
    assert (first.seq, second.seq, other.seq) == (1, 2, 1)
    assert second.prev_hash == first.entry_hash
    head = LedgerChainHead.objects.get(shard=3)
    assert (head.last_seq, head.last_hash) == (2, second.entry_hash)


@pytest.mark.django_db
def test_the_hash_covers_every_field():
    entry = disclose()
    fields = entry.chained_fields()
    changes: dict[str, Any] = {
        "shard": (fields.shard + 1) % SHARD_COUNT,
        "seq": 2,
        "at": fields.at + dt.timedelta(microseconds=1),
        "actor_staff_id": 12,
        "actor_user_id": 22,
        "organisation_id": 2,
        "client_id": uuid.uuid4(),
        "purpose": "evaluation",
        "channel": "api",
        "categories": ["contact", "identity"],
        "bases": [],
        "prev_hash": "f" * 64,
    }
    assert set(changes) == set(fields.__dataclass_fields__)
    for name, value in changes.items():
        assert entry_hash(replace(fields, **{name: value})) != entry.entry_hash, name


@pytest.mark.django_db
def test_a_disclosure_rolled_back_leaves_no_entry_and_no_gap():
    client_id = client_in_shard(5)

    def disclose_then_fail() -> None:
        with transaction.atomic():
            disclose(client_id)
            raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        disclose_then_fail()
    assert not LedgerEntry.objects.exists()
    assert disclose(client_id).seq == 1


@pytest.mark.django_db
def test_several_clients_in_one_transaction():
    clients = [client_in_shard(9), client_in_shard(2), client_in_shard(9)]
    basis = DisclosureBasis(category="contact", supplier_organisation_id=1, kind="own")
    entries = record_disclosures(
        [
            Disclosure(
                actor_staff_id=11,
                actor_user_id=21,
                organisation_id=1,
                client_id=client_id,
                categories=["contact"],
                purpose="referral",
                channel=Channel.REFERRAL,
                bases=[basis],
            )
            for client_id in clients
        ]
    )
    assert [entry.client_id for entry in entries] == clients
    assert [(entry.shard, entry.seq) for entry in entries] == [(9, 1), (2, 1), (9, 2)]
    assert entries[2].prev_hash == entries[0].entry_hash
    assert LedgerChainHead.objects.get(shard=9).last_hash == entries[2].entry_hash
    assert all(entry.pk for entry in entries)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"categories": []}, "categories is empty"),
        ({"categories": "contact"}, "not one string"),
        ({"purpose": ""}, "purpose"),
        ({"channel": "email"}, "channel 'email'"),
        ({"at": dt.datetime(2026, 1, 1, 9, 0)}, "timezone-aware"),
        ({"categories": ["contact", "health"]}, "no basis given for health"),
        ({"bases": [DisclosureBasis(category="health", supplier_organisation_id=1, kind="own")]}, "not among"),
        ({"bases": [DisclosureBasis(category="contact", supplier_organisation_id=1, kind="trust me")]}, "kind"),
        (
            {"bases": [DisclosureBasis(category="contact", supplier_organisation_id=2, kind="agreement_consent")]},
            "agreement_version_id",
        ),
        (
            {
                "bases": [
                    DisclosureBasis(
                        category="contact",
                        supplier_organisation_id=2,
                        kind="agreement_consent",
                        agreement_version_id=7,
                        consent_record_id="not-a-uuid",
                    )
                ]
            },
            "consent_record_id",
        ),
        (
            {
                "bases": [
                    DisclosureBasis(
                        category="contact",
                        supplier_organisation_id=2,
                        kind="agreement_other_basis",
                        agreement_version_id=7,
                    )
                ]
            },
            "lawful_basis",
        ),
        (
            {"bases": [DisclosureBasis(category="contact", supplier_organisation_id=2, kind="break_glass")]},
            "break_glass_grant_id",
        ),
    ],
)
def test_an_incomplete_disclosure_is_refused_and_nothing_written(overrides, message):
    with pytest.raises(ValueError, match=message):
        disclose(**overrides)
    assert not LedgerEntry.objects.exists()
    assert not LedgerChainHead.objects.exists()
