"""Time the ledger: appends (each in its own transaction) and verification.

    .venv/bin/python -m ceangal.ledger.tests.bench_ledger [N]     # SQLite, a new file (default N 10000)
    BENCH_THREADS=8 .venv/bin/python -m ceangal.ledger.tests.bench_ledger      # N split over 8 writers
    CEANGAL_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ceangal_ledger_bench \\
        .venv/bin/python -m ceangal.ledger.tests.bench_ledger [N]

The PostgreSQL database is dropped and made again, so its name must contain "bench". Settings are
the production ones (DEBUG off, WAL on SQLite, persistent connections on PostgreSQL). Not a test:
pytest collects only test_*.py.
"""

from __future__ import annotations

import os
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlsplit


def _fresh_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"CEANGAL_BENCH_DATABASE_URL names {name!r}: use a name with 'bench' in it.")
    with psycopg.connect(parts._replace(path="/postgres").geturl(), autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    url = os.environ.get("CEANGAL_BENCH_DATABASE_URL", "")
    var_dir = tempfile.mkdtemp(prefix="ceangal-ledger-bench-")
    if url:
        _fresh_postgres(url)
    else:
        url = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ.update(DATABASE_URL=url, CEANGAL_VAR_DIR=var_dir, DEBUG="false", LOG_LEVEL="WARNING")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ceangal.settings")

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections, transaction

    from ceangal.ledger.services import Channel, DisclosureBasis, record_disclosure
    from ceangal.ledger.verify import ledger_verify

    call_command("migrate", verbosity=0)
    clients = [uuid.uuid4() for _ in range(500)]
    bases = [
        DisclosureBasis(category="identity", supplier_organisation_id=1, kind="own"),
        DisclosureBasis(
            category="contact",
            supplier_organisation_id=2,
            kind="agreement_consent",
            agreement_version_id=7,
            consent_record_id=str(uuid.uuid4()),
        ),
    ]
    threads = int(os.environ.get("BENCH_THREADS", "1"))

    def append(first: int, step: int) -> None:
        try:
            for i in range(first, n, step):
                with transaction.atomic():
                    record_disclosure(
                        actor_staff_id=1 + i % 40,
                        actor_user_id=1 + i % 40,
                        organisation_id=1 + i % 5,
                        client_id=clients[i % len(clients)],
                        categories=["contact", "identity"],
                        purpose="support-coordination",
                        channel=Channel.PAGE,
                        bases=bases,
                    )
        finally:
            if step > 1:
                connections.close_all()

    started = time.perf_counter()
    if threads == 1:
        append(0, 1)
    else:
        workers = [threading.Thread(target=append, args=(k, threads)) for k in range(threads)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
    append_seconds = time.perf_counter() - started
    started = time.perf_counter()
    result = ledger_verify()
    verify_seconds = time.perf_counter() - started
    assert result.ok, result
    assert result.entries == n, result
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"append: {threads} writer(s), {n} entries in {append_seconds:.2f} s = {n / append_seconds:,.0f} entries/s")
    print(f"verify: {n} entries in {verify_seconds:.2f} s = {n / verify_seconds:,.0f} entries/s")


if __name__ == "__main__":
    main()
