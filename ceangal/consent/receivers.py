"""What the consent app does when a client's information is erased (clients.erasure): the consent
records of the organisations whose data goes are deleted, with their scopes, events and evidence
scans (the files once the erasure commits)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.dispatch import receiver

from ceangal.clients.signals import client_erased, client_erasure_planned
from ceangal.consent.models import ConsentRecord


def _records(client: Any, organisation_ids: set[int] | None) -> models.QuerySet[ConsentRecord]:
    rows = ConsentRecord.objects.filter(client=client)
    return rows if organisation_ids is None else rows.filter(organisation_id__in=organisation_ids)


def _counts(rows: models.QuerySet[ConsentRecord]) -> list[tuple[int, str, int]]:
    lines: list[tuple[int, str, int]] = []
    grouped = (
        rows.order_by()
        .values("organisation_id")
        .annotate(n=models.Count("pk"), scans=models.Count("pk", filter=~models.Q(evidence="")))
    )
    for row in grouped:
        lines += [
            (row["organisation_id"], "consent_records", row["n"]),
            (row["organisation_id"], "consent_evidence", row["scans"]),
        ]
    return lines


@receiver(client_erasure_planned, dispatch_uid="consent.client_erasure_planned")
def on_erasure_planned(
    sender: object, *, client: Any, organisation_ids: set[int] | None, **kwargs: Any
) -> list[tuple[int, str, int]]:
    return _counts(_records(client, organisation_ids))


@receiver(client_erased, dispatch_uid="consent.client_erased")
def on_client_erased(sender: object, *, client: Any, organisation_ids: set[int] | None, **kwargs: Any) -> list[Any]:
    rows = _records(client, organisation_ids)
    lines: list[Any] = []
    for org, kind, n in _counts(rows):
        if kind == "consent_evidence":
            files = [(r.evidence.storage, r.evidence.name) for r in rows.filter(organisation_id=org) if r.evidence]
            lines.append((org, kind, n, files))
        else:
            lines.append((org, kind, n))
    rows.delete()
    return lines
