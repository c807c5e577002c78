"""The client's own side of rights requests and referrals, for their pages under /my/.

Like ceangal.policy.subject (which this sits beside because referrals and rights requests live
above the policy app), every function takes the client id the portal session holds and returns
that client's own rows and nobody else's: another client's request or referral is NotFound.

A request made on the client's pages is logged by nobody (logged_by is empty, the timeline's first
event is by nobody, the audit event has no actor and says by_client). It is received by the
organisation of the client's most recent live engagement (the one that started last, the
latest-created if two started the same day); failing that, their most recent engagement of any
kind; failing that, the organisation that registered them. The DPO works it from there as any other.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ceangal.clients import models as cm
from ceangal.clients.sections import SECTIONS_BY_KEY
from ceangal.errors import InvalidInput, NotFound
from ceangal.policy.subject import category_words, long_date
from ceangal.reference.purposes import Purpose
from ceangal.referrals.models import ENDED, Referral, ReferralStatus
from ceangal.rights import clock
from ceangal.rights.actions import NoticeRow, subject_notices
from ceangal.rights.models import (
    CLOSED_STATUSES,
    Channel,
    EventKind,
    RequestKind,
    RequestStatus,
    RightsRequest,
    RightsRequestEvent,
)
from ceangal.rights.selectors import clock_facts
from ceangal.rights.services import _audit, _event, request_withdraw_by_client

DETAILS_MAX = 4000
# Kinds that mean nothing without the client saying what they want.
DETAILS_REQUIRED = (RequestKind.RECTIFICATION, RequestKind.OBJECTION, RequestKind.COMPLAINT)


def kind_words(kind: str) -> str:
    """What the client asked for, as the client would put it."""
    return {
        RequestKind.ACCESS: _("A copy of your information"),
        RequestKind.RECTIFICATION: _("A correction"),
        RequestKind.ERASURE: _("Delete your information"),
        RequestKind.RESTRICTION: _("Stop using your information for now"),
        RequestKind.OBJECTION: _("Stop using your information for a reason"),
        RequestKind.PORTABILITY: _("A copy to take to another service"),
        RequestKind.COMPLAINT: _("A complaint"),
    }.get(RequestKind(kind), kind)


def status_words(status: str) -> str:
    return {
        RequestStatus.RECEIVED: _("We have received it"),
        RequestStatus.AWAITING_IDENTITY: _("We need you to show us who you are"),
        RequestStatus.IDENTITY_VERIFIED: _("We have checked who you are"),
        RequestStatus.AWAITING_CLARIFICATION: _("We have asked you a question"),
        RequestStatus.IN_PROGRESS: _("We are working on it"),
        RequestStatus.EXTENDED: _("We need more time"),
        RequestStatus.COMPLETED: _("Done"),
        RequestStatus.REFUSED: _("We could not do this"),
        RequestStatus.WITHDRAWN: _("You withdrew it"),
    }.get(RequestStatus(status), status)


def _today() -> dt.date:
    return timezone.localdate()


# -- making a request -----------------------------------------------------------------------------


def _receiving_organisation_id(client: cm.Client) -> int:
    engagements = cm.Engagement.objects.filter(client=client).order_by("-started_on", "-created_at", "-pk")
    live = engagements.filter(status__in=cm.LIVE_ENGAGEMENT_STATUSES).values_list("organisation_id", flat=True)
    found = live.first() or engagements.values_list("organisation_id", flat=True).first()
    return int(found) if found is not None else client.registered_by_id


def request_from_client(
    *, client_id: uuid.UUID, kind: str, details: str, section: str = "", purpose: str = ""
) -> RightsRequest:
    """A request the client makes on their own pages. For a correction, `section` says which part
    of their record; for an objection, `purpose` says which use they object to. Both are kept on
    the request, so the DPO's pages start there."""
    errors: dict[str, list[str]] = {}
    if kind not in RequestKind.values:
        errors["kind"] = [_("Choose what you are asking for.")]
    details = (details or "").strip()
    if kind in DETAILS_REQUIRED and not details:
        errors["details"] = [
            {
                RequestKind.RECTIFICATION: _("Tell us what is wrong and what it should say."),
                RequestKind.OBJECTION: _("Tell us why you object."),
                RequestKind.COMPLAINT: _("Tell us what your complaint is about."),
            }[RequestKind(kind)]
        ]
    elif len(details) > DETAILS_MAX:
        errors["details"] = [_("Keep this to %(max)d characters or fewer.") % {"max": DETAILS_MAX}]
    if kind == RequestKind.RECTIFICATION and section not in SECTIONS_BY_KEY:
        errors["section"] = [_("Choose the part of your information that is wrong.")]
    elif kind == RequestKind.OBJECTION and purpose not in Purpose.values:
        errors["purpose"] = [_("Choose the use of your information you object to.")]
    if errors:
        raise InvalidInput(errors)
    client = cm.Client.objects.filter(pk=client_id, merged_into__isnull=True, erased_at__isnull=True).first()
    if client is None:
        raise NotFound("No such client.")
    received_by_id = _receiving_organisation_id(client)
    with transaction.atomic():
        request = RightsRequest.objects.create(
            partnership_id=client.registered_by.partnership_id,
            client=client,
            kind=kind,
            channel=Channel.PORTAL,
            received_on=_today(),
            logged_by=None,
            received_by_id=received_by_id,
            details=details,
            section=section if kind == RequestKind.RECTIFICATION else "",
            purpose=purpose if kind == RequestKind.OBJECTION else "",
        )
        _event(request, EventKind.LOGGED, None, "Made by the client on their own pages.")
        # The section and purpose codes, never what the client wrote.
        codes = {name: value for name, value in (("section", request.section), ("purpose", request.purpose)) if value}
        _audit(None, "rights_request.logged", request, channel="portal", by_client=True, **codes)
    return request


# -- the client's requests ------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectRequest:
    id: uuid.UUID
    kind: str
    kind_label: str
    status: str
    status_label: str
    received_on: dt.date
    due_on: dt.date | None
    when: str  # the clock in words
    extension_reason: str  # told to the client (Art 12(3))
    closed: bool


@dataclass(frozen=True)
class SubjectStep:
    on: dt.date
    words: str
    note: str  # only what was written to be told to the client


@dataclass(frozen=True)
class SubjectRequestDetail:
    request: SubjectRequest
    details: str  # what the client wrote
    steps: list[SubjectStep]
    refusal_note: str


def _clock_words(request: RightsRequest, facts: clock.ClockFacts, today: dt.date) -> tuple[dt.date | None, str]:
    if request.status in CLOSED_STATUSES:
        closed_on = request.completed_on or today
        return None, _("Finished on %(day)s.") % {"day": long_date(closed_on)}
    if request.kind == RequestKind.COMPLAINT:
        due = clock.acknowledgement_due(request.received_on)
        if request.acknowledged_on:
            return None, _("We confirmed we have your complaint on %(day)s.") % {
                "day": long_date(request.acknowledged_on)
            }
        return due, _("We will confirm we have your complaint by %(day)s (within 30 days).") % {"day": long_date(due)}
    due = clock.due_date(facts, on=today)
    if clock.is_paused(facts, on=today):
        return due, _(
            "The time limit has stopped until you answer us. Once you do, we have until at least %(day)s."
        ) % {"day": long_date(due)}
    if facts.extension is not None:
        return due, _("We will answer by %(day)s.") % {"day": long_date(due)}
    return due, _("We will answer by %(day)s: the law gives us one month from the day we received it.") % {
        "day": long_date(due)
    }


def _subject_request(request: RightsRequest, events: list[RightsRequestEvent], today: dt.date) -> SubjectRequest:
    due, when = _clock_words(request, clock_facts(request, events), today)
    return SubjectRequest(
        id=request.pk,
        kind=str(request.kind),
        kind_label=kind_words(request.kind),
        status=str(request.status),
        status_label=status_words(request.status),
        received_on=request.received_on,
        due_on=due,
        when=when,
        extension_reason=request.extension_reason if request.extension_months else "",
        closed=request.status in CLOSED_STATUSES,
    )


def subject_requests(client_id: uuid.UUID, today: dt.date) -> list[SubjectRequest]:
    """The client's own requests, newest first, each with where it stands and when it is due."""
    requests = list(
        RightsRequest.objects.filter(client_id=client_id)
        .prefetch_related("events")
        .order_by("-received_on", "-created_at")
    )
    return [_subject_request(r, list(r.events.all()), today) for r in requests]


# The steps a client is told about, in their words. Notes are shown only for steps whose note was
# written to be told to the client (the question asked, the reason for more time, the refusal);
# every other note is the DPO's own record and stays with them.
CLIENT_SAFE_NOTES = (EventKind.AWAITING_CLARIFICATION, EventKind.EXTENDED, EventKind.REFUSED)


def _step_words(kind: str) -> str:
    words = {
        EventKind.LOGGED: _("We received your request"),
        EventKind.AWAITING_IDENTITY: _("We asked you to show us who you are"),
        EventKind.IDENTITY_VERIFIED: _("We checked who you are"),
        EventKind.AWAITING_CLARIFICATION: _("We asked you a question"),
        EventKind.RESUMED: _("We carried on with your request"),
        EventKind.EXTENDED: _("We told you we need more time"),
        EventKind.COMPLETED: _("We finished your request"),
        EventKind.REFUSED: _("We could not do what you asked"),
        EventKind.ACKNOWLEDGED: _("We confirmed we have your complaint"),
        EventKind.WITHDRAWN: _("You withdrew your request"),
    }
    return words.get(EventKind(kind), kind)


def _own_request(client_id: uuid.UUID, request_id: object) -> RightsRequest:
    try:
        key = uuid.UUID(str(request_id))
    except ValueError:
        raise NotFound("No such request.") from None
    request = RightsRequest.objects.filter(pk=key, client_id=client_id).first()
    if request is None:
        raise NotFound("No such request.")
    return request


def subject_request(client_id: uuid.UUID, request_id: object, today: dt.date) -> SubjectRequestDetail:
    """One of the client's requests with its timeline in plain words, or NotFound."""
    request = _own_request(client_id, request_id)
    events = list(request.events.order_by("at", "pk"))
    return SubjectRequestDetail(
        request=_subject_request(request, events, today),
        details=request.details,
        steps=[
            SubjectStep(
                on=e.on,
                words=_step_words(e.kind),
                note=e.note if e.kind in CLIENT_SAFE_NOTES else "",
            )
            for e in events
        ],
        refusal_note=request.refusal_note if request.status == RequestStatus.REFUSED else "",
    )


def request_withdraw_from_client(*, client_id: uuid.UUID, request_id: object) -> RightsRequest:
    """The client withdraws one of their own open requests on their pages; NotFound for any other."""
    return request_withdraw_by_client(request=_own_request(client_id, request_id))


# -- referrals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectReferral:
    id: uuid.UUID
    organisation: str
    service: str
    status: str
    status_label: str
    sent_on: dt.date | None
    answered_on: dt.date | None
    started_on: dt.date | None
    closed_on: dt.date | None
    shared: list[str]  # the kinds of information the referral carried, in words
    decline_reason: str
    ended: bool


def _referral_status_words(status: str) -> str:
    return {
        ReferralStatus.SENT: _("Sent: waiting for their answer"),
        ReferralStatus.MORE_INFO: _("They asked for more information"),
        ReferralStatus.ACCEPTED: _("Accepted"),
        ReferralStatus.DECLINED: _("Not accepted"),
        ReferralStatus.WITHDRAWN: _("Withdrawn"),
        ReferralStatus.COMPLETED: _("Finished"),
    }.get(ReferralStatus(status), status)


def subject_referrals(client_id: uuid.UUID) -> list[SubjectReferral]:
    """The client's referrals that were sent (a draft has gone nowhere), newest first: where to,
    where they stand and what they carried. No notes, reasons written by staff, or messages."""
    referrals = (
        Referral.objects.filter(client_id=client_id)
        .exclude(status=ReferralStatus.DRAFT)
        .select_related("to_organisation", "service")
        .order_by("-sent_at", "-created_at")
    )
    return [
        SubjectReferral(
            id=r.pk,
            organisation=r.to_organisation.name,
            service=r.service.name,
            status=str(r.status),
            status_label=_referral_status_words(r.status),
            sent_on=timezone.localtime(r.sent_at).date() if r.sent_at else None,
            answered_on=timezone.localtime(r.answered_at).date() if r.answered_at else None,
            started_on=r.started_on,
            closed_on=timezone.localtime(r.closed_at).date() if r.closed_at else None,
            shared=[category_words(c) for c in r.categories],
            decline_reason=str(r.get_decline_reason_display()) if r.decline_reason else "",
            ended=r.status in ENDED,
        )
        for r in referrals
    ]


@dataclass(frozen=True)
class SubjectCounts:
    open_requests: int
    referrals_open: int


def subject_counts(client_id: uuid.UUID) -> SubjectCounts:
    """For the home page: requests still being worked on, referrals not yet ended."""
    return SubjectCounts(
        open_requests=RightsRequest.objects.filter(client_id=client_id).exclude(status__in=CLOSED_STATUSES).count(),
        referrals_open=Referral.objects.filter(client_id=client_id)
        .exclude(status=ReferralStatus.DRAFT)
        .exclude(status__in=ENDED)
        .count(),
    )


def request_notices(client_id: uuid.UUID, request: SubjectRequest) -> list[NoticeRow]:
    """Who was told about a correction, erasure or restriction the client asked for (Art 19): the
    notices sent because of this request, oldest first."""
    rows = [n for n in subject_notices(client_id) if n.request_id == request.id]
    return sorted(rows, key=lambda n: n.sent_at)
