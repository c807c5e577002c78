from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ceangal.clients.tasks import send_follow_up_digests
from ceangal.consent.tasks import consent_housekeeping
from ceangal.notifications.tasks import deliver_due_webhooks, send_training_reminders


class Command(BaseCommand):
    help = (
        "Queue the daily tasks (training reminders, follow-up digests, consent expiry and renewal reminders, "
        "and a sweep of webhook deliveries that are due). "
        "Run once a day from cron or a timer."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for daily in (send_training_reminders, send_follow_up_digests, consent_housekeeping, deliver_due_webhooks):
            result = daily.enqueue()
            self.stdout.write(f"Queued {daily.name} ({result.id}).")
