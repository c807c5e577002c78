"""`manage.py ledger_export`: the DPO's search as CSV, for an operator at the DPO's request.

The export is itself recorded in the audit trail (what was asked for, how many rows), since it
shows who looked at whom.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from ceangal.audit.services import audit_record
from ceangal.ledger.models import Channel
from ceangal.ledger.selectors import SEARCH_LIMIT_MAX, client_disclosures, ledger_export_csv, ledger_search


class Command(BaseCommand):
    help = "Write access ledger entries as CSV (newest first; a client's alone, oldest first)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", type=uuid.UUID, help="Every disclosure of this client (oldest first).")
        parser.add_argument("--staff", type=int, help="Staff member id.")
        parser.add_argument("--organisation", type=int, help="Organisation id.")
        parser.add_argument("--from", dest="date_from", type=dt.date.fromisoformat, help="YYYY-MM-DD, inclusive.")
        parser.add_argument("--to", dest="date_to", type=dt.date.fromisoformat, help="YYYY-MM-DD, inclusive.")
        parser.add_argument("--channel", choices=Channel.values)
        parser.add_argument("--limit", type=int, default=SEARCH_LIMIT_MAX)
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args: Any, **options: Any) -> None:
        only_client = options["client"] is not None and not any(
            options[name] for name in ("staff", "organisation", "date_from", "date_to", "channel")
        )
        if only_client:
            rows = client_disclosures(options["client"])
        else:
            rows = ledger_search(
                client_id=options["client"],
                staff_id=options["staff"],
                organisation_id=options["organisation"],
                date_from=options["date_from"],
                date_to=options["date_to"],
                channel=options["channel"],
                limit=options["limit"],
            )
        text = ledger_export_csv(rows)
        query = {
            key: str(value)
            for key, value in options.items()
            if key in {"client", "staff", "organisation", "date_from", "date_to", "channel"} and value is not None
        }
        with transaction.atomic():
            audit_record(
                actor_user_id=None,
                organisation_id=None,
                action="ledger.exported",
                object_type="ledger",
                object_id="-",
                detail={"query": query, "rows": len(rows)},
            )
        if options["output"]:
            try:
                with open(options["output"], "w", encoding="utf-8", newline="") as handle:
                    handle.write(text)
            except OSError as error:
                raise CommandError(f"Could not write {options['output']}: {error}") from error
            self.stderr.write(f"Wrote {len(rows)} entries to {options['output']}.")
        else:
            self.stdout.write(text, ending="")
