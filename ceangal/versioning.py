"""Optimistic locking for rows with a `version` counter: a change applies to the version the person
saw, claimed with one conditional UPDATE so two people can never both win; the loser is told
(EditConflict), and nothing of theirs is written."""

from __future__ import annotations

from typing import Any

from django.db.models import F

from ceangal.errors import EditConflict


def claim_version(instance: Any, expected_version: int | None, *, what: str) -> None:
    """Move `instance` (a model with an integer `version`) on by one if it is still at
    `expected_version` (None: the version in hand); else raise EditConflict naming `what`."""
    model = type(instance)
    version = instance.version if expected_version is None else expected_version
    claimed = model.objects.filter(pk=instance.pk, version=version).update(version=F("version") + 1)
    if not claimed:
        current = model.objects.filter(pk=instance.pk).values_list("version", flat=True).first()
        raise EditConflict(what=what, expected_version=version, current_version=current or 0)
    instance.version = version + 1
