"""Every way of tampering with the ledger that gets past the guards is caught by verify."""

from __future__ import annotations

from dataclasses import replace
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ceangal.ledger.chain import entry_hash
from ceangal.ledger.models import LedgerEntry
from ceangal.ledger.tests.helpers import client_in_shard, disclose, tamper
from ceangal.ledger.verify import ledger_verify

pytestmark = pytest.mark.django_db

SHARD = 6


@pytest.fixture
def chain() -> list[LedgerEntry]:
    """Five entries in one chain, and one in another that stays sound."""
    client_id = client_in_shard(SHARD)
    entries = [disclose(client_id, actor_staff_id=10 + n) for n in range(5)]
    disclose(client_in_shard(SHARD + 1))
    return entries


def only_problem():
    result = ledger_verify()
    assert len(result.problems) == 1, result.problems
    return result.problems[0]


def test_a_sound_ledger_verifies(chain):
    result = ledger_verify()
    assert result.ok
    assert (result.entries, result.chains) == (6, 2)
    out = StringIO()
    call_command("ledger_verify", stdout=out)
    assert out.getvalue().strip() == "Ledger verified: 6 entries in 2 chains."
    out = StringIO()
    call_command("ledger_verify", "--shard", str(SHARD), stdout=out)
    assert out.getvalue().strip() == "Ledger verified: 5 entries in 1 chains."


def test_an_empty_ledger_verifies():
    assert ledger_verify().ok
    assert (ledger_verify().entries, ledger_verify().chains) == (0, 0)


def test_a_changed_field_is_caught(chain):
    tamper("UPDATE ledger_ledgerentry SET purpose = %s WHERE id = %s", ["evaluation", chain[2].pk])
    problem = only_problem()
    assert (problem.shard, problem.seq, problem.entry_id, problem.kind) == (SHARD, 3, chain[2].pk, "altered")


def test_a_changed_entry_with_a_recomputed_hash_breaks_the_next_link(chain):
    forged = entry_hash(replace(chain[2].chained_fields(), purpose="evaluation"))
    tamper(
        "UPDATE ledger_ledgerentry SET purpose = %s, entry_hash = %s WHERE id = %s",
        ["evaluation", forged, chain[2].pk],
    )
    problem = only_problem()
    assert (problem.seq, problem.entry_id, problem.kind) == (4, chain[3].pk, "broken link")


def test_a_deleted_entry_is_caught(chain):
    tamper("DELETE FROM ledger_ledgerentry WHERE id = %s", [chain[1].pk])
    problem = only_problem()
    assert (problem.seq, problem.entry_id, problem.kind) == (3, chain[2].pk, "missing")
    assert "entries 2 to 2 are missing" in problem.detail


def test_a_deleted_last_entry_is_caught_by_the_head(chain):
    tamper("DELETE FROM ledger_ledgerentry WHERE id = %s", [chain[4].pk])
    problem = only_problem()
    assert (problem.shard, problem.seq, problem.kind) == (SHARD, 4, "head mismatch")


def test_a_whole_chain_deleted_is_caught_by_the_head(chain):
    tamper("DELETE FROM ledger_ledgerentry WHERE shard = %s", [SHARD])
    problem = only_problem()
    assert (problem.shard, problem.seq, problem.kind) == (SHARD, None, "head mismatch")


def test_reordered_entries_are_caught(chain):
    # Swap seq 2 and 3 (through a spare number: (shard, seq) is unique).
    tamper("UPDATE ledger_ledgerentry SET seq = 1000 WHERE id = %s", [chain[1].pk])
    tamper("UPDATE ledger_ledgerentry SET seq = 2 WHERE id = %s", [chain[2].pk])
    tamper("UPDATE ledger_ledgerentry SET seq = 3 WHERE id = %s", [chain[1].pk])
    problem = only_problem()
    assert (problem.seq, problem.entry_id, problem.kind) == (2, chain[2].pk, "reordered")


def test_an_entry_slipped_in_past_the_head_is_caught(chain):
    last = chain[4]
    tamper(
        "INSERT INTO ledger_ledgerentry (shard, seq, at, actor_staff_id, actor_user_id, organisation_id, client_id,"
        " purpose, channel, categories, bases, prev_hash, entry_hash)"
        " SELECT shard, 6, at, actor_staff_id, actor_user_id, organisation_id, client_id, purpose, channel,"
        " categories, bases, entry_hash, entry_hash FROM ledger_ledgerentry WHERE id = %s",
        [last.pk],
    )
    problem = only_problem()
    assert (problem.shard, problem.kind) == (SHARD, "head mismatch")
    assert "beyond the head" in problem.detail


def test_the_command_names_the_first_bad_entry_and_fails(chain):
    tamper("UPDATE ledger_ledgerentry SET organisation_id = 99 WHERE id = %s", [chain[1].pk])
    tamper("UPDATE ledger_ledgerentry SET organisation_id = 99 WHERE id = %s", [chain[3].pk])
    err = StringIO()
    with pytest.raises(CommandError, match="FAILED in 1 of 2 chains"):
        call_command("ledger_verify", stderr=err)
    assert err.getvalue().strip() == (
        f"Ledger problem: chain {SHARD}, seq 2 (entry id {chain[1].pk}): altered: its contents no longer match its hash"
    )
    call_command("ledger_verify", "--shard", str(SHARD + 1), stdout=StringIO())
