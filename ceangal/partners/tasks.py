"""Background work for staff: reminders that carry no client data, only a link to sign in."""

from __future__ import annotations

import datetime as dt

from django.core.mail import send_mail
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

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
    ).select_related("user")
    sent = 0
    for staff in due:
        expires = staff.training_expires_on
        if expires is None:
            when = "has not been recorded"
        else:
            when = "has expired" if expires < today else f"expires on {expires:%-d %B %Y}"
        send_mail(
            subject="Ceangal: your data-protection training " + ("is due" if when.startswith("expires") else when),
            message=(
                f"Your data-protection training {when}. Without current training Ceangal will not show you "
                "client records. Please arrange your refresher and ask your organisation admin to record it.\n"
            ),
            from_email=None,
            recipient_list=[staff.user.email],
        )
        sent += 1
    return sent
