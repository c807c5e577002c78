"""Referrals for the demo partnership (after `manage.py demo`): one waiting for the college's
answer, and one draft for the council's key worker to preview. Made once; a second run keeps them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from ceangal.clients import models as m
from ceangal.consent.models import ConsentScope
from ceangal.directory.models import Service
from ceangal.partners.models import Partnership, StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.management.commands.demo import DEMO_SLUG
from ceangal.referrals.models import Referral
from ceangal.referrals.services import referral_create


class Command(BaseCommand):
    help = "Add demo referrals to the demo partnership (run after `manage.py demo`)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--force", action="store_true", help="Run even where CEANGAL_ENV=production.")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION and not options["force"]:
            raise CommandError("This is a production set-up (CEANGAL_ENV=production): no demo referrals here.")
        partnership = Partnership.objects.filter(slug=DEMO_SLUG).first()
        if partnership is None:
            raise CommandError("There is no demo partnership: run `manage.py demo` first.")
        if Referral.objects.filter(from_organisation__partnership=partnership).exists():
            self.stdout.write("The demo referrals are already here; they are kept as they are.")
            return
        worker = StaffMember.objects.get(
            organisation__partnership=partnership, organisation__slug="council", role=Role.KEY_WORKER
        )
        service = Service.objects.get(organisation__partnership=partnership, name__startswith="Get Ready for College")
        # The council's clients who agreed that a referral to the college may carry part of their record.
        clients = list(
            m.Client.objects.filter(
                pk__in=ConsentScope.objects.filter(
                    record__organisation=worker.organisation,
                    purpose="referral",
                    recipient_organisation=service.organisation,
                ).values("record__client_id")
            ).order_by("reference")[:2]
        )
        if len(clients) < 2:
            raise CommandError("The demo partnership has no clients who agreed to a referral: remake it.")
        with transaction.atomic():
            referral_create(
                actor=worker,
                client_id=clients[0].pk,
                service_id=service.pk,
                reason="Wants to get back into learning; worried about maths.",
                send=True,
                override_note="Demo: sent whatever the eligibility check says.",
            )
            referral_create(
                actor=worker,
                client_id=clients[1].pk,
                service_id=service.pk,
                reason="Interested in the access course starting next term.",
            )
        self.stdout.write(
            self.style.SUCCESS(
                "Made two demo referrals to the college: one waiting for keyworker@college.demo to answer, "
                "one draft for keyworker@council.demo to preview and send."
            )
        )
