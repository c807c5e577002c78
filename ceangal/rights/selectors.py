"""Reads of rights requests: who may see which, the DPO's queue, and one request with its clock
explained in words.

The queue is not a place for personal data: it names a client by the partnership's reference only.
A request the actor may not see is NotFound, exactly as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from ceangal.clients import models as cm
from ceangal.errors import NotFound, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role
from ceangal.rights import clock
from ceangal.rights.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    EventKind,
    PauseMark,
    RequestKind,
    RequestStatus,
    RightsRequest,
    RightsRequestEvent,
)

DUE_SOON_DAYS = 7


def is_dpo(actor: StaffMember) -> bool:
    return actor.active and actor.role == Role.DPO


def visible_requests(actor: StaffMember) -> QuerySet[RightsRequest]:
    """The DPO sees every request of their partnership; key workers and team leaders see those of
    clients their organisation works with (read only); anyone else sees none."""
    base = RightsRequest.objects.select_related("client", "received_by", "logged_by__user")
    # As for client records: no current data-protection training, no requests (they hold what
    # the client said).
    if not actor.active or not actor.training_current(timezone.localdate()):
        return base.none()
    if actor.role == Role.DPO:
        return base.filter(partnership_id=actor.organisation.partnership_id)
    if Role(actor.role) in CASEWORK_ROLES:
        works_with = cm.Engagement.objects.filter(
            organisation_id=actor.organisation_id, status__in=cm.LIVE_ENGAGEMENT_STATUSES
        ).values("client_id")
        return base.filter(partnership_id=actor.organisation.partnership_id, client_id__in=works_with)
    return base.none()


def request_for(*, actor: StaffMember, request_id: object) -> RightsRequest:
    try:
        key = request_id if isinstance(request_id, uuid.UUID) else uuid.UUID(str(request_id))
    except (ValueError, TypeError, AttributeError):
        raise NotFound("No such rights request.") from None
    found = visible_requests(actor).filter(pk=key).first()
    if found is None:
        raise NotFound("No such rights request.")
    return found


# -- the clock ------------------------------------------------------------------------------------


def clock_facts(request: RightsRequest, events: Sequence[RightsRequestEvent] | None = None) -> clock.ClockFacts:
    """The clock's facts: receipt and extension from the request, pauses from its timeline."""
    if events is None:
        events = list(request.events.all())
    pauses: list[clock.Pause] = []
    open_pause: tuple[dt.date, str] | None = None
    for event in sorted(events, key=lambda e: (e.at, e.pk or 0)):
        if event.pause == PauseMark.START and open_pause is None:
            open_pause = (event.on, event.pause_reason)
        elif event.pause == PauseMark.END and open_pause is not None:
            pauses.append(clock.Pause(open_pause[0], event.on, open_pause[1]))
            open_pause = None
    if open_pause is not None:
        pauses.append(clock.Pause(open_pause[0], None, open_pause[1]))
    extension = None
    if request.extension_months and request.extended_on:
        extension = clock.Extension(request.extension_months, request.extended_on)
    return clock.ClockFacts(str(request.kind), request.received_on, tuple(pauses), extension)


@dataclass(frozen=True)
class ClockView:
    due_on: dt.date | None  # None: a complaint already acknowledged has no statutory deadline left
    days_left: int | None
    paused: bool
    overdue: bool
    due_soon: bool
    explanation: str


def _long(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def clock_view(
    request: RightsRequest, facts: clock.ClockFacts, *, today: dt.date, with_reason: bool = True
) -> ClockView:
    """The clock as shown: due date, days left (none once closed), and the date explained in words
    (with the reason for an extension only for those who may read what the client was told)."""
    closed = request.status in CLOSED_STATUSES
    on = today
    if closed:
        # A closed request's clock stopped when it closed.
        on = request.completed_on or today
    if request.kind == RequestKind.COMPLAINT:
        due = clock.acknowledgement_due(request.received_on)
        if request.acknowledged_on:
            return ClockView(
                None,
                None,
                False,
                False,
                False,
                f"Acknowledged on {_long(request.acknowledged_on)} (due by {_long(due)}: 30 days from "
                f"{_long(request.received_on)}).",
            )
        words = f"Acknowledgement due {_long(due)}: 30 days from {_long(request.received_on)}."
        if closed:
            return ClockView(due, None, False, False, False, words)
        left = (due - today).days
        return ClockView(due, left, False, left < 0, 0 <= left <= DUE_SOON_DAYS, words)
    due = clock.due_date(facts, on=on)
    left = clock.days_left(facts, on=today)
    parts = [f"one month from {_long(request.received_on)}"]
    for reason, label in (("identity", "awaiting identity"), ("clarification", "awaiting clarification")):
        days = clock.paused_days([p for p in facts.pauses if p.reason == reason], on=on, received_on=facts.received_on)
        still = any(p.reason == reason and p.end is None for p in facts.pauses)
        if days or still:
            parts.append(f"paused {days} day{'s' if days != 1 else ''} {label}{' (still waiting)' if still else ''}")
    if facts.extension:
        months = facts.extension.months
        reason = request.extension_reason.strip().rstrip(".") if with_reason else ""
        parts.append(
            f"extended by {months} month{'s' if months != 1 else ''} on {_long(facts.extension.decided_on)}"
            + (f" because {reason}" if reason else "")
        )
    explanation = f"Due {_long(due)}: " + "; ".join(parts) + "."
    if closed:
        return ClockView(due, None, False, False, False, explanation)
    paused = clock.is_paused(facts, on=today)
    return ClockView(due, left, paused, left < 0, not paused and 0 <= left <= DUE_SOON_DAYS, explanation)


# -- the queue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    id: uuid.UUID
    kind: str
    kind_label: str
    client_reference: str
    received_on: dt.date
    due_on: dt.date | None
    days_left: int | None
    paused: bool
    overdue: bool
    due_soon: bool
    status: str
    status_label: str
    version: int


def _rows(requests: Sequence[RightsRequest], today: dt.date) -> list[QueueRow]:
    events: dict[uuid.UUID, list[RightsRequestEvent]] = {r.pk: [] for r in requests}
    marks = RightsRequestEvent.objects.filter(request_id__in=list(events)).exclude(pause="").defer("note")
    for event in marks:
        events[event.request_id].append(event)
    rows = []
    for request in requests:
        view = clock_view(request, clock_facts(request, events[request.pk]), today=today)
        rows.append(
            QueueRow(
                id=request.pk,
                kind=str(request.kind),
                kind_label=str(RequestKind(request.kind).label),
                client_reference=request.client.reference,
                received_on=request.received_on,
                due_on=view.due_on,
                days_left=view.days_left,
                paused=view.paused,
                overdue=view.overdue,
                due_soon=view.due_soon,
                status=str(request.status),
                status_label=str(RequestStatus(request.status).label),
                version=request.version,
            )
        )
    # Overdue first (most overdue first), then by days left; no deadline last.
    rows.sort(key=lambda r: (r.days_left is None, r.days_left if r.days_left is not None else 0, r.received_on))
    return rows


def _filtered(requests: QuerySet[RightsRequest], kind: str, status: str) -> QuerySet[RightsRequest]:
    if kind:
        requests = requests.filter(kind=kind)
    requests = requests.filter(status=status) if status else requests.filter(status__in=OPEN_STATUSES)
    return requests


def dpo_queue(*, actor: StaffMember, today: dt.date, kind: str = "", status: str = "") -> list[QueueRow]:
    """Every open request of the DPO's partnership (or those of `status`), overdue first then by
    days left. Not a DPO: NotFound, as the queue is the DPO's."""
    if not is_dpo(actor):
        raise NotFound("No such page.")
    if not actor.training_current(today):
        raise NotPermitted("Your data-protection training has expired: renew it to work on rights requests.")
    return _rows(list(_filtered(visible_requests(actor), kind, status)), today)


def requests_list(*, actor: StaffMember, today: dt.date, kind: str = "", status: str = "") -> list[QueueRow]:
    """The requests the actor may see: for a DPO the whole queue, for a key worker or team leader
    those of clients their organisation works with."""
    return _rows(list(_filtered(visible_requests(actor), kind, status)), today)


def requests_for_client(*, actor: StaffMember, client_id: uuid.UUID, today: dt.date) -> list[QueueRow]:
    return _rows(list(visible_requests(actor).filter(client_id=client_id)), today)


def due_counts(*, partnership_id: int, today: dt.date) -> tuple[int, int]:
    """(overdue, due within 7 days) among the partnership's open requests, for the daily reminder."""
    requests = list(
        RightsRequest.objects.filter(partnership_id=partnership_id, status__in=OPEN_STATUSES).select_related("client")
    )
    rows = _rows(requests, today)
    return sum(r.overdue for r in rows), sum(r.due_soon for r in rows)


# -- one request ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    kind: str
    label: str
    at: dt.datetime
    on: dt.date
    by: str
    note: str
    pause: str


@dataclass(frozen=True)
class RequestDetail:
    request: RightsRequest
    clock: ClockView
    timeline: tuple[TimelineEntry, ...]
    steps: tuple[str, ...]  # the steps the actor may take now (see services.allowed_steps)
    # Whether the actor may read what the client said and what they were told (the details, the
    # notes, the reasons): the DPO, and the organisation that received the request. Another
    # partner working with the client sees where it stands, not what it says.
    full: bool


def request_detail(*, actor: StaffMember, request_id: object, today: dt.date) -> RequestDetail:
    from ceangal.rights.services import allowed_steps  # the services decide what may be done

    request = request_for(actor=actor, request_id=request_id)
    full = is_dpo(actor) or actor.organisation_id == request.received_by_id
    events = list(request.events.select_related("by__user"))
    timeline = tuple(
        TimelineEntry(
            kind=str(e.kind),
            label=str(EventKind(e.kind).label),
            at=e.at,
            on=e.on,
            by=e.by.display_name if e.by else "The client",
            note=e.note if full else "",
            pause=str(e.pause),
        )
        for e in events
    )
    view = clock_view(request, clock_facts(request, events), today=today, with_reason=full)
    return RequestDetail(request, view, timeline, allowed_steps(actor, request, today=today), full)
