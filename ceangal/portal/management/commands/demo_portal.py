"""The client's side of the demo partnership (after `manage.py demo` and `demo_referrals`): one
client whose sign-in is set up, whom the college has read through the waiting referral, with a
request for a copy of everything in the DPO's queue. Made once; a second run prints a fresh
printed code and keeps the rest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ceangal.partners.models import Partnership, StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.management.commands.demo import DEMO_SLUG
from ceangal.policy.selectors import client_record
from ceangal.portal.models import PortalAccess
from ceangal.portal.services import access_set_up, printed_code_issue
from ceangal.referrals.models import Referral, ReferralStatus
from ceangal.rights.subject import request_from_client

DEMO_CLIENT_EMAIL = "client@example.org"


class Command(BaseCommand):
    help = "Set up the demo client's own pages (run after `manage.py demo` and `manage.py demo_referrals`)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even where CEANGAL_ENV=production.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("This is a production set-up (CEANGAL_ENV=production): no demo client sign-in here.")
        partnership = Partnership.objects.filter(slug=DEMO_SLUG).first()
        if partnership is None:
            raise CommandError("There is no demo partnership: run `manage.py demo` first.")
        referral = (
            Referral.objects.filter(from_organisation__partnership=partnership, status=ReferralStatus.SENT)
            .order_by("created_at")
            .first()
        )
        if referral is None:
            raise CommandError("There is no demo referral waiting: run `manage.py demo_referrals` first.")
        worker = StaffMember.objects.get(
            organisation__partnership=partnership, organisation__slug="council", role=Role.KEY_WORKER
        )
        college = StaffMember.objects.get(
            organisation__partnership=partnership, organisation__slug="college", role=Role.KEY_WORKER
        )
        client_id = referral.client_id
        if not PortalAccess.objects.filter(client_id=client_id).exists():
            with transaction.atomic():
                access_set_up(actor=worker, client_id=client_id, email=DEMO_CLIENT_EMAIL)
                # The college reads the packet it was sent, so "Who has seen your information" has a line.
                client_record(actor=college, client_id=client_id, purpose="referral")
                request_from_client(client_id=client_id, kind="access", details="Please send me a copy of my file.")
        code = printed_code_issue(actor=worker, client_id=client_id).code
        self.stdout.write(
            self.style.SUCCESS(
                f"The client's own pages are at /my/: sign in as {DEMO_CLIENT_EMAIL} (the code is printed in this "
                f"console) or with the printed code {code}. Their request for a copy waits for dpo@council.demo."
            )
        )
