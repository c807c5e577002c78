from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from ceangal.notifications import webhooks


class Command(BaseCommand):
    help = (
        "Attempt every webhook delivery that is due now (first tries and retries). The task worker "
        "does this on its own; run this from a timer as a safety net, or where there is no worker."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        attempted = delivered = 0
        for delivery_id in webhooks.due_deliveries():
            delivery = webhooks.delivery_attempt(delivery_id)
            if delivery is not None:
                attempted += 1
                delivered += delivery.status == "delivered"
        self.stdout.write(f"Attempted {attempted} webhook deliveries; {delivered} delivered.")
