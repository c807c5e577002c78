"""Compute the match keys of every client: after upgrading to a release with match keys, or after
the field key is rotated (docs/matching.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from ceangal.clients.matching import match_keys_backfill


class Command(BaseCommand):
    help = "Compute the partnership-search match keys of every client (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            done = match_keys_backfill()
        self.stdout.write(f"Match keys computed for {done} clients.")
