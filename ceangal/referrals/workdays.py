"""Working days for referral clocks: Monday to Friday, less the partnership's listed holidays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from functools import cache

from django.conf import settings


@cache
def _holidays(listed: tuple[str, ...]) -> frozenset[dt.date]:
    return frozenset(dt.date.fromisoformat(day) for day in listed)


def holidays() -> frozenset[dt.date]:
    return _holidays(tuple(getattr(settings, "CEANGAL_NON_WORKING_DAYS", ())))


def is_working_day(day: dt.date, closed: Collection[dt.date] | None = None) -> bool:
    closed = holidays() if closed is None else closed
    return day.weekday() < 5 and day not in closed


def add_working_days(start: dt.date, days: int, closed: Collection[dt.date] | None = None) -> dt.date:
    """The day `days` working days after `start` (start itself never counts)."""
    closed = holidays() if closed is None else closed
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, closed):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date, closed: Collection[dt.date] | None = None) -> int:
    """Working days after `start` up to and including `end` (0 if end is not after start)."""
    closed = holidays() if closed is None else closed
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, closed):
            count += 1
    return count
