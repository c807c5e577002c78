"""The hash chain, as pure functions: which chain an entry joins and what its hash is.

The ledger is SHARD_COUNT independent chains. A client's entries always join the same chain
(chosen by a stable hash of the client id), so writers for different clients rarely wait for one
another. Each entry's hash covers the previous entry's hash and every stored field but its own
surrogate id, so changing, deleting or reordering entries breaks the chain where it happened.

No ORM and no clock here: the same code computes a hash when writing and when verifying.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Changing how an entry is hashed means a new version, verified by its own rules; entries record
# nothing of it today because there has only ever been version 1.
HASH_VERSION = 1
GENESIS_HASH = "0" * 64
# Changing this only moves where new entries go: every entry stores its own shard.
SHARD_COUNT = 16

BasisJSON = Mapping[str, str | int | None]


def shard_for(client_id: uuid.UUID) -> int:
    """The chain a client's entries join. Stable across processes and releases (not Python's hash())."""
    digest = hashlib.sha256(client_id.bytes).digest()
    return int.from_bytes(digest[:4], "big") % SHARD_COUNT


def canonical_json(value: object) -> bytes:
    """One byte string for one value: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()


def utc_timestamp(at: dt.datetime) -> str:
    """ISO 8601 in UTC with microseconds: what both databases store and give back."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("Ledger times must be timezone-aware.")
    return at.astimezone(dt.UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True)
class ChainedFields:
    """Every stored field of an entry that its hash covers (all but the surrogate id and the hash)."""

    shard: int
    seq: int
    at: dt.datetime
    actor_staff_id: int
    actor_user_id: int
    organisation_id: int
    client_id: uuid.UUID
    purpose: str
    channel: str
    categories: Sequence[str]
    bases: Sequence[BasisJSON]
    prev_hash: str

    def payload(self) -> dict[str, object]:
        return {
            "v": HASH_VERSION,
            "shard": self.shard,
            "seq": self.seq,
            "at": utc_timestamp(self.at),
            "actor_staff_id": self.actor_staff_id,
            "actor_user_id": self.actor_user_id,
            "organisation_id": self.organisation_id,
            "client_id": str(self.client_id),
            "purpose": self.purpose,
            "channel": self.channel,
            "categories": list(self.categories),
            "bases": [dict(basis) for basis in self.bases],
            "prev_hash": self.prev_hash,
        }


def entry_hash(fields: ChainedFields) -> str:
    """SHA-256 over the previous entry's hash followed by the canonical JSON of the entry."""
    return hashlib.sha256(fields.prev_hash.encode("ascii") + canonical_json(fields.payload())).hexdigest()
