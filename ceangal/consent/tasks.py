"""Daily consent housekeeping. The decision already refuses expired consent by date; this keeps
the records' own history honest and tells key workers what to renew, naming no client."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Q
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from ceangal.clients import models as cm
from ceangal.consent.models import ConsentRecord, EventKind
from ceangal.consent.services import consents_expire
from ceangal.notifications.kinds import NotificationKind
from ceangal.notifications.services import notify
from ceangal.partners.models import StaffMember

EXPIRING_WITHIN = dt.timedelta(days=30)
ENDED = [EventKind.WITHDRAWN, EventKind.EXPIRED, EventKind.INVALIDATED, EventKind.REFUSED]


def expiring_counts(today: dt.date) -> Counter[int]:
    """Per key worker: how many of their clients' consents end within 30 days."""
    soon = (
        ConsentRecord.objects.filter(valid_until__gte=today, valid_until__lte=today + EXPIRING_WITHIN)
        .exclude(events__kind__in=ENDED)
        .exclude(Q(events__kind=EventKind.RENEWED) & Q(events__valid_until__gt=today + EXPIRING_WITHIN))
        .values_list("client_id", "organisation_id")
        .distinct()
    )
    counts: Counter[int] = Counter()
    for client_id, organisation_id in soon:
        worker = (
            cm.Engagement.objects.filter(
                client_id=client_id,
                organisation_id=organisation_id,
                status__in=cm.LIVE_ENGAGEMENT_STATUSES,
                key_worker__isnull=False,
            )
            .values_list("key_worker_id", flat=True)
            .first()
        )
        if worker is not None:
            counts[worker] += 1
    return counts


@task()
def consent_housekeeping(today_iso: str | None = None) -> int:
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    marked = consents_expire(today=today)
    counts = expiring_counts(today)
    workers = StaffMember.objects.filter(pk__in=counts, active=True).select_related("user", "organisation__partnership")
    for worker in workers:
        notify(
            NotificationKind.CONSENTS_TO_RENEW,
            staff=[worker],
            link_path=reverse("web:caseload"),
            context={"count": counts[worker.pk]},
        )
    return marked
