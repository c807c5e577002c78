"""Writers in separate connections: the chains stay sound, and only one chain's writers queue."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from ceangal.ledger.models import LedgerChainHead, LedgerEntry
from ceangal.ledger.tests.helpers import client_in_shard, disclose
from ceangal.ledger.verify import ledger_verify

pytestmark = pytest.mark.django_db(transaction=True)


def in_thread(work: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_concurrent_writers_to_one_chain_and_to_different_chains_leave_sound_chains():
    if "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("threads need a database they can share")
    same = client_in_shard(1)
    clients = [same, same, client_in_shard(2), client_in_shard(3)]
    per_thread = 15
    start = threading.Barrier(len(clients))
    errors: list[BaseException] = []

    def writer(client_id):
        def work() -> None:
            start.wait(timeout=10)
            for _ in range(per_thread):
                with transaction.atomic():
                    disclose(client_id)

        return work

    threads = [in_thread(writer(client_id), errors) for client_id in clients]
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    result = ledger_verify()
    assert result.ok, result.problems
    assert (result.entries, result.chains) == (len(clients) * per_thread, 3)
    assert LedgerChainHead.objects.get(shard=1).last_seq == 2 * per_thread
    seqs = list(LedgerEntry.objects.filter(shard=1).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * per_thread + 1))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every writer anyway")
def test_an_open_append_holds_up_only_its_own_chain_and_no_reader():
    busy, other = client_in_shard(4), client_in_shard(5)
    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold_chain_open() -> None:
        with transaction.atomic():
            disclose(busy)
            holding.set()
            release.wait(timeout=20)

    def append_same_chain() -> None:
        with transaction.atomic():
            disclose(busy)

    holder = in_thread(hold_chain_open, errors)
    assert holding.wait(timeout=10)
    queued = in_thread(append_same_chain, errors)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            # Another chain: no wait.
            disclose(other)
        # Readers never wait, not even for the locked chain.
        assert not LedgerEntry.objects.filter(client_id=busy).exists()  # not yet committed
        assert ledger_verify().ok
        time.sleep(0.2)
        assert queued.is_alive(), "a second writer to a locked chain should wait its turn"
    finally:
        release.set()
        holder.join(timeout=10)
        queued.join(timeout=10)
    assert not errors, errors
    assert list(LedgerEntry.objects.filter(client_id=busy).order_by("seq").values_list("seq", flat=True)) == [1, 2]
    assert ledger_verify().ok
