from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = (
        "Queue the daily tasks listed in CEANGAL_DAILY_TASKS (training reminders, follow-up digests, consent "
        "expiry and renewal reminders, a sweep of webhook deliveries that are due, and the escalation of "
        "referrals left unanswered). Run once a day from cron or a timer."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Named by dotted path so that apps above this one (referrals) can have daily work too.
        for path in settings.CEANGAL_DAILY_TASKS:
            daily = import_string(path)
            result = daily.enqueue()
            self.stdout.write(f"Queued {daily.name} ({result.id}).")
