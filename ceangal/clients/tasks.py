"""Background work on client records. Notifications name no client: only counts and a link."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from ceangal.clients import models as m
from ceangal.notifications.kinds import NotificationKind
from ceangal.notifications.services import notify
from ceangal.partners.models import StaffMember


@task()
def send_follow_up_digests(today_iso: str | None = None) -> int:
    """Tell each key worker how many employment follow-ups are due for their live clients.

    A follow-up is due from its due date until someone records what happened; the guide's
    lesson is that unrecorded follow-ups become blanks in the quarterly return.
    """
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    due = m.FollowUp.objects.filter(due_on__lte=today, status="NOT_DUE", checked_on__isnull=True)
    live = m.Engagement.objects.filter(status__in=m.LIVE_ENGAGEMENT_STATUSES, key_worker__isnull=False)
    counts: Counter[int] = Counter()
    for key_worker_id, organisation_id, client_id in live.values_list("key_worker_id", "organisation_id", "client_id"):
        n = due.filter(client_id=client_id, supplied_by_id=organisation_id).count()
        if n:
            counts[key_worker_id] += n
    workers = list(
        StaffMember.objects.filter(pk__in=counts, active=True).select_related("user", "organisation__partnership")
    )
    for worker in workers:
        notify(
            NotificationKind.FOLLOW_UPS_DUE,
            staff=[worker],
            link_path=reverse("web:caseload"),
            context={"count": counts[worker.pk]},
        )
    return len(workers)
