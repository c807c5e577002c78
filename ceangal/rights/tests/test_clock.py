"""The legal clock: each rule with concrete dates, and the properties that must hold for any dates."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from ceangal.rights.clock import (
    ClockFacts,
    Extension,
    Pause,
    acknowledgement_due,
    add_months,
    days_left,
    due_date,
    extension_problem,
    is_overdue,
    is_paused,
    paused_days,
)

D = dt.date
KINDS = ["access", "rectification", "erasure", "restriction", "objection", "portability"]


def test_one_calendar_month_from_receipt() -> None:
    facts = ClockFacts("access", D(2027, 3, 3))
    assert due_date(facts, on=D(2027, 3, 3)) == D(2027, 4, 3)


def test_received_on_the_31st_of_january_is_due_on_the_last_day_of_february() -> None:
    assert due_date(ClockFacts("access", D(2027, 1, 31)), on=D(2027, 1, 31)) == D(2027, 2, 28)
    assert due_date(ClockFacts("access", D(2028, 1, 31)), on=D(2028, 1, 31)) == D(2028, 2, 29)
    assert due_date(ClockFacts("erasure", D(2027, 3, 31)), on=D(2027, 3, 31)) == D(2027, 4, 30)


def test_a_ten_day_pause_moves_the_due_date_ten_days() -> None:
    plain = ClockFacts("access", D(2027, 3, 3))
    paused = ClockFacts("access", D(2027, 3, 3), pauses=(Pause(D(2027, 3, 5), D(2027, 3, 15)),))
    on = D(2027, 3, 20)
    assert due_date(paused, on=on) == due_date(plain, on=on) + dt.timedelta(days=10) == D(2027, 4, 13)


def test_an_open_pause_keeps_the_days_left_standing_still() -> None:
    facts = ClockFacts("access", D(2027, 3, 3), pauses=(Pause(D(2027, 3, 10)),))
    assert is_paused(facts, on=D(2027, 3, 12))
    assert not is_paused(facts, on=D(2027, 3, 9))
    assert days_left(facts, on=D(2027, 3, 10)) == days_left(facts, on=D(2027, 3, 25)) == 24


def test_a_pause_ends_on_the_day_the_answer_came() -> None:
    facts = ClockFacts("access", D(2027, 3, 3), pauses=(Pause(D(2027, 3, 10), D(2027, 3, 12)),))
    assert is_paused(facts, on=D(2027, 3, 11))
    assert not is_paused(facts, on=D(2027, 3, 12))
    assert paused_days(facts.pauses, on=D(2027, 5, 1)) == 2


def test_overlapping_pauses_count_each_day_once() -> None:
    pauses = (Pause(D(2027, 3, 5), D(2027, 3, 15)), Pause(D(2027, 3, 10), D(2027, 3, 20), "clarification"))
    assert paused_days(pauses, on=D(2027, 4, 1)) == 15


def test_a_pause_before_receipt_does_not_count() -> None:
    facts = ClockFacts("access", D(2027, 3, 3), pauses=(Pause(D(2027, 2, 20), D(2027, 3, 5)),))
    assert due_date(facts, on=D(2027, 3, 10)) == D(2027, 4, 5)


def test_extension_by_two_months_counts_from_receipt() -> None:
    facts = ClockFacts("access", D(2027, 1, 31), extension=Extension(2, D(2027, 2, 3)))
    assert due_date(facts, on=D(2027, 2, 3)) == D(2027, 4, 30)
    facts = ClockFacts("access", D(2027, 1, 31), extension=Extension(1, D(2027, 2, 3)))
    assert due_date(facts, on=D(2027, 2, 3)) == D(2027, 3, 31)
    facts = ClockFacts("access", D(2027, 3, 31), extension=Extension(1, D(2027, 4, 3)))
    assert due_date(facts, on=D(2027, 4, 3)) == D(2027, 5, 31)


def test_extension_and_pause_add_up() -> None:
    facts = ClockFacts(
        "access", D(2027, 1, 31), pauses=(Pause(D(2027, 2, 1), D(2027, 2, 11)),), extension=Extension(2, D(2027, 2, 20))
    )
    assert due_date(facts, on=D(2027, 3, 1)) == D(2027, 5, 10)


def test_extension_told_after_the_first_month_is_refused() -> None:
    facts = ClockFacts("access", D(2027, 1, 31))
    assert extension_problem(facts, months=2, decided_on=D(2027, 2, 28)) is None
    problem = extension_problem(facts, months=2, decided_on=D(2027, 3, 1))
    assert problem is not None
    assert "within the first month" in problem
    assert "28 February 2027" in problem


def test_a_pause_lengthens_the_first_month_for_an_extension_too() -> None:
    facts = ClockFacts("access", D(2027, 1, 31), pauses=(Pause(D(2027, 2, 1), D(2027, 2, 11)),))
    assert extension_problem(facts, months=1, decided_on=D(2027, 3, 10)) is None
    assert extension_problem(facts, months=1, decided_on=D(2027, 3, 11)) is not None


def test_extension_rules() -> None:
    facts = ClockFacts("access", D(2027, 3, 3))
    assert extension_problem(facts, months=3, decided_on=D(2027, 3, 4)) is not None
    assert extension_problem(facts, months=0, decided_on=D(2027, 3, 4)) is not None
    assert extension_problem(facts, months=1, decided_on=D(2027, 3, 1)) is not None
    extended = ClockFacts("access", D(2027, 3, 3), extension=Extension(1, D(2027, 3, 4)))
    assert extension_problem(extended, months=1, decided_on=D(2027, 3, 5)) == "This request has already been extended."
    complaint = ClockFacts("complaint", D(2027, 3, 3))
    assert "complaint" in (extension_problem(complaint, months=1, decided_on=D(2027, 3, 4)) or "")


def test_complaints_are_acknowledged_within_30_days() -> None:
    assert acknowledgement_due(D(2027, 3, 1)) == D(2027, 3, 31)
    facts = ClockFacts("complaint", D(2027, 2, 1), pauses=(Pause(D(2027, 2, 2)),))
    # Waiting for identity does not stop the acknowledgement clock.
    assert due_date(facts, on=D(2027, 2, 20)) == D(2027, 3, 3)


def test_overdue_is_the_day_after_the_due_day() -> None:
    facts = ClockFacts("access", D(2027, 3, 3))
    assert days_left(facts, on=D(2027, 4, 3)) == 0
    assert not is_overdue(facts, on=D(2027, 4, 3))
    assert days_left(facts, on=D(2027, 4, 4)) == -1
    assert is_overdue(facts, on=D(2027, 4, 4))


# -- properties -----------------------------------------------------------------------------------

dates = st.dates(min_value=D(2000, 1, 1), max_value=D(2090, 12, 31))
kinds = st.sampled_from(KINDS)


@st.composite
def pauses(draw: st.DrawFn, received: dt.date) -> Pause:
    start = received + dt.timedelta(days=draw(st.integers(-5, 60)))
    length = draw(st.one_of(st.none(), st.integers(0, 40)))
    return Pause(start, None if length is None else start + dt.timedelta(days=length))


@st.composite
def facts_with_pauses(draw: st.DrawFn) -> tuple[ClockFacts, Pause]:
    received = draw(dates)
    existing = tuple(draw(st.lists(pauses(received), max_size=3)))
    return ClockFacts(draw(kinds), received, existing), draw(pauses(received))


@given(facts_with_pauses(), st.integers(0, 200))
def test_pausing_never_brings_the_due_date_earlier(case: tuple[ClockFacts, Pause], after: int) -> None:
    facts, pause = case
    on = facts.received_on + dt.timedelta(days=after)
    more = ClockFacts(facts.kind, facts.received_on, (*facts.pauses, pause))
    assert due_date(more, on=on) >= due_date(facts, on=on)


@given(dates, kinds, st.integers(0, 30))
def test_an_extension_of_two_months_is_never_earlier_than_one(received: dt.date, kind: str, after: int) -> None:
    decided = received + dt.timedelta(days=after)
    one = ClockFacts(kind, received, extension=Extension(1, decided))
    two = ClockFacts(kind, received, extension=Extension(2, decided))
    none = ClockFacts(kind, received)
    assert due_date(none, on=decided) < due_date(one, on=decided) < due_date(two, on=decided)


@given(facts_with_pauses(), st.integers(0, 200))
def test_days_left_fall_by_one_on_each_unpaused_day(case: tuple[ClockFacts, Pause], after: int) -> None:
    facts, _ = case
    on = facts.received_on + dt.timedelta(days=after)
    tomorrow = on + dt.timedelta(days=1)
    change = days_left(facts, on=on) - days_left(facts, on=tomorrow)
    assert change == (0 if is_paused(facts, on=on) else 1)


@given(st.integers(2000, 2090), st.integers(1, 12), kinds)
def test_a_request_received_on_the_last_day_of_a_month_has_a_valid_due_date(year: int, month: int, kind: str) -> None:
    received = add_months(D(year, month, 1), 1) - dt.timedelta(days=1)
    due = due_date(ClockFacts(kind, received), on=received)
    expected_month = add_months(D(year, month, 1), 1)
    assert (due.year, due.month) == (expected_month.year, expected_month.month)
    assert due.day == min(received.day, (add_months(expected_month, 1) - dt.timedelta(days=1)).day)
    assert 28 <= (due - received).days <= 31
