"""Rights tasks: the daily reminder to each DPO of how many requests are overdue or due within
7 days (the email names no client and no request: only the count and a link to the queue), and
gathering an access pack.
"""

from __future__ import annotations

import datetime as dt

from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from ceangal.notifications.kinds import NotificationKind
from ceangal.notifications.services import notify
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.rights.pack_services import pack_gather
from ceangal.rights.selectors import due_counts


@task()
def rights_clock_reminders(today_iso: str | None = None) -> int:
    """Email each active DPO the count of their partnership's requests overdue or due soon.
    Returns how many DPOs were told."""
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    dpos = StaffMember.objects.filter(role=Role.DPO, active=True).select_related("user", "organisation__partnership")
    by_partnership: dict[int, list[StaffMember]] = {}
    for dpo in dpos:
        by_partnership.setdefault(dpo.organisation.partnership_id, []).append(dpo)
    told = 0
    for partnership_id, staff in by_partnership.items():
        overdue, due_soon = due_counts(partnership_id=partnership_id, today=today)
        if overdue + due_soon:
            told += notify(
                NotificationKind.RIGHTS_REQUESTS_DUE,
                staff=staff,
                link_path=reverse("web:rights_queue"),
                context={"count": overdue + due_soon},
            )
    return told


@task()
def generate_access_pack(pack_id: str) -> str:
    """Gather one access pack (rights.pack_services.pack_gather): its status afterwards."""
    pack = pack_gather(pack_id)
    return "skipped" if pack is None else str(pack.status)
