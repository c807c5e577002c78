"""Read services from an Open Referral UK / HSDS 3 JSON file into a partnership's directory.

All or nothing: a file with any mistake is refused with every JSON path at fault, and nothing is
imported. Run by an operator, so it may import any partner's services of the partnership;
organisations must already be partners (matched by the exported id or by exact name).
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ceangal.directory.hsds_import import directory_import, parse_json
from ceangal.errors import InvalidInput
from ceangal.partners.models import Partnership


class Command(BaseCommand):
    help = "Import services from an Open Referral UK / HSDS 3 JSON file; a bad file imports nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("partnership", help="The partnership's slug.")
        parser.add_argument("file", type=Path, help="The HSDS JSON file.")

    def handle(self, *args: Any, **options: Any) -> None:
        partnership = Partnership.objects.filter(slug=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"No partnership has the slug {options['partnership']!r}.")
        path: Path = options["file"]
        try:
            document = parse_json(path.read_bytes())
            result = directory_import(actor=None, partnership=partnership, document=document)
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}.") from exc
        except InvalidInput as exc:
            lines = [f"{field}: {message}" for field, messages in exc.errors.items() for message in messages]
            raise CommandError(f"{path} was not imported; nothing changed.\n" + "\n".join(lines)) from exc
        self.stdout.write(f"Imported {path}: {result}")
