"""manage.py load_reference: load or update the code lists from their fixture files."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ceangal.reference.loader import DATA_DIR, LoadReport, ReferenceDataError, load_code_lists

_COLUMNS = ("created", "updated", "retired", "unchanged")


class Command(BaseCommand):
    help = (
        "Load the reference code lists from their JSON files, or update them. Codes missing from a file are "
        "retired, never deleted. Nothing is changed if any file is bad."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report what would change and save nothing.")
        parser.add_argument(
            "--force", action="store_true", help="Load a file even when its version is lower than the loaded one."
        )
        parser.add_argument(
            "--path", type=Path, default=DATA_DIR, help=f"Directory of code-list files (default {DATA_DIR})."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = load_code_lists(options["path"], dry_run=options["dry_run"], force=options["force"])
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(_table(report))
        if report.dry_run:
            self.stdout.write(self.style.WARNING("Dry run: nothing was saved."))
        elif report.changed:
            self.stdout.write(self.style.SUCCESS(f"Loaded {len(report.lists)} code lists."))
        else:
            self.stdout.write(self.style.SUCCESS(f"All {len(report.lists)} code lists were already up to date."))


def _table(report: LoadReport) -> str:
    width = max([len("list"), *(len(row.key) for row in report.lists)])
    header = f"{'list':<{width}}  {'list row':<9}" + "".join(f"{name:>10}" for name in _COLUMNS)
    lines = [header, "-" * len(header)]
    for row in report.lists:
        counts = "".join(f"{getattr(row, name):>10}" for name in _COLUMNS)
        lines.append(f"{row.key:<{width}}  {row.list_change:<9}{counts}")
    totals = "".join(f"{sum(getattr(row, name) for row in report.lists):>10}" for name in _COLUMNS)
    lines.append(f"{'total':<{width}}  {'':<9}{totals}")
    return "\n".join(lines)
