"""Checking the chains: recompute every hash and report the first bad entry in each chain.

Safe to run while the service is busy, without locking anything: each chain's head is read first
and only entries up to it are walked (an entry and its head move in one transaction, so every
entry at or below a head already read is committed). Entries beyond the head are checked for
afterwards, against a head read again after them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from django.db.models import Max

from ceangal.ledger.chain import GENESIS_HASH, entry_hash
from ceangal.ledger.models import LedgerChainHead, LedgerEntry

ProblemKind = Literal["altered", "missing", "reordered", "broken link", "head mismatch"]
_BATCH = 5000


@dataclass(frozen=True)
class ChainProblem:
    """The first bad entry of one chain. seq and entry_id are None when the fault is the head's."""

    shard: int
    seq: int | None
    entry_id: int | None
    kind: ProblemKind
    detail: str

    def __str__(self) -> str:
        where = f"chain {self.shard}"
        if self.seq is not None:
            where += f", seq {self.seq}"
        if self.entry_id is not None:
            where += f" (entry id {self.entry_id})"
        return f"{where}: {self.kind}: {self.detail}"


@dataclass(frozen=True)
class LedgerVerification:
    entries: int
    chains: int
    problems: list[ChainProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def ledger_verify(*, shard: int | None = None) -> LedgerVerification:
    """Walk every chain (or one) in seq order and check it. For ledger_verify and the DPO's pages."""
    if shard is None:
        shards = sorted(
            set(LedgerChainHead.objects.values_list("shard", flat=True))
            | set(LedgerEntry.objects.order_by().values_list("shard", flat=True).distinct())
        )
    else:
        shards = [shard]
    total = 0
    problems: list[ChainProblem] = []
    for number in shards:
        count, problem = _verify_chain(number)
        total += count
        if problem is not None:
            problems.append(problem)
    return LedgerVerification(entries=total, chains=len(shards), problems=problems)


def _verify_chain(shard: int) -> tuple[int, ChainProblem | None]:
    head = LedgerChainHead.objects.filter(shard=shard).first()
    head_seq = head.last_seq if head else 0
    expected_seq = 1
    prev_hash = GENESIS_HASH
    last: LedgerEntry | None = None
    count = 0

    def problem(kind: ProblemKind, entry: LedgerEntry | None, detail: str) -> tuple[int, ChainProblem]:
        return count, ChainProblem(
            shard=shard,
            seq=entry.seq if entry else None,
            entry_id=entry.pk if entry else None,
            kind=kind,
            detail=detail,
        )

    # Keyset batches rather than one server-side cursor: works through any connection pooler.
    while expected_seq <= head_seq:
        batch = list(
            LedgerEntry.objects.filter(shard=shard, seq__gte=expected_seq, seq__lte=head_seq).order_by("seq")[:_BATCH]
        )
        if not batch:
            break
        for entry in batch:
            if entry.seq != expected_seq:
                return problem(
                    "missing",
                    entry,
                    f"follows seq {expected_seq - 1}: entries {expected_seq} to {entry.seq - 1} are missing",
                )
            if entry.prev_hash != prev_hash:
                if LedgerEntry.objects.filter(shard=shard, entry_hash=entry.prev_hash).exists():
                    return problem("reordered", entry, "it follows an entry found elsewhere in the chain")
                return problem("broken link", entry, "prev_hash is not the hash of the entry before it")
            if entry_hash(entry.chained_fields()) != entry.entry_hash:
                return problem("altered", entry, "its contents no longer match its hash")
            prev_hash = entry.entry_hash
            expected_seq += 1
            count += 1
            last = entry

    if head is not None:
        found = last.seq if last else 0
        if found != head.last_seq:
            return problem(
                "head mismatch", last, f"the head says {head.last_seq} entries, the chain ends at {found}: entries cut"
            )
        if last is not None and last.entry_hash != head.last_hash:
            return problem("head mismatch", last, "the head's hash is not the last entry's hash")

    # Anything past the head was either committed after the head was read (fine: the head read
    # again now covers it) or written without moving the head (not fine).
    beyond = LedgerEntry.objects.filter(shard=shard, seq__gt=head_seq).aggregate(top=Max("seq"))["top"]
    if beyond is not None:
        head_now = LedgerChainHead.objects.filter(shard=shard).values_list("last_seq", flat=True).first() or 0
        if beyond > head_now:
            detail = f"entries up to seq {beyond} lie beyond the head at {head_now}"
            if head is None:
                detail = "the chain has entries but no head"
            return problem("head mismatch", None, detail)
    return count, None
