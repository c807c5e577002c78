"""Daily sign-in housekeeping (listed in CEANGAL_DAILY_TASKS)."""

from __future__ import annotations

from django.tasks import task

from ceangal.portal.services import sign_in_housekeeping


@task()
def portal_housekeeping() -> int:
    codes, throttles = sign_in_housekeeping()
    return codes + throttles
