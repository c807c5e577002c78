"""`make bench`: performance figures on a fresh database of synthetic clients.

    .venv/bin/python bench/run.py                      # SQLite, in a new temporary directory
    CEANGAL_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ceangal_bench .venv/bin/python bench/run.py
    BENCH_CLIENTS=20000 .venv/bin/python bench/run.py  # more clients (default 5,000)

Each run starts from an empty database so that figures can be compared: SQLite gets a new file
under a temporary directory; a PostgreSQL database is dropped and made again, so its name must
contain "bench" (a guard against pointing this at real data). The run migrates, loads the code
lists, seeds BENCH_CLIENTS clients with the seed command's generator, then times the reads and
writes a key worker makes all day, through the same selectors and services the pages use.
DEBUG is off, as in production, so Django does not keep every query in memory.
"""

from __future__ import annotations

import dataclasses
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RUNS = 50  # timed calls per measure: the median of these is shown


def _fresh_postgres(url: str) -> None:
    """Drop and make again the database named in url, connecting to the server's 'postgres' database."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(
            f"CEANGAL_BENCH_DATABASE_URL names {name!r}; the bench remakes its database, "
            "so use a name with 'bench' in it."
        )
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _configure(var_dir: str) -> str:
    """Point Django at the bench database before it starts; returns a description of it."""
    url = os.environ.get("CEANGAL_BENCH_DATABASE_URL", "")
    if url:
        _fresh_postgres(url)
        where = f"PostgreSQL ({urlsplit(url).path.lstrip('/')})"
    else:
        url = f"sqlite:///{var_dir}/bench.sqlite3"
        where = "SQLite (new file, removed afterwards)"
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "ceangal.settings",
            "DATABASE_URL": url,
            "CEANGAL_VAR_DIR": var_dir,
            "DEBUG": "false",
        }
    )
    sys.path.insert(0, str(ROOT))
    return where


def _max_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _median_ms(calls: list[Callable[[], Any]]) -> float:
    timings = []
    for call in calls:
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def main() -> None:
    var_dir = tempfile.mkdtemp(prefix="ceangal-bench-")
    try:
        _bench(var_dir)
    finally:
        # A 100,000-client SQLite file is about a gigabyte: do not leave it in /tmp.
        shutil.rmtree(var_dir, ignore_errors=True)


def _bench(var_dir: str) -> None:
    clients = int(os.environ.get("BENCH_CLIENTS", "5000"))
    where = _configure(var_dir)

    import django

    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from ceangal.clients import models as m
    from ceangal.clients.seeding import seed_clients
    from ceangal.clients.services import section_save
    from ceangal.partners.models import StaffMember
    from ceangal.policy.purposes import Purpose
    from ceangal.policy.seeding import seed_sharing
    from ceangal.policy.selectors import caseload, client_record
    from ceangal.reference.loader import load_code_lists

    call_command("migrate", verbosity=0)
    load_code_lists()

    rss_before = _max_rss_mib()
    report = seed_clients(clients=clients, seed=1, slug="bench")
    rss_after = _max_rss_mib()
    sharing = seed_sharing(report.partnership, agreements=50, seed=1)

    # The key worker with the biggest live caseload (the seed gives each organisation's first
    # key worker a double share).
    busiest = (
        m.Engagement.objects.filter(status__in=m.LIVE_ENGAGEMENT_STATUSES, key_worker__isnull=False)
        .values("key_worker")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    assert busiest is not None, "the seed made no live engagements"
    worker = StaffMember.objects.select_related("user", "organisation").get(pk=busiest["key_worker"])
    own = list(
        m.Engagement.objects.filter(
            key_worker=worker, status__in=m.LIVE_ENGAGEMENT_STATUSES, client__registered_by=worker.organisation
        )
        .order_by("client_id")
        .values_list("client_id", flat=True)[:RUNS]
    )
    identities = list(m.IdentitySection.objects.filter(client_id__in=own).exclude(ni_number_index=""))
    contacts = {c.client_id: c for c in m.ContactDetails.objects.filter(client_id__in=own)}
    clients_by_id = m.Client.objects.in_bulk(own)

    purpose = Purpose.SUPPORT_COORDINATION
    figures: list[tuple[str, str]] = [
        ("clients seeded", f"{report.clients:,} in {report.seconds:,.1f} s"),
        ("seed rate", f"{report.rate:,.0f} clients/s"),
        ("rows written by the seed", f"{sum(report.rows.values()):,} (with history)"),
        ("agreements seeded", f"{sharing.agreements} in {sharing.agreement_seconds:,.1f} s"),
        ("consents seeded", f"{sharing.consents:,} in {sharing.consent_seconds:,.1f} s"),
        ("peak memory (max RSS)", f"{rss_after:,.0f} MiB, {rss_after - rss_before:+,.0f} MiB during the seed"),
        ("key worker's live caseload", f"{busiest['n']:,} clients"),
    ]

    def timed(label: str, calls: list[Callable[[], Any]]) -> None:
        figures.append((label, f"{_median_ms(calls):,.1f} ms median of {len(calls)}"))

    timed("caseload, organisation (first 200)", [partial(caseload, actor=worker, purpose=purpose)] * RUNS)
    timed(
        "caseload, own clients (first 200)", [partial(caseload, actor=worker, purpose=purpose, mine_only=True)] * RUNS
    )
    timed(
        "client_record, all sections", [partial(client_record, actor=worker, client_id=c, purpose=purpose) for c in own]
    )
    timed(
        "section_save, contact phone",
        [
            partial(
                section_save,
                actor=worker,
                client=clients_by_id[c],
                section_key="contact",
                data={"phone": f"07700900{n:03d}"},
                expected_version=contacts[c].version,
            )
            for n, c in enumerate(own)
        ],
    )
    # As a person types it: AB 12 34 56 C.
    ni_queries = [
        " ".join((i.ni_number[:2], i.ni_number[2:4], i.ni_number[4:6], i.ni_number[6:8], i.ni_number[8:]))
        for i in identities
    ]
    timed("search by NI number", [partial(caseload, actor=worker, purpose=purpose, query=q) for q in ni_queries])
    names = [f"{i.given_name} {i.family_name}" for i in identities]
    timed("search by name", [partial(caseload, actor=worker, purpose=purpose, query=q) for q in names])

    figures += _sharing_core(worker, own)

    title = (
        f"Ceangal bench: {where}; Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} CPUs; database {connection.vendor} {_server_version(connection)}"
    )
    width = max(len(label) for label, _ in figures)
    print(title)
    print("-" * len(title))
    for label, value in figures:
        # Issue 3 asks for `name: value unit` lines; the older figures keep their aligned table.
        print(f"{label}: {value}" if label in SHARING_FIGURES else f"{label:<{width}}  {value}")


SHARING_FIGURES = {
    "decisions_per_second",
    "governed_read_p50",
    "governed_read_p95",
    "plain_read_p50",
    "plain_read_p95",
    "governed_read_vs_plain_p50",
    "governed_read_vs_plain_p95",
}


def _decision_world(agreements: int = 50, organisations: int = 20) -> tuple[Any, Any, list[Any]]:
    """Plain facts shaped like a busy partnership: 20 partners, 50 agreements, 3 consents of 10 rows."""
    import datetime as dt

    from ceangal.policy.decision import (
        ActorFacts,
        AgreementFacts,
        AgreementPurposeFacts,
        ClientFacts,
        ConsentEventFacts,
        ConsentFacts,
        ScopeFacts,
    )
    from ceangal.reference.categories import DataCategory, Sensitivity

    today = dt.date(2026, 11, 25)
    categories = list(DataCategory)
    actor = ActorFacts(1, 1, "Fife College", True, today + dt.timedelta(days=100), frozenset(Sensitivity), "college")
    found = [
        AgreementFacts(
            version_id=n,
            # Half the agreements name the reader's organisation (1) with two others.
            parties=frozenset({1 if n % 2 == 0 else 5 + n % 16, 2 + n % 3, 2 + (n * 7) % (organisations - 1)}),
            status="active",
            starts_on=today - dt.timedelta(days=30),
            ends_on=None,
            purposes={
                "support_coordination": AgreementPurposeFacts("consent", frozenset(categories[: 4 + n % 9])),
                "progress_monitoring": AgreementPurposeFacts("public_task", frozenset(categories[:5])),
            },
        )
        for n in range(agreements)
    ]
    consents = tuple(
        ConsentFacts(
            record_id=f"r{r}",
            organisation_id=2,
            valid_from=today - dt.timedelta(days=10),
            valid_until=today + dt.timedelta(days=300),
            until_support_ends=False,
            scopes=tuple(
                ScopeFacts(r * 100 + i, 1 + i % 4, "", "support_coordination", categories[i % len(categories)])
                for i in range(10)
            ),
            events=(ConsentEventFacts("given", dt.datetime(2026, 11, 15, tzinfo=dt.UTC)),),
        )
        for r in range(3)
    )
    client = ClientFacts(
        "c",
        frozenset({1, 2, 3}),
        suppliers={c: frozenset({1, 2, 3, 4}) for c in categories},
        organisation_names={n: f"Org {n}" for n in range(1, organisations + 1)},
        consents=consents,
    )
    return actor, client, found


def _sharing_core(worker: Any, client_ids: list[Any]) -> list[tuple[str, str]]:
    """Issue 3's figures, each as `name: value unit`: the pure decision's rate and what the
    decision and the ledger cost a read, against the same read without them."""
    import datetime as dt
    import json
    import statistics

    from django.core.serializers.json import DjangoJSONEncoder

    from ceangal.clients.sections import SECTIONS
    from ceangal.policy.decision import decide
    from ceangal.policy.selectors import client_record
    from ceangal.reference.categories import DataCategory

    actor, client, found = _decision_world()
    at = dt.datetime(2026, 11, 25, 12, tzinfo=dt.UTC)
    n = 5000
    started = time.perf_counter()
    for _ in range(n):
        decide(actor, client, list(DataCategory), "support_coordination", at, agreements=found)
    decisions_per_second = n / (time.perf_counter() - started)
    sample_decision = decide(actor, client, list(DataCategory), "support_coordination", at, agreements=found)
    shared = sum(len(g.bases) for g in sample_decision.permitted.values())

    def governed(client_id: Any) -> str:
        record = client_record(actor=worker, client_id=client_id, purpose="support_coordination", channel="api")
        return json.dumps(dataclasses.asdict(record), cls=DjangoJSONEncoder)

    def plain(client_id: Any) -> str:
        # The same rows, read and serialised, with no decision and no ledger entry.
        rows = {
            spec.key: list(spec.rows(client_id).values(*spec.field_names, "supplied_by_id", "version"))
            for spec in SECTIONS
        }
        return json.dumps(rows, cls=DjangoJSONEncoder)

    def sample(call: Callable[[Any], str]) -> list[float]:
        times = []
        for client_id in client_ids:
            began = time.perf_counter()
            call(client_id)
            times.append((time.perf_counter() - began) * 1000)
        return sorted(times)

    sample(plain), sample(governed)  # warm both paths
    plain_ms, governed_ms = sample(plain), sample(governed)

    def p95(values: list[float]) -> float:
        return values[min(len(values) - 1, int(len(values) * 0.95))]

    p50_plain, p50_governed = statistics.median(plain_ms), statistics.median(governed_ms)
    return [
        (
            "decisions_per_second",
            f"{decisions_per_second:,.0f} /s (each over 13 categories, 50 agreements, 3 consents; "
            f"{shared} shares granted)",
        ),
        ("governed_read_p50", f"{p50_governed:.2f} ms"),
        ("governed_read_p95", f"{p95(governed_ms):.2f} ms"),
        ("plain_read_p50", f"{p50_plain:.2f} ms"),
        ("plain_read_p95", f"{p95(plain_ms):.2f} ms"),
        ("governed_read_vs_plain_p50", f"{p50_governed / p50_plain:.1f} x"),
        ("governed_read_vs_plain_p95", f"{p95(governed_ms) / p95(plain_ms):.1f} x"),
    ]


def _server_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        return str(cursor.fetchone()[0])


if __name__ == "__main__":
    main()
