"""seed_clients: draft clients in batches and write each batch in one transaction, straight into the tables."""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models, reset_queries, transaction
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.clients import models as m
from ceangal.clients.sections import SECTIONS
from ceangal.clients.seeding.drafts import ClientDraft, client_rng, draft_client
from ceangal.clients.seeding.draws import load_draws
from ceangal.clients.seeding.partnership import (
    DEFAULT_NAME,
    DEFAULT_SLUG,
    SeedOrganisation,
    SeedPartnership,
    ensure_partnership,
)
from ceangal.clients.seeding.tables import TableWriter, analyze
from ceangal.crypto import blind_index
from ceangal.partners.models import Partnership, StaffMember

_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # as clients.services: Crockford base 32
_UUID_NAMESPACE = uuid.UUID("6f0c3c52-3f55-4c1e-9a59-0b7c1e2d5a10")


@dataclass
class SeedReport:
    partnership: Partnership
    partnership_created: bool
    staff_created: int
    first_index: int
    clients: int
    rows: Counter[str]
    seconds: float

    @property
    def rate(self) -> float:
        return self.clients / self.seconds if self.seconds else 0.0


_SECTION_MODELS: dict[str, type[models.Model]] = {spec.key: spec.model for spec in SECTIONS}

# (batch number, batches, clients written so far, clients wanted, seconds so far, seconds for the batch)
ProgressFn = Callable[[int, int, int, int, float, float], None]


def seed_clients(
    *,
    clients: int,
    seed: int,
    slug: str = DEFAULT_SLUG,
    name: str = DEFAULT_NAME,
    today: dt.date | None = None,
    batch_size: int = 2000,
    staff_password: str | None = None,
    progress: ProgressFn | None = None,
) -> SeedReport:
    """Add `clients` synthetic clients to the partnership `slug`, making it first if need be.

    Raises ReferenceDataMissing before writing anything if the code lists are not loaded.
    """
    if clients < 0 or batch_size < 1:
        raise ValueError("clients must be 0 or more and batch_size at least 1.")
    today = today or timezone.localdate()
    draws = load_draws()
    started = time.perf_counter()
    setup = ensure_partnership(slug=slug, name=name, today=today, staff_password=staff_password)
    first = m.Client.objects.filter(registered_by__partnership=setup.partnership).count()
    weights = [o.plan.weight for o in setup.organisations]
    rows: Counter[str] = Counter()
    writers = _writers()
    batches = (clients + batch_size - 1) // batch_size
    for number, offset in enumerate(range(0, clients, batch_size), start=1):
        batch_started = time.perf_counter()
        indexes = range(first + offset, first + min(clients, offset + batch_size))
        drafts = [draft_client(client_rng(seed, i), draws, today, weights) for i in indexes]
        with transaction.atomic():
            counts = _write_batch(setup, seed, indexes, drafts, writers)
            audit_record(
                actor_user_id=None,
                organisation_id=None,
                action="seed.batch",
                object_type="partners.partnership",
                object_id=setup.partnership.pk,
                detail={"seed": seed, "first_index": indexes.start, "clients": len(indexes), "rows": dict(counts)},
            )
        rows.update(counts)
        # With DEBUG on, Django keeps every query's SQL; bulk inserts would pile up megabytes of it.
        reset_queries()
        if progress is not None:
            now = time.perf_counter()
            progress(number, batches, offset + len(indexes), clients, now - started, now - batch_started)
    if clients:
        analyze(writers.values())
    return SeedReport(
        partnership=setup.partnership,
        partnership_created=setup.created,
        staff_created=setup.staff_created,
        first_index=first,
        clients=clients,
        rows=rows,
        seconds=time.perf_counter() - started,
    )


def _identifiers(slug: str, seed: int, index: int, attempt: int) -> tuple[uuid.UUID, str]:
    digest = hashlib.sha256(f"{_UUID_NAMESPACE}:{slug}:{seed}:{index}:{attempt}".encode()).digest()
    reference = "CG-" + "".join(_REFERENCE_ALPHABET[b % 32] for b in digest[16:22])
    return uuid.UUID(bytes=digest[:16], version=4), reference


def _client_identifiers(slug: str, seed: int, indexes: range) -> list[tuple[uuid.UUID, str]]:
    """Ids and references for a batch; a reference already taken (or drawn twice) is drawn again,
    from the next attempt number, so the result is still the same for the same database."""
    attempts = dict.fromkeys(indexes, 0)
    chosen = {i: _identifiers(slug, seed, i, 0) for i in indexes}
    while True:
        drawn = Counter(ref for _, ref in chosen.values())
        taken = set(m.Client.objects.filter(reference__in=list(drawn)).values_list("reference", flat=True))
        clashes = [i for i, (_, ref) in chosen.items() if ref in taken or drawn[ref] > 1]
        if not clashes:
            return [chosen[i] for i in indexes]
        for i in clashes:
            attempts[i] += 1
            chosen[i] = _identifiers(slug, seed, i, attempts[i])


def _worker(org: SeedOrganisation, draw: float) -> StaffMember | None:
    """The first key worker carries a double caseload, so there is always one big caseload to test."""
    workers = org.key_workers
    if not workers:
        return None
    cum = list(itertools.accumulate([2] + [1] * (len(workers) - 1)))
    return workers[bisect.bisect_right(cum, draw * cum[-1])]


def _write_batch(
    setup: SeedPartnership,
    seed: int,
    indexes: range,
    drafts: Sequence[ClientDraft],
    writers: Mapping[type[models.Model], TableWriter],
) -> Counter[str]:
    """Write one batch of drafted clients. Runs inside the batch's transaction."""
    orgs = setup.organisations
    rows: dict[type[models.Model], list[dict[str, Any]]] = {model: [] for model in writers}
    users: dict[type[models.Model], list[int | None]] = {model: [] for model in writers}
    follow_ups: list[tuple[dict[str, Any], dict[str, Any]]] = []  # (outcome row, follow-up row)

    def add(model: type[models.Model], row: dict[str, Any], user_id: int | None) -> dict[str, Any]:
        rows[model].append(row)
        users[model].append(user_id)
        return row

    for (client_id, reference), draft in zip(
        _client_identifiers(setup.partnership.slug, seed, indexes), drafts, strict=True
    ):
        slots = [orgs[draft.home], orgs[draft.home if draft.second is None else draft.second]]
        workers = [_worker(slots[0], draft.worker_draws[0]), _worker(slots[1], draft.worker_draws[1])]
        org_ids = [slots[0].organisation.pk, slots[1].organisation.pk]
        staff_ids = [w.pk if w else None for w in workers]
        user_ids = [w.user_id if w else None for w in workers]
        add(
            m.Client,
            {
                "id": client_id,
                "reference": reference,
                "registered_by_id": org_ids[0],
                "discoverable": draft.discoverable,
            },
            None,
        )
        home = {"client_id": client_id, "supplied_by_id": org_ids[0], "recorded_by_id": staff_ids[0]}
        ni = draft.identity["ni_number"]
        add(
            m.IdentitySection, {**home, **draft.identity, "ni_number_index": blind_index(ni) if ni else ""}, user_ids[0]
        )
        add(m.ContactDetails, {**home, **draft.contact}, user_ids[0])
        add(m.Demographics, {**home, **draft.demographics}, user_ids[0])
        add(m.CaringAndFamily, {**home, **draft.caring}, user_ids[0])
        for item in draft.items:
            provenance = {
                "client_id": client_id,
                "supplied_by_id": org_ids[item.slot],
                "recorded_by_id": staff_ids[item.slot],
            }
            row = add(_SECTION_MODELS[item.section], {**provenance, **item.values}, user_ids[item.slot])
            for values in item.follow_ups:
                follow_ups.append((row, add(m.FollowUp, {**provenance, **values}, user_ids[item.slot])))
        for engagement in draft.engagements:
            row = {
                "client_id": client_id,
                "organisation_id": org_ids[engagement.slot],
                "status": engagement.status,
                "key_worker_id": staff_ids[engagement.slot],
                "started_on": engagement.started_on,
                "closed_on": engagement.closed_on,
                "closure_reason": engagement.closure_reason,
            }
            add(m.Engagement, row, user_ids[engagement.slot])

    for model, writer in writers.items():
        if writer.auto_pk:
            for row, pk in zip(rows[model], writer.reserve_ids(len(rows[model])), strict=True):
                row["id"] = pk
    for outcome, follow_up in follow_ups:
        follow_up["outcome_id"] = outcome["id"]

    now = timezone.now()
    counts: Counter[str] = Counter()
    for model, writer in writers.items():  # in dependency order: clients, items, outcomes, follow-ups
        written = writer.insert(rows[model], users[model], now)
        if written:
            counts[model._meta.label] = written
            if writer.history_label:
                counts[writer.history_label] = written
    return counts


def _writers() -> dict[type[models.Model], TableWriter]:
    # The connection itself, not django.db.connection: that proxy costs a lookup per attribute.
    connection = connections[DEFAULT_DB_ALIAS]

    order: list[type[models.Model]] = [
        m.Client,
        *(s.model for s in SECTIONS if s.model is not m.Document),
        m.Engagement,
    ]
    # Follow-ups cite their outcome, so they go after it.
    order.remove(m.FollowUp)
    order.insert(order.index(m.Outcome) + 1, m.FollowUp)
    return {model: TableWriter(model, connection) for model in order}
