"""Background work: staff reminders that carry no client data, and webhook deliveries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from ceangal.notifications import webhooks
from ceangal.notifications.kinds import NotificationKind
from ceangal.notifications.services import notify
from ceangal.partners.models import StaffMember

REMIND_BEFORE = dt.timedelta(days=30)


@task()
def send_training_reminders(today_iso: str | None = None) -> int:
    """Email each active member of staff whose data-protection training runs out within 30 days
    (or has run out): without it the decision point stops showing them client records."""
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    due = StaffMember.objects.filter(
        Q(training_expires_on__lte=today + REMIND_BEFORE) | Q(training_expires_on__isnull=True),
        active=True,
        is_service_account=False,
    ).select_related("user", "organisation__partnership")
    sent = 0
    for staff in due:
        expires = staff.training_expires_on
        if expires is None:
            when = "has not been recorded"
        else:
            when = "has expired" if expires < today else f"expires on {expires:%-d %B %Y}"
        sent += notify(
            NotificationKind.TRAINING_DUE,
            staff=[staff],
            link_path=reverse("web:caseload"),
            context={"training_when": when},
        )
    return sent


@task()
def deliver_webhook(delivery_id: int) -> str:
    """One attempt at one webhook delivery; a failure schedules the next attempt."""
    delivery = webhooks.delivery_attempt(delivery_id)
    return "not due" if delivery is None else str(delivery.status)


@task()
def deliver_due_webhooks() -> int:
    """Attempt every delivery whose time has come: the safety net for retries whose queued task
    was lost, and the retry mechanism on task backends that cannot defer a task."""
    attempted = 0
    for delivery_id in webhooks.due_deliveries():
        if webhooks.delivery_attempt(delivery_id) is not None:
            attempted += 1
    return attempted
