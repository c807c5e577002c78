"""`make bench`: performance figures on a fresh database of synthetic clients.

    .venv/bin/python bench/run.py                      # SQLite, in a new temporary directory
    CEANGAL_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ceangal_bench .venv/bin/python bench/run.py
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/ceangal make bench  # runs on ceangal_bench beside it
    BENCH_CLIENTS=20000 .venv/bin/python bench/run.py  # more clients (default 5,000)

Each run starts from an empty database so that figures can be compared: SQLite gets a new file
under a temporary directory; a PostgreSQL database is dropped and made again, so its name must
contain "bench" (a guard against pointing this at real data). The run migrates, loads the code
lists, seeds BENCH_CLIENTS clients with the seed command's generator, then times the reads and
writes a key worker makes all day, through the same selectors and services the pages use.
DEBUG is off, as in production, so Django does not keep every query in memory.
"""

from __future__ import annotations

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


def _bench_twin(url: str) -> str:
    """For DATABASE_URL on PostgreSQL, a database beside it named <name>_bench: the bench runs on
    the same server without touching the database DATABASE_URL names. Empty for anything else."""
    if not url.startswith(("postgres://", "postgresql://")):
        return ""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") or "ceangal"
    return parts._replace(path=f"/{name if 'bench' in name else name + '_bench'}").geturl()


def _configure(var_dir: str) -> str:
    """Point Django at the bench database before it starts; returns a description of it."""
    url = os.environ.get("CEANGAL_BENCH_DATABASE_URL", "") or _bench_twin(os.environ.get("DATABASE_URL", ""))
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
    sys.path.insert(0, str(ROOT / "bench"))  # the plain view's URLconf, `plain`
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

    figures += _sharing_core(worker)
    figures += _access_pack(worker)

    title = (
        f"Ceangal bench: {where}; Python {platform.python_version()}, Django {django.get_version()}, "
        f"{os.cpu_count()} CPUs; database {connection.vendor} {_server_version(connection)}"
    )
    width = max(len(label) for label, _ in figures)
    print(title)
    print("-" * len(title))
    for label, value in figures:
        # Issue 3 asks for `name: value unit` lines; the older figures keep their aligned table.
        named = label in SHARING_FIGURES or label.startswith("access_pack_")
        print(f"{label}: {value}" if named else f"{label:<{width}}  {value}")


SHARING_FIGURES = {
    "decisions_per_second",
    "governed_read_clients",
    "governed_read_ledger_entries",
    "governed_reads_per_second_1_reader",
    "governed_reads_per_second_4_readers",
    "plain_reads_per_second_1_reader",
    "plain_reads_per_second_4_readers",
    "governed_concurrency_scaling",
    "plain_prepared_read_p50",
    "governed_read_vs_plain_prepared_p50",
    "governed_read_vs_plain_prepared_p95",
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


def _shared_clients(worker: Any, limit: int) -> list[Any]:
    """Clients the worker's organisation works with whose records hold another partner's items
    that the client agreed to share with it: the reads where the decision has most to do."""
    from ceangal.clients import models as m
    from ceangal.consent.models import ConsentScope

    live = m.Engagement.objects.filter(organisation=worker.organisation, status__in=m.LIVE_ENGAGEMENT_STATUSES)
    shared = (
        ConsentScope.objects.filter(
            recipient_organisation=worker.organisation, record__client_id__in=live.values("client_id")
        )
        .exclude(record__organisation=worker.organisation)
        .order_by("record__client_id")
        .values_list("record__client_id", flat=True)
        .distinct()[:limit]
    )
    return list(shared) or list(live.order_by("client_id").values_list("client_id", flat=True)[:limit])


def _sharing_core(worker: Any) -> list[tuple[str, str]]:
    """Issue 3's figures, each as `name: value unit`: the pure decision's rate, and the client
    record API read (decision and ledger entry included) against a plain Django JSON view of the
    same rows, both over HTTP through the whole middleware stack, in the same run."""
    import datetime as dt
    import json

    from django.test import Client, override_settings

    from ceangal.ledger.models import LedgerEntry
    from ceangal.partners.models import StaffMember
    from ceangal.partners.roles import Role
    from ceangal.partners.services import api_key_issue
    from ceangal.policy.decision import decide
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

    admin = StaffMember.objects.filter(organisation=worker.organisation, role=Role.ORG_ADMIN).first()
    assert admin is not None, "the seed gives every organisation an admin"
    _key, secret = api_key_issue(staff_member=worker, name="bench", created_by=admin.user)
    shared_ids = _shared_clients(worker, RUNS)
    governed_url, plain_url = "/api/v1/clients/{}", "/bench/plain/clients/{}"

    def sample(url: str, ids: list[Any]) -> list[float]:
        browser = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        times = []
        for client_id in ids:
            began = time.perf_counter()
            response = browser.get(url.format(client_id))
            times.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code, response.content[:200])
        return sorted(times)

    def from_others(client_id: Any) -> int:
        body = json.loads(Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get(governed_url.format(client_id)).content)
        own = worker.organisation.name
        return sum(1 for s in body["sections"] for i in s["items"] if i["supplied_by"] != own)

    def rate(url: str, readers: int, per_reader: int = 40) -> float:
        """Reads per second from `readers` processes at once (forked, each with its own
        connection and its own clients), so that Python's GIL does not hide a database lock."""
        from django.db import connections

        connections.close_all()  # each child opens its own
        began = time.perf_counter()
        children = []
        for r in range(readers):
            pid = os.fork()
            if pid == 0:  # the child: read, then leave without running the parent's clean-up
                code = 0
                try:
                    sample(url, [shared_ids[(r * 7 + k) % len(shared_ids)] for k in range(per_reader)])
                except BaseException:  # reported through the exit code
                    code = 1
                os._exit(code)
            children.append(pid)
        failed = sum(1 for pid in children if os.waitpid(pid, 0)[1] != 0)
        elapsed = time.perf_counter() - began
        assert not failed, f"{failed} reader processes failed"
        return readers * per_reader / elapsed

    prepared_url = "/bench/plain-prepared/clients/{}"
    with override_settings(ROOT_URLCONF="plain"):
        for url in (plain_url, prepared_url, governed_url):
            sample(url, shared_ids)  # warm every path
        entries_before = LedgerEntry.objects.count()
        plain_ms, prepared_ms, governed_ms = (sample(u, shared_ids) for u in (plain_url, prepared_url, governed_url))
        entries_written = LedgerEntry.objects.count() - entries_before
        items_from_others = statistics.median(from_others(c) for c in shared_ids)
        rates = {
            (name, readers): rate(url, readers)
            for readers in (1, 4)
            for name, url in (("governed", governed_url), ("plain", plain_url))
        }

    def p95(values: list[float]) -> float:
        return values[min(len(values) - 1, int(len(values) * 0.95))]

    p50_plain, p50_governed = statistics.median(plain_ms), statistics.median(governed_ms)
    scaling = {name: rates[(name, 4)] / rates[(name, 1)] for name in ("governed", "plain")}
    return [
        (
            "decisions_per_second",
            f"{decisions_per_second:,.0f} /s (each over 13 categories, 50 agreements, 3 consents; "
            f"{shared} shares granted)",
        ),
        ("governed_read_clients", f"{len(shared_ids)} clients, median {items_from_others:g} items from other partners"),
        ("governed_read_ledger_entries", f"{entries_written} entries for {len(governed_ms)} reads"),
        ("governed_read_p50", f"{p50_governed:.2f} ms"),
        ("governed_read_p95", f"{p95(governed_ms):.2f} ms"),
        ("plain_read_p50", f"{p50_plain:.2f} ms"),
        ("plain_read_p95", f"{p95(plain_ms):.2f} ms"),
        ("governed_read_vs_plain_p50", f"{p50_governed / p50_plain:.2f} x"),
        ("governed_read_vs_plain_p95", f"{p95(governed_ms) / p95(plain_ms):.2f} x"),
        ("plain_prepared_read_p50", f"{statistics.median(prepared_ms):.2f} ms"),
        ("governed_read_vs_plain_prepared_p50", f"{p50_governed / statistics.median(prepared_ms):.2f} x"),
        ("governed_read_vs_plain_prepared_p95", f"{p95(governed_ms) / p95(prepared_ms):.2f} x"),
        ("governed_reads_per_second_1_reader", f"{rates[('governed', 1)]:,.0f} /s"),
        ("governed_reads_per_second_4_readers", f"{rates[('governed', 4)]:,.0f} /s"),
        ("plain_reads_per_second_1_reader", f"{rates[('plain', 1)]:,.0f} /s"),
        ("plain_reads_per_second_4_readers", f"{rates[('plain', 4)]:,.0f} /s"),
        ("governed_concurrency_scaling", f"{scaling['governed']:.2f} x (plain: {scaling['plain']:.2f} x)"),
    ]


def _access_pack(worker: Any) -> list[tuple[str, str]]:
    """Issue 5's figures: gathering a client's copy of everything from every organisation that
    holds data about them (the task's work), and rendering it as HTML, PDF and JSON, for clients
    whose records hold other partners' items."""
    import time

    from django.utils import timezone

    from ceangal.ledger.models import LedgerEntry
    from ceangal.partners.models import StaffMember
    from ceangal.partners.roles import Role
    from ceangal.rights import pack_render, pack_services
    from ceangal.rights.services import request_log, request_resume, request_verify_identity

    dpo = StaffMember.objects.select_related("organisation").get(organisation=worker.organisation, role=Role.DPO)
    gather_ms: list[float] = []
    render_ms: dict[str, list[float]] = {"html": [], "pdf": [], "json": []}
    sizes: dict[str, list[int]] = {"html": [], "pdf": [], "json": []}
    items: list[int] = []
    organisations: list[int] = []
    for client_id in _shared_clients(worker, 10):
        request = request_log(
            actor=dpo, client=str(client_id), kind="access", channel="letter", received_on=timezone.localdate()
        )
        request = request_verify_identity(actor=dpo, request=request, method="photo_id")
        request = request_resume(actor=dpo, request=request)
        pack = pack_services.pack_generate(actor=dpo, request=request)
        started = time.perf_counter()
        gathered = pack_services.pack_gather(pack.pk)
        gather_ms.append((time.perf_counter() - started) * 1000)
        if gathered is None or gathered.status != "ready_for_review":
            raise RuntimeError(f"the pack was not gathered: {gathered.error if gathered else 'replaced'}")
        content = pack_services.pack_source(gathered)
        items.append(sum(len(part["items"]) for part in content["parts"]))
        organisations.append(len(content["organisations_searched"]))
        for fmt in render_ms:
            started = time.perf_counter()
            data = pack_render.render(content, fmt)
            render_ms[fmt].append((time.perf_counter() - started) * 1000)
            sizes[fmt].append(len(data))
    if not gather_ms:
        return [("access_pack_gather_p50", "no shared clients to measure")]
    entries = LedgerEntry.objects.filter(client_id__in=_shared_clients(worker, 10)).count()
    figures = [
        (
            "access_pack_clients",
            f"{len(gather_ms)}: median {statistics.median(organisations):.0f} organisations searched and "
            f"{statistics.median(items):.0f} items each, {entries:,} ledger entries between them",
        ),
        ("access_pack_gather_p50", f"{statistics.median(gather_ms):,.1f} ms"),
        ("access_pack_gather_max", f"{max(gather_ms):,.1f} ms"),
    ]
    for fmt, times in render_ms.items():
        figures.append((f"access_pack_render_{fmt}_p50", f"{statistics.median(times):,.1f} ms"))
        figures.append((f"access_pack_{fmt}_size_p50", f"{statistics.median(sizes[fmt]) / 1024:,.1f} KiB"))
    return figures


def _server_version(connection: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT sqlite_version()" if connection.vendor == "sqlite" else "SHOW server_version")
        return str(cursor.fetchone()[0])


if __name__ == "__main__":
    main()
