"""Write a partnership's service directory as Open Referral UK / HSDS 3 JSON."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ceangal.directory.hsds import export_document
from ceangal.partners.models import Partnership


class Command(BaseCommand):
    help = "Export a partnership's services as Open Referral UK / HSDS 3 JSON (to a file, or standard output)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("partnership", help="The partnership's slug.")
        parser.add_argument("--output", "-o", help="File to write; standard output if not given.")

    def handle(self, *args: Any, **options: Any) -> None:
        partnership = Partnership.objects.filter(slug=options["partnership"]).first()
        if partnership is None:
            raise CommandError(f"No partnership has the slug {options['partnership']!r}.")
        text = json.dumps(export_document(partnership), indent=2, ensure_ascii=False)
        if options.get("output"):
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text + "\n")
            self.stdout.write(f"Wrote {options['output']}.")
        else:
            self.stdout.write(text)
