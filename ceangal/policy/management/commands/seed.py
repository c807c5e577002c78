"""manage.py seed: add synthetic clients to a synthetic partnership, quickly and reproducibly, and
give the partnership its privacy notice, information sharing agreements and clients' consents.

It lives in policy, not clients, because it calls both seeds: ceangal.clients.seeding for the
clients and ceangal.policy.seeding for the sharing (which may import agreements and consent)."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser, ArgumentTypeError
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ceangal.clients.seeding import DEFAULT_NAME, DEFAULT_SLUG, ReferenceDataMissing, seed_clients
from ceangal.errors import InvalidInput
from ceangal.policy.seeding import seed_sharing


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentTypeError(f"give a date in the form YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Add N synthetic clients to a synthetic partnership (made on first use, with its organisations and "
        "staff), then its privacy notice, --agreements information sharing agreements and consent for about "
        "--consent-share of its clients. The same --seed gives the same people, agreements and consents; running "
        "again adds N more clients (and their consents) to the same partnership and makes no agreement twice."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--clients", type=int, default=1000, help="How many clients to add (default 1000).")
        parser.add_argument("--seed", type=int, default=1, help="Seed of the random draws (default 1).")
        parser.add_argument(
            "--partnership-slug", default=DEFAULT_SLUG, help=f"Partnership to add to (default {DEFAULT_SLUG})."
        )
        parser.add_argument("--partnership-name", default=DEFAULT_NAME, help="Name for a partnership made by this run.")
        parser.add_argument(
            "--today", type=_date, default=None, help="Date the records are drawn relative to (default: today)."
        )
        parser.add_argument("--batch-size", type=int, default=2000, help="Clients per transaction (default 2000).")
        parser.add_argument(
            "--staff-password",
            default=None,
            help="Password for staff this run makes, so you can sign in as them (default: none, they cannot sign in).",
        )
        parser.add_argument(
            "--agreements", type=int, default=50, help="Information sharing agreements (default 50; 0: no sharing)."
        )
        parser.add_argument(
            "--consent-share",
            type=float,
            default=0.6,
            help="Share of clients, 0 to 1, who give consent (default 0.6).",
        )
        parser.add_argument("--force", action="store_true", help="Run even where CEANGAL_ENV=production.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError(
                "This is a production set-up (CEANGAL_ENV=production): synthetic data does not belong here."
            )
        if options["clients"] < 0:
            raise CommandError("--clients must be 0 or more.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        if options["agreements"] < 0:
            raise CommandError("--agreements must be 0 or more.")
        if not 0 <= options["consent_share"] <= 1:
            raise CommandError("--consent-share must be between 0 and 1.")

        def progress(number: int, batches: int, done: int, wanted: int, seconds: float, batch_seconds: float) -> None:
            batch = min(options["batch_size"], wanted - (number - 1) * options["batch_size"])
            self.stdout.write(
                f"batch {number}/{batches}: {done:,}/{wanted:,} clients, {done / seconds:,.0f} clients/s "
                f"(this batch {batch / batch_seconds:,.0f}/s)"
            )
            self.stdout.flush()

        try:
            report = seed_clients(
                clients=options["clients"],
                seed=options["seed"],
                slug=options["partnership_slug"],
                name=options["partnership_name"],
                today=options["today"],
                batch_size=options["batch_size"],
                staff_password=options["staff_password"],
                progress=progress,
            )
        except ReferenceDataMissing as exc:
            raise CommandError(str(exc)) from exc
        except InvalidInput as exc:  # a --staff-password the validators refuse
            raise CommandError(str(exc)) from exc
        made = "made" if report.partnership_created else "found"
        self.stdout.write(
            f"Partnership {report.partnership.name!r} ({report.partnership.slug}) {made}; "
            f"{report.staff_created} staff made."
        )
        width = max(len(label) for label in report.rows) if report.rows else 10
        for label, count in sorted(report.rows.items()):
            self.stdout.write(f"  {label:<{width}} {count:>12,}")
        if report.clients:
            last = report.first_index + report.clients - 1
            self.stdout.write(
                self.style.SUCCESS(
                    f"Added {report.clients:,} clients (numbers {report.first_index:,} to {last:,}) "
                    f"in {report.seconds:,.1f} s: {report.rate:,.0f} clients/s."
                )
            )
        else:
            self.stdout.write(self.style.SUCCESS("Added no clients."))
        if not options["agreements"]:
            return
        sharing = seed_sharing(
            report.partnership,
            agreements=options["agreements"],
            consent_share=options["consent_share"],
            seed=options["seed"],
            today=options["today"],
        )
        self.stdout.write(
            f"Privacy notice version {sharing.notice.version}; {sharing.agreements} synthetic agreements in force "
            f"({sharing.agreements_created} made) in {sharing.agreement_seconds:,.1f} s."
        )
        width = max(len(label) for label in sharing.rows) if sharing.rows else 10
        for label, count in sorted(sharing.rows.items()):
            self.stdout.write(f"  {label:<{width}} {count:>12,}")
        self.stdout.write(
            self.style.SUCCESS(f"Added {sharing.consents:,} consent records in {sharing.consent_seconds:,.1f} s.")
        )
