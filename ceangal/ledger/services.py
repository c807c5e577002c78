"""Writing the access ledger: one entry per decision that disclosed client data.

Callers are the policy selectors (and later referrals, returns and rights), inside the transaction
that made the decision: if the entry cannot be written, nothing is disclosed, and a rolled-back
disclosure leaves no entry.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any, Literal, get_args

from django.db import connection, transaction
from django.utils import timezone

from ceangal.db import Prepared
from ceangal.ledger.chain import ChainedFields, canonical_json, entry_hash, shard_for
from ceangal.ledger.models import PURPOSE_MAX_LENGTH, Channel, LedgerChainHead, LedgerEntry

__all__ = ["BasisKind", "Channel", "Disclosure", "DisclosureBasis", "record_disclosure", "record_disclosures"]

BasisKind = Literal["own", "agreement_consent", "agreement_other_basis", "break_glass"]
BASIS_KINDS: frozenset[str] = frozenset(get_args(BasisKind))


@dataclass(frozen=True)
class DisclosureBasis:
    """What one category from one supplier was disclosed on.

    kind "own": the actor's organisation supplied it. "agreement_consent": an agreement version
    and a consent record. "agreement_other_basis": an agreement version whose lawful basis for the
    purpose is not consent (lawful_basis says which, e.g. "A6-1-e-public-interest").
    "break_glass": an unexpired break-glass grant.
    """

    category: str
    supplier_organisation_id: int
    kind: str
    agreement_version_id: int | None = None
    consent_record_id: str | None = None
    break_glass_grant_id: int | None = None
    lawful_basis: str = ""


@dataclass(frozen=True)
class Disclosure:
    """One client's disclosure, for record_disclosures (several clients in one transaction)."""

    actor_staff_id: int
    actor_user_id: int
    organisation_id: int
    client_id: uuid.UUID
    categories: Sequence[str]
    purpose: str
    channel: Channel | str
    bases: Sequence[DisclosureBasis]
    at: dt.datetime | None = None


def record_disclosure(
    *,
    actor_staff_id: int,
    actor_user_id: int,
    organisation_id: int,
    client_id: uuid.UUID,
    categories: Sequence[str],
    purpose: str,
    channel: Channel | str,
    bases: Sequence[DisclosureBasis],
    at: dt.datetime | None = None,
) -> LedgerEntry:
    """Append one entry to the ledger. Must run inside the transaction that made the decision.

    Call it as late as that transaction allows: the entry's chain is locked from here to commit,
    so a long transaction after it makes other writers to the same chain wait.
    """
    (entry,) = record_disclosures(
        [
            Disclosure(
                actor_staff_id=actor_staff_id,
                actor_user_id=actor_user_id,
                organisation_id=organisation_id,
                client_id=client_id,
                categories=categories,
                purpose=purpose,
                channel=channel,
                bases=bases,
                at=at,
            )
        ]
    )
    return entry


def record_disclosures(disclosures: Sequence[Disclosure]) -> list[LedgerEntry]:
    """Append one entry per disclosure, in the caller's transaction, in the order given.

    For a transaction that discloses several clients (an export, a return) use this rather than
    record_disclosure in a loop: it locks the chains in one fixed order (ascending shard), so two
    such transactions can never deadlock by taking the same chains in opposite orders.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_disclosure must be called inside the transaction of the decision it records.")
    prepared = [_validated(disclosure) for disclosure in disclosures]
    if not prepared:
        return []

    shards = sorted({item.shard for item in prepared})
    heads = _lock_heads(shards)
    # Taken after the locks, so that within a chain seq order is also time order when at is unset.
    now = timezone.now()
    entries: list[LedgerEntry] = []
    for item in prepared:
        head = heads[item.shard]
        fields = ChainedFields(
            shard=item.shard,
            seq=head.last_seq + 1,
            at=item.at or now,
            actor_staff_id=item.actor_staff_id,
            actor_user_id=item.actor_user_id,
            organisation_id=item.organisation_id,
            client_id=item.client_id,
            purpose=item.purpose,
            channel=item.channel,
            categories=item.categories,
            bases=item.bases,
            prev_hash=head.last_hash,
        )
        digest = entry_hash(fields)
        entries.append(
            LedgerEntry(
                shard=fields.shard,
                seq=fields.seq,
                at=fields.at,
                actor_staff_id=fields.actor_staff_id,
                actor_user_id=fields.actor_user_id,
                organisation_id=fields.organisation_id,
                client_id=fields.client_id,
                purpose=fields.purpose,
                channel=fields.channel,
                categories=list(fields.categories),
                bases=[dict(basis) for basis in fields.bases],
                prev_hash=fields.prev_hash,
                entry_hash=digest,
            )
        )
        head.last_seq = fields.seq
        head.last_hash = digest

    if len(entries) == 1:
        _insert_one(entries[0])
    else:
        LedgerEntry.objects.bulk_create(entries)
    with connection.cursor() as cursor:
        cursor.executemany(_sql().update_head, [(heads[s].last_seq, heads[s].last_hash, s) for s in shards])
    return entries


@dataclass(frozen=True)
class _Statements:
    """The SQL of the single-entry append (every page and API read makes one), written once:
    building it through the ORM cost more than the database took to run it."""

    insert_columns: tuple[Any, ...]
    insert: str
    update_head: str


@cache
def _statements(vendor: str) -> _Statements:
    quote = connection.ops.quote_name
    # Table and column names come from the models, never from input; values are parameters.
    fields = tuple(f for f in LedgerEntry._meta.concrete_fields if not f.primary_key)
    pk = quote("id")
    table, columns, values = (
        quote(LedgerEntry._meta.db_table),
        ", ".join(quote(f.column or f.attname) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    insert = f"INSERT INTO {table} ({columns}) VALUES ({values}) RETURNING {pk}"  # noqa: S608
    head = quote(LedgerChainHead._meta.db_table)
    update_head = f"UPDATE {head} SET {quote('last_seq')} = %s, {quote('last_hash')} = %s WHERE {quote('shard')} = %s"  # noqa: S608
    return _Statements(fields, insert, update_head)


def _sql() -> _Statements:
    return _statements(connection.vendor)


def _insert_one(entry: LedgerEntry) -> None:
    """INSERT one entry (never an update: the table is append-only) and take its id."""
    statements = _sql()
    params = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in statements.insert_columns]
    with connection.cursor() as cursor:
        cursor.execute(statements.insert, params)
        entry.pk = cursor.fetchone()[0]
    entry._state.adding = False
    entry._state.db = connection.alias


@dataclass(frozen=True)
class _Prepared:
    shard: int
    at: dt.datetime | None
    actor_staff_id: int
    actor_user_id: int
    organisation_id: int
    client_id: uuid.UUID
    purpose: str
    channel: str
    categories: list[str]
    bases: list[dict[str, str | int | None]]


def _validated(disclosure: Disclosure) -> _Prepared:
    """Check a disclosure and put it in canonical form. Errors here are the caller's bugs."""
    problems: list[str] = []
    if not isinstance(disclosure.client_id, uuid.UUID):
        raise TypeError("client_id must be a uuid.UUID.")
    if isinstance(disclosure.categories, str):
        problems.append("categories must be a sequence of category codes, not one string")
    categories = sorted(set(disclosure.categories))
    if not categories:
        problems.append("categories is empty: a decision that disclosed nothing needs no entry")
    purpose = disclosure.purpose
    if not purpose or len(purpose) > PURPOSE_MAX_LENGTH:
        problems.append(f"purpose must be 1 to {PURPOSE_MAX_LENGTH} characters")
    channel = str(disclosure.channel)
    if channel not in Channel.values:
        problems.append(f"channel {channel!r} is not one of {', '.join(Channel.values)}")
    if disclosure.at is not None and timezone.is_naive(disclosure.at):
        problems.append("at must be timezone-aware")

    bases: dict[bytes, dict[str, str | int | None]] = {}
    for basis in disclosure.bases:
        problems.extend(_basis_problems(basis, categories))
        as_json = asdict(basis)
        bases[canonical_json(as_json)] = as_json
    covered = {basis.category for basis in disclosure.bases}
    if missing := [category for category in categories if category not in covered]:
        problems.append(f"no basis given for {', '.join(missing)}")
    if problems:
        raise ValueError("Cannot record this disclosure: " + "; ".join(problems) + ".")

    return _Prepared(
        shard=shard_for(disclosure.client_id),
        at=disclosure.at,
        actor_staff_id=disclosure.actor_staff_id,
        actor_user_id=disclosure.actor_user_id,
        organisation_id=disclosure.organisation_id,
        client_id=disclosure.client_id,
        purpose=purpose,
        channel=channel,
        categories=categories,
        bases=[bases[key] for key in sorted(bases)],
    )


def _basis_problems(basis: DisclosureBasis, categories: list[str]) -> list[str]:
    problems: list[str] = []
    label = f"basis for {basis.category}"
    if basis.category not in categories:
        problems.append(f"{label}: category is not among those disclosed")
    if basis.kind not in BASIS_KINDS:
        problems.append(f"{label}: kind {basis.kind!r} is not one of {', '.join(sorted(BASIS_KINDS))}")
    if basis.kind.startswith("agreement_") and basis.agreement_version_id is None:
        problems.append(f"{label}: an agreement basis names its agreement_version_id")
    if basis.kind == "agreement_consent":
        try:
            uuid.UUID(basis.consent_record_id or "")
        except ValueError:
            problems.append(f"{label}: an agreement_consent basis names its consent_record_id (a UUID)")
    if basis.kind == "agreement_other_basis" and not basis.lawful_basis:
        problems.append(f"{label}: an agreement_other_basis basis names its lawful_basis")
    if basis.kind == "break_glass" and basis.break_glass_grant_id is None:
        problems.append(f"{label}: a break_glass basis names its break_glass_grant_id")
    return problems


def _lock_heads(shards: list[int]) -> dict[int, LedgerChainHead]:
    """Lock the heads of these chains (made on first use), in ascending order."""
    heads = _select_heads_for_update(shards)
    if len(heads) < len(shards):
        # First entry in a chain (or a database emptied by a test flush). Two first writers may
        # race here: ignore_conflicts makes the loser a no-op, and the locking read below then
        # waits for the winner's transaction like any other append.
        LedgerChainHead.objects.bulk_create(
            [LedgerChainHead(shard=shard) for shard in shards if shard not in heads], ignore_conflicts=True
        )
        heads = _select_heads_for_update(shards)
    return heads


_ONE_HEAD = Prepared(
    lambda shard: (
        LedgerChainHead.objects.select_for_update().filter(shard=shard).values("shard", "last_seq", "last_hash")
    ),
    shard=LedgerChainHead._meta.get_field("shard"),
)


def _select_heads_for_update(shards: list[int]) -> dict[int, LedgerChainHead]:
    if len(shards) == 1:
        return {row["shard"]: LedgerChainHead(**row) for row in _ONE_HEAD.rows(shard=shards[0])}
    # ORDER BY makes PostgreSQL take the row locks in shard order.
    rows = LedgerChainHead.objects.select_for_update().filter(shard__in=shards).order_by("shard")
    return {head.shard: head for head in rows}
