"""The legal clocks of a rights request, as plain date arithmetic.

Pure: plain data in, dates out. No models, no settings, no clock of its own (the day is an
argument), so every rule can be property-tested. The rules (docs/rights.md has worked examples):

- **One calendar month from receipt** (UK GDPR Art 12(3)). Following the ICO's guidance on
  calculating time limits, the day of receipt is day one and the answer is due on the
  corresponding calendar day of the next month; when that month has no such day, on its last day
  (31 January -> 28 February, or 29 February in a leap year). The ICO allows the next working day
  when the date falls on a weekend or bank holiday; Ceangal shows the calendar date, the earlier
  and safer of the two, so a DPO never plans to the last possible day.
- **Paused while identity or clarification is awaited** (Art 12(6) and the Data (Use and Access)
  Act 2025 "stop the clock"). A pause runs from the day the question is put to the day the answer
  arrives; those days do not count, so the due date moves back by as many days. A pause still
  open moves the date back one day for every day it stays open, so the days left stand still.
  Overlapping pauses count each day once.
- **Extension by one or two further months** (Art 12(3)) for complex or numerous requests, only
  if the requester is told within the first month: the decision must fall on or before the due
  date without the extension. The extended date is the corresponding day (or month end) that
  many months further on from receipt, then moved back by the days paused. A complaint cannot be
  extended.
- **Complaints are acknowledged within 30 days of receipt** (Data (Use and Access) Act 2025, new
  s164A DPA 2018): the acknowledgement is due 30 days after the day of receipt.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

COMPLAINT = "complaint"
EXTENSION_MONTHS = (1, 2)
ACKNOWLEDGE_WITHIN_DAYS = 30


@dataclass(frozen=True)
class Pause:
    """The clock stopped from `start` (the day the question was put) until `end` (the day the
    answer came), or still stopped when `end` is None."""

    start: dt.date
    end: dt.date | None = None
    reason: str = "identity"  # identity | clarification


@dataclass(frozen=True)
class Extension:
    months: int
    decided_on: dt.date


@dataclass(frozen=True)
class ClockFacts:
    kind: str
    received_on: dt.date
    pauses: tuple[Pause, ...] = ()
    extension: Extension | None = None


def add_months(day: dt.date, months: int) -> dt.date:
    """The corresponding calendar day `months` later, or the last day of that month if it has none."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def paused_days(pauses: Iterable[Pause], *, on: dt.date, received_on: dt.date | None = None) -> int:
    """Days on which the clock stood still, up to `on`. A day is paused from a pause's start up to
    (not including) its end: a question put on the 3rd and answered on the 13th stops the clock for
    10 days; while a pause is open, each day it stays open adds one."""
    spans: list[tuple[dt.date, dt.date]] = []
    for pause in pauses:
        start = pause.start if received_on is None else max(pause.start, received_on)
        # As known on `on`: a pause counts only the days up to `on`, however it ends later.
        end = on if pause.end is None else min(pause.end, on)
        if end > start:
            spans.append((start, end))
    total = 0
    current: tuple[dt.date, dt.date] | None = None
    for start, end in sorted(spans):
        if current is None or start > current[1]:
            if current is not None:
                total += (current[1] - current[0]).days
            current = (start, end)
        else:
            current = (current[0], max(current[1], end))
    if current is not None:
        total += (current[1] - current[0]).days
    return total


def is_paused(facts: ClockFacts, *, on: dt.date) -> bool:
    return any(p.start <= on and (p.end is None or p.end > on) for p in facts.pauses)


def original_due(facts: ClockFacts, *, on: dt.date) -> dt.date:
    """Due without any extension: one calendar month from receipt, moved back by the days paused."""
    return add_months(facts.received_on, 1) + dt.timedelta(
        days=paused_days(facts.pauses, on=on, received_on=facts.received_on)
    )


def acknowledgement_due(received_on: dt.date) -> dt.date:
    """A complaint is acknowledged within 30 days of receipt."""
    return received_on + dt.timedelta(days=ACKNOWLEDGE_WITHIN_DAYS)


def due_date(facts: ClockFacts, *, on: dt.date) -> dt.date:
    """When the answer is due, as known on `on` (an open pause keeps moving it). For a complaint,
    when its acknowledgement is due."""
    if facts.kind == COMPLAINT:
        return acknowledgement_due(facts.received_on)
    months = 1 + (facts.extension.months if facts.extension else 0)
    return add_months(facts.received_on, months) + dt.timedelta(
        days=paused_days(facts.pauses, on=on, received_on=facts.received_on)
    )


def days_left(facts: ClockFacts, *, on: dt.date) -> int:
    """Days from `on` to the due date: 0 on the due day itself, negative once overdue."""
    return (due_date(facts, on=on) - on).days


def is_overdue(facts: ClockFacts, *, on: dt.date) -> bool:
    return days_left(facts, on=on) < 0


def extension_problem(facts: ClockFacts, *, months: int, decided_on: dt.date) -> str | None:
    """Why this extension may not be made, or None if it may."""
    if facts.kind == COMPLAINT:
        return "A complaint cannot be extended: acknowledge it within 30 days."
    if months not in EXTENSION_MONTHS:
        return "Extend by 1 or 2 months: the law allows at most two further months."
    if facts.extension is not None:
        return "This request has already been extended."
    if decided_on < facts.received_on:
        return "An extension cannot be decided before the request was received."
    limit = original_due(facts, on=decided_on)
    if decided_on > limit:
        return (
            f"The requester had to be told of an extension within the first month, by "
            f"{limit.day} {limit:%B %Y}: it can no longer be extended."
        )
    return None
