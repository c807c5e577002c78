"""`manage.py ledger_verify [--shard N]`: recompute the access ledger's hash chains."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ceangal.ledger.verify import ledger_verify


class Command(BaseCommand):
    help = "Check that no access ledger entry has been changed, removed or reordered."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--shard", type=int, default=None, help="Check one chain only.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = ledger_verify(shard=options["shard"])
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"Ledger problem: {problem}")
            raise CommandError(
                f"Ledger verification FAILED in {len(result.problems)} of {result.chains} chains "
                f"({result.entries} entries checked before the first fault in each)."
            )
        self.stdout.write(f"Ledger verified: {result.entries} entries in {result.chains} chains.")
