"""Shared bits for the ledger tests: disclosures with plain ids, raw SQL that bypasses the guards."""

from __future__ import annotations

import uuid
from typing import Any

from django.db import connection

from ceangal.ledger.chain import shard_for
from ceangal.ledger.models import LedgerEntry
from ceangal.ledger.services import Channel, DisclosureBasis, record_disclosure

CONSENT_ID = "0b6f1f5e-6a43-4d7e-9a77-7d0cbe0f5a11"


def client_in_shard(shard: int) -> uuid.UUID:
    while True:
        client_id = uuid.uuid4()
        if shard_for(client_id) == shard:
            return client_id


def disclose(client_id: uuid.UUID | None = None, **overrides: Any) -> LedgerEntry:
    """One disclosure by organisation 1 of contact details supplied by organisation 2."""
    arguments: dict[str, Any] = {
        "actor_staff_id": 11,
        "actor_user_id": 21,
        "organisation_id": 1,
        "client_id": client_id or uuid.uuid4(),
        "categories": ["contact"],
        "purpose": "support-coordination",
        "channel": Channel.PAGE,
        "bases": [
            DisclosureBasis(
                category="contact",
                supplier_organisation_id=2,
                kind="agreement_consent",
                agreement_version_id=7,
                consent_record_id=CONSENT_ID,
            )
        ],
    }
    arguments.update(overrides)
    return record_disclosure(**arguments)


def tamper(sql: str, params: list[Any]) -> None:
    """Run SQL the ORM would refuse. On PostgreSQL the triggers are switched off for the rest of
    the test's transaction (rolled back with it)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)
