"""/rights-requests: data subject rights requests on their legal clocks.

A data protection officer sees every request of their partnership and takes every step on them;
key workers and team leaders may log a request for a client their organisation works with and see
the requests of those clients (read only). A request you may not see is 404, as one that does not
exist; a client that does not exist (or that you may not log for) is 404 "No such client." and
nothing is saved. Each step takes the `version` you loaded: a step someone else took since is 409
`edit-conflict`. The clock: docs/rights.md.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.rights import selectors, services
from ceangal.rights.models import Exemption, IdentityMethod, RequestKind, RequestStatus, RightsRequest
from ceangal.rights.selectors import QueueRow, RequestDetail

router = Router(tags=["Rights requests"])

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
STEP_ERRORS: dict[int, type[Problem]] = {**WRITE_ERRORS, 409: Problem}


class RightsRequestRowOut(Schema):
    id: uuid.UUID
    kind: RequestKind
    client_reference: str = Field(description="The partnership's reference: the queue names no client.")
    received_on: dt.date
    due_on: dt.date | None = Field(
        description="When the answer (for a complaint, the acknowledgement) is due; null once a complaint is "
        "acknowledged."
    )
    days_left: int | None = Field(description="Negative when overdue.")
    overdue: bool
    due_soon: bool = Field(description="Due within 7 days and not paused.")
    paused: bool = Field(description="Waiting for proof of identity or clarification: the clock has stopped.")
    status: RequestStatus
    version: int

    @classmethod
    def of(cls, row: QueueRow) -> RightsRequestRowOut:
        return cls(
            id=row.id,
            kind=RequestKind(row.kind),
            client_reference=row.client_reference,
            received_on=row.received_on,
            due_on=row.due_on,
            days_left=row.days_left,
            overdue=row.overdue,
            due_soon=row.due_soon,
            paused=row.paused,
            status=RequestStatus(row.status),
            version=row.version,
        )


class TimelineEntryOut(Schema):
    kind: str
    label: str
    at: dt.datetime
    on: dt.date
    by: str
    note: str = Field(description="Empty to a partner other than the one that received the request.")
    clock: str = Field(description="`start` where the clock stopped, `end` where it restarted, else empty.")


class RightsRequestOut(Schema):
    id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str
    kind: RequestKind
    channel: str
    received_on: dt.date
    received_by: str
    details: str | None = Field(
        description="What the client asked for; null to a partner other than the one that received it (the DPO "
        "and the receiving organisation read it)."
    )
    section: str = Field(description="For a correction: the section of the record the client says is wrong.")
    purpose: str = Field(description="For an objection: the purpose the client objects to.")
    status: RequestStatus
    due_on: dt.date | None
    days_left: int | None
    overdue: bool
    paused: bool
    clock: str = Field(description="The clock in words: how the due date was worked out.")
    extension_months: int | None
    extension_reason: str | None
    exemption: str
    refusal_note: str | None
    acknowledged_on: dt.date | None
    completed_on: dt.date | None
    steps: list[str] = Field(description="The steps you may take now.")
    timeline: list[TimelineEntryOut]
    version: int = Field(description="Send it back with each step.")

    @classmethod
    def of(cls, detail: RequestDetail) -> RightsRequestOut:
        r = detail.request
        return cls(
            id=r.pk,
            client_id=r.client_id,
            client_reference=r.client.reference,
            kind=RequestKind(r.kind),
            channel=str(r.channel),
            received_on=r.received_on,
            received_by=r.received_by.name,
            details=r.details if detail.full else None,
            section=r.section,
            purpose=r.purpose,
            status=RequestStatus(r.status),
            due_on=detail.clock.due_on,
            days_left=detail.clock.days_left,
            overdue=detail.clock.overdue,
            paused=detail.clock.paused,
            clock=detail.clock.explanation,
            extension_months=r.extension_months,
            extension_reason=r.extension_reason if detail.full else None,
            exemption=str(r.exemption),
            refusal_note=r.refusal_note if detail.full else None,
            acknowledged_on=r.acknowledged_on,
            completed_on=r.completed_on,
            steps=list(detail.steps),
            timeline=[
                TimelineEntryOut(kind=e.kind, label=str(e.label), at=e.at, on=e.on, by=e.by, note=e.note, clock=e.pause)
                for e in detail.timeline
            ],
            version=r.version,
        )


class RightsRequestIn(Schema):
    client_id: uuid.UUID
    kind: RequestKind
    channel: str = Field(description="How it reached you: `letter`, `email`, `phone` or `in_person`.")
    received_on: dt.date = Field(description="The day it arrived (day one of the clock); not in the future.")
    details: str = Field(default="", description="What the client asked for, in their words.")


class VersionIn(Schema):
    version: int | None = Field(default=None, description="The version you loaded (409 if it changed since).")


class NoteIn(VersionIn):
    note: str = ""


class VerifyIdentityIn(VersionIn):
    method: IdentityMethod
    note: str = ""


class ClarificationIn(VersionIn):
    question: str = Field(description="The question as put to the client.")


class ExtendIn(VersionIn):
    months: int = Field(description="1 or 2.")
    reason: str = Field(description="The reason, as told to the client.")


class CompleteIn(VersionIn):
    note: str = Field(description="What was done: what the client was sent or told.")


class RefuseIn(VersionIn):
    exemption: Exemption
    note: str = Field(description="The explanation, as told to the client.")


class WithdrawIn(VersionIn):
    note: str = Field(description="How the client withdrew it.")


def _detail(request: HttpRequest, request_id: uuid.UUID) -> RightsRequestOut:
    detail = selectors.request_detail(actor=actor_of(request), request_id=request_id, today=timezone.localdate())
    return RightsRequestOut.of(detail)


def _load(request: HttpRequest, request_id: uuid.UUID) -> RightsRequest:
    return selectors.request_for(actor=actor_of(request), request_id=request_id)


@router.get(
    "",
    response={200: list[RightsRequestRowOut], **READ_ERRORS},
    url_name="rights_request_list",
    summary="Rights requests you may see, overdue first",
)
def rights_request_list(
    request: HttpRequest, kind: RequestKind | None = None, status: RequestStatus | None = None
) -> list[RightsRequestRowOut]:
    """For a DPO, every open request of the partnership; for a key worker or team leader, those of
    clients their organisation works with. `status` lists closed ones too."""
    rows = selectors.requests_list(
        actor=actor_of(request),
        today=timezone.localdate(),
        kind=str(kind) if kind else "",
        status=str(status) if status else "",
    )
    return [RightsRequestRowOut.of(row) for row in rows]


@router.post(
    "",
    response={201: RightsRequestOut, **WRITE_ERRORS},
    url_name="rights_request_log",
    summary="Log a rights request received by letter, email, phone or in person",
)
def rights_request_log(request: HttpRequest, body: RightsRequestIn) -> Status[RightsRequestOut]:
    logged = services.request_log(
        actor=actor_of(request),
        client=str(body.client_id),
        kind=str(body.kind),
        channel=body.channel,
        received_on=body.received_on,
        details=body.details,
    )
    return Status(201, _detail(request, logged.pk))


@router.get(
    "/{request_id}",
    response={200: RightsRequestOut, **READ_ERRORS},
    url_name="rights_request_get",
    summary="One rights request, its clock and its timeline",
)
def rights_request_get(request: HttpRequest, request_id: uuid.UUID) -> RightsRequestOut:
    return _detail(request, request_id)


@router.post(
    "/{request_id}/await-identity",
    response={200: RightsRequestOut, **STEP_ERRORS},
    url_name="rights_request_await_identity",
    summary="Ask for proof of identity: the clock stops (DPO)",
)
def rights_request_await_identity(request: HttpRequest, request_id: uuid.UUID, body: NoteIn) -> RightsRequestOut:
    services.request_await_identity(
        actor=actor_of(request), request=_load(request, request_id), note=body.note, expected_version=body.version
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/verify-identity",
    response={200: RightsRequestOut, **STEP_ERRORS},
    url_name="rights_request_verify_identity",
    summary="Record how identity was verified: the clock restarts (DPO)",
)
def rights_request_verify_identity(
    request: HttpRequest, request_id: uuid.UUID, body: VerifyIdentityIn
) -> RightsRequestOut:
    services.request_verify_identity(
        actor=actor_of(request),
        request=_load(request, request_id),
        method=str(body.method),
        note=body.note,
        expected_version=body.version,
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/await-clarification",
    response={200: RightsRequestOut, **STEP_ERRORS},
    url_name="rights_request_await_clarification",
    summary="Ask the client to clarify: the clock stops (DPO)",
)
def rights_request_await_clarification(
    request: HttpRequest, request_id: uuid.UUID, body: ClarificationIn
) -> RightsRequestOut:
    services.request_await_clarification(
        actor=actor_of(request),
        request=_load(request, request_id),
        question=body.question,
        expected_version=body.version,
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/resume",
    response={200: RightsRequestOut, **STEP_ERRORS},
    url_name="rights_request_resume",
    summary="Start work, or carry on once the client has clarified: the clock restarts (DPO)",
)
def rights_request_resume(request: HttpRequest, request_id: uuid.UUID, body: NoteIn) -> RightsRequestOut:
    services.request_resume(
        actor=actor_of(request), request=_load(request, request_id), note=body.note, expected_version=body.version
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/extend",
    response={200: RightsRequestOut, **STEP_ERRORS},
    url_name="rights_request_extend",
    summary="Extend by 1 or 2 months, within the first month (DPO)",
)
def rights_request_extend(request: HttpRequest, request_id: uuid.UUID, body: ExtendIn) -> RightsRequestOut:
    services.request_extend(
        actor=actor_of(request),
        request=_load(request, request_id),
        months=body.months,
        reason=body.reason,
        expected_version=body.version,
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/complete",
    response={200: RightsRequestOut, **STEP_ERRORS},
    url_name="rights_request_complete",
    summary="Complete a request (DPO)",
)
def rights_request_complete(request: HttpRequest, request_id: uuid.UUID, body: CompleteIn) -> RightsRequestOut:
    services.request_complete(
        actor=actor_of(request), request=_load(request, request_id), note=body.note, expected_version=body.version
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/refuse",
    response={200: RightsRequestOut, **STEP_ERRORS},
    url_name="rights_request_refuse",
    summary="Refuse a request, naming the exemption relied on (DPO)",
)
def rights_request_refuse(request: HttpRequest, request_id: uuid.UUID, body: RefuseIn) -> RightsRequestOut:
    services.request_refuse(
        actor=actor_of(request),
        request=_load(request, request_id),
        exemption=str(body.exemption),
        note=body.note,
        expected_version=body.version,
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/acknowledge",
    response={200: RightsRequestOut, **STEP_ERRORS},
    url_name="rights_request_acknowledge",
    summary="Acknowledge a complaint, due within 30 days (DPO)",
)
def rights_request_acknowledge(request: HttpRequest, request_id: uuid.UUID, body: NoteIn) -> RightsRequestOut:
    services.complaint_acknowledge(
        actor=actor_of(request), request=_load(request, request_id), note=body.note, expected_version=body.version
    )
    return _detail(request, request_id)


@router.post(
    "/{request_id}/withdraw",
    response={200: RightsRequestOut, **STEP_ERRORS},
    url_name="rights_request_withdraw",
    summary="Record that the client withdrew the request (DPO)",
)
def rights_request_withdraw(request: HttpRequest, request_id: uuid.UUID, body: WithdrawIn) -> RightsRequestOut:
    services.request_withdraw(
        actor=actor_of(request), request=_load(request, request_id), note=body.note, expected_version=body.version
    )
    return _detail(request, request_id)
