from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ceangal.clients.datamap import render_markdown

DATA_MAP_DOC = Path(settings.BASE_DIR) / "docs" / "data-map.md"


class Command(BaseCommand):
    help = "Print the data map as Markdown, write it to docs/data-map.md, or check that file is current."

    def add_arguments(self, parser: CommandParser) -> None:
        group = parser.add_mutually_exclusive_group()
        group.add_argument("--write", action="store_true", help="Write docs/data-map.md.")
        group.add_argument("--check", action="store_true", help="Fail if docs/data-map.md is out of date.")

    def handle(self, *args: Any, **options: Any) -> None:
        text = render_markdown()
        if options["write"]:
            DATA_MAP_DOC.write_text(text, encoding="utf-8")
            self.stdout.write(f"Wrote {DATA_MAP_DOC.relative_to(settings.BASE_DIR)}.")
        elif options["check"]:
            current = DATA_MAP_DOC.read_text(encoding="utf-8") if DATA_MAP_DOC.exists() else ""
            if current != text:
                raise CommandError("docs/data-map.md is out of date: run `make datamap` and commit it.")
            self.stdout.write("docs/data-map.md is up to date.")
        else:
            self.stdout.write(text)
