"""/referrals, /messages and /provision-gaps: referrals between partners, their secure messages, and
needs no service met.

A referral is visible only to key workers and team leaders of its two organisations (a draft only
to its sender); any other is 404. The packet is read through the decision point each time: the
sender's preview shows it as the recipient will see it; the recipient reads it while the referral
waits for their answer. Each step takes the `version` you loaded: a step someone else took since is
409 `edit-conflict`, and nothing changes.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem, SectionOut
from ceangal.errors import InvalidInput, NotFound
from ceangal.ledger.models import Channel
from ceangal.partners.models import StaffMember
from ceangal.policy.packets import PacketPreview
from ceangal.referrals import selectors, services
from ceangal.referrals.models import DeclineReason, Message, ProvisionGap, Referral, ReferralStatus

router = Router(tags=["Referrals"])
messages_router = Router(tags=["Referrals"])
gaps_router = Router(tags=["Referrals"])

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
STEP_ERRORS: dict[int, type[Problem]] = {**WRITE_ERRORS, 409: Problem}


class ReferralIn(Schema):
    client_id: uuid.UUID
    service_id: int
    reason: str = Field(description="Why you refer the client: what they want from this service (required).")
    categories: list[str] | None = Field(
        default=None,
        description="Narrow the packet to some of the categories the service needs (never more). "
        "Omit for all it needs.",
    )
    send: bool = Field(default=False, description="Send at once; false keeps a draft to preview first.")
    override_note: str = Field(
        default="", description="Why you send to a service the client may not be eligible for, or that is full."
    )


class EventOut(Schema):
    kind: str
    label: str
    at: dt.datetime
    by: str
    organisation: str
    note: str
    seconds_since_previous: int | None


class ReferralOut(Schema):
    id: uuid.UUID
    client_id: uuid.UUID
    client_reference: str
    service_id: int
    service: str
    from_organisation_id: int
    from_organisation: str
    to_organisation_id: int
    to_organisation: str
    direction: str = Field(description="`sent` or `received`, from your organisation's side.")
    status: ReferralStatus
    reason: str
    categories: list[str] = Field(description="The packet: data categories the referral carries.")
    flags: list[str] = Field(description="Eligibility and capacity concerns found when it was sent.")
    override_note: str
    decline_reason: str
    decline_note: str
    created_at: dt.datetime
    sent_at: dt.datetime | None
    answer_due_on: dt.date | None
    overdue: bool
    escalated_at: dt.datetime | None
    answered_at: dt.datetime | None
    started_on: dt.date | None
    closed_at: dt.datetime | None
    fields_not_asked_again: int | None = Field(
        description='"Tell us once": filled-in fields the recipient could read on accepting, not asked again.'
    )
    version: int = Field(description="Send it back with each step.")
    link: str

    @classmethod
    def of(cls, referral: Referral, actor: StaffMember, *, overdue: bool = False) -> ReferralOut:
        return cls(
            id=referral.pk,
            client_id=referral.client_id,
            client_reference=referral.client.reference,
            service_id=referral.service_id,
            service=referral.service.name,
            from_organisation_id=referral.from_organisation_id,
            from_organisation=referral.from_organisation.name,
            to_organisation_id=referral.to_organisation_id,
            to_organisation=referral.to_organisation.name,
            direction="sent" if referral.from_organisation_id == actor.organisation_id else "received",
            status=ReferralStatus(referral.status),
            reason=referral.reason,
            categories=list(referral.categories),
            flags=list(referral.flags),
            override_note=referral.override_note,
            decline_reason=referral.decline_reason,
            decline_note=referral.decline_note,
            created_at=referral.created_at,
            sent_at=referral.sent_at,
            answer_due_on=referral.answer_due_on,
            overdue=overdue,
            escalated_at=referral.escalated_at,
            answered_at=referral.answered_at,
            started_on=referral.started_on,
            closed_at=referral.closed_at,
            fields_not_asked_again=referral.fields_not_asked_again,
            version=referral.version,
            link=reverse("api:referral_get", kwargs={"referral_id": referral.pk}),
        )


class ProgressOut(Schema):
    stage: str
    stage_label: str
    changed_on: dt.date | None
    reason: str = Field(description="Why the stage is not shown to you; empty when shown.")


class ReferralDetailOut(ReferralOut):
    client_name: str = Field(description="As the decision point lets you see it; else the reference.")
    events: list[EventOut]
    packet: list[SectionOut] = Field(
        description="For the recipient while the referral waits: the packet, read through the decision point."
    )
    progress: ProgressOut | None = Field(
        description="For the referrer once accepted: the client's stage with the recipient (closed loop)."
    )


class PacketCategoryOut(Schema):
    category: str
    label: str
    shared: bool
    reason: str
    withheld: list[str]
    consent_missing: bool = Field(description="The client's consent is what is missing: ask them and record it.")
    sections: list[SectionOut]
    unseen_items_from: list[str] = Field(description="Partners whose items go but which you may not see.")


class PacketOut(Schema):
    client_id: uuid.UUID
    reference: str
    display_name: str
    recipient_id: int
    recipient: str
    categories: list[PacketCategoryOut]
    flags: list[str] = Field(description="Eligibility and capacity concerns: sending needs an override_note.")

    @classmethod
    def of(cls, packet: PacketPreview, flags: list[str]) -> PacketOut:
        return cls(
            client_id=packet.client_id,
            reference=packet.reference,
            display_name=packet.display_name,
            recipient_id=packet.recipient_id,
            recipient=packet.recipient_name,
            flags=flags,
            categories=[
                PacketCategoryOut(
                    category=str(c.category),
                    label=str(c.label),
                    shared=c.shared,
                    reason=c.reason,
                    withheld=c.withheld,
                    consent_missing=c.consent_missing,
                    sections=[SectionOut.of(v) for v in c.sections],
                    unseen_items_from=c.unseen_items_from,
                )
                for c in packet.categories
            ],
        )


class VersionIn(Schema):
    version: int | None = Field(default=None, description="The version you loaded (409 if it changed since).")


class SendIn(VersionIn):
    override_note: str = ""


class AcceptIn(VersionIn):
    key_worker_id: int | None = Field(default=None, description="Staff id of your key worker; default: you.")
    note: str = ""


class DeclineIn(VersionIn):
    reason: DeclineReason
    note: str = Field(default="", description="Required when the reason is `other`.")


class QuestionIn(VersionIn):
    question: str


class AnswerIn(VersionIn):
    answer: str


class WithdrawIn(VersionIn):
    reason: str


class StartIn(VersionIn):
    started_on: dt.date


class CompleteIn(VersionIn):
    note: str = ""


class MessageIn(Schema):
    to_organisation_id: int
    body: str
    referral_id: uuid.UUID | None = Field(default=None, description="The referral the message is about; or:")
    client_id: uuid.UUID | None = Field(default=None, description="The client it is about (no referral).")


class MessageOut(Schema):
    id: uuid.UUID
    referral_id: uuid.UUID | None
    client_id: uuid.UUID
    from_organisation_id: int
    from_organisation: str
    to_organisation_id: int
    sent_by: str
    body: str
    sent_at: dt.datetime
    read_at: dt.datetime | None

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        user = message.sent_by.user
        return cls(
            id=message.pk,
            referral_id=message.referral_id,
            client_id=message.client_id,
            from_organisation_id=message.from_organisation_id,
            from_organisation=message.from_organisation.name,
            to_organisation_id=message.to_organisation_id,
            sent_by=f"{user.first_name} {user.last_name}".strip() or user.email,
            body=message.body,
            sent_at=message.sent_at,
            read_at=message.read_at,
        )


class GapIn(Schema):
    description: str
    need: str = Field(default="", description="barrier code")
    stage: str = Field(default="", description="pipeline_stage code")
    local_authority: str = Field(default="", description="GSS code of the council area")
    services_considered: list[int] = Field(default=[], description="Services looked at that did not fit.")


class GapOut(GapIn):
    id: int
    organisation: str
    recorded_at: dt.datetime

    @classmethod
    def of(cls, gap: ProvisionGap) -> GapOut:
        return cls(
            id=gap.pk,
            organisation=gap.organisation.name,
            recorded_at=gap.recorded_at,
            description=gap.description,
            need=gap.need,
            stage=gap.stage,
            local_authority=gap.local_authority,
            services_considered=list(gap.services_considered),
        )


def _detail(actor: StaffMember, referral_id: uuid.UUID) -> ReferralDetailOut:
    view = selectors.referral_view(actor=actor, referral_id=referral_id, channel=Channel.API)
    base = ReferralOut.of(view.referral, actor, overdue=view.overdue)
    progress = view.progress
    return ReferralDetailOut(
        **base.dict(),
        client_name=view.client_name,
        events=[
            EventOut(
                kind=e.kind,
                label=e.label,
                at=e.at,
                by=e.by,
                organisation=e.organisation,
                note=e.note,
                seconds_since_previous=int(e.since_previous.total_seconds()) if e.since_previous else None,
            )
            for e in view.events
        ],
        packet=[SectionOut.of(v) for v in view.packet],
        progress=ProgressOut(
            stage=progress.stage,
            stage_label=progress.stage_label,
            changed_on=progress.changed_on,
            reason=progress.reason,
        )
        if progress is not None
        else None,
    )


def _referral(request: HttpRequest, referral_id: uuid.UUID) -> tuple[StaffMember, Referral]:
    actor = actor_of(request)
    return actor, selectors.referral_for(actor=actor, referral_id=referral_id)


@router.get(
    "",
    response={200: list[ReferralOut], **READ_ERRORS},
    url_name="referral_list",
    summary="Your organisation's referrals, received or sent",
)
def referral_list(
    request: HttpRequest,
    direction: str = "received",
    status: ReferralStatus | None = None,
    client_id: uuid.UUID | None = None,
) -> list[ReferralOut]:
    """`direction`: `received` (drafts are the sender's own and never listed) or `sent`. Waiting
    and overdue referrals come first."""
    if direction not in ("received", "sent"):
        raise InvalidInput({"direction": ["Use `received` or `sent`."]})
    actor = actor_of(request)
    rows = selectors.referral_list(
        actor=actor, direction=direction, status=str(status) if status else "", client_id=client_id
    )
    return [ReferralOut.of(row.referral, actor, overdue=row.overdue) for row in rows]


@router.post(
    "",
    response={201: ReferralDetailOut, **WRITE_ERRORS},
    url_name="referral_create",
    summary="Refer a client to another partner's service (a draft, or sent at once)",
)
def referral_create(request: HttpRequest, body: ReferralIn, response: HttpResponse) -> Status[ReferralDetailOut]:
    """Refused with the field at fault, and nothing saved: a service of your own organisation, an
    inactive service, no reason, a category the service does not need, a client your organisation
    does not work with (404), or (with `send`) a service the client may not be eligible for or that
    is full, without an `override_note`."""
    actor = actor_of(request)
    referral = services.referral_create(
        actor=actor,
        client_id=body.client_id,
        service_id=body.service_id,
        reason=body.reason,
        categories=body.categories,
        send=body.send,
        override_note=body.override_note,
    )
    response["Location"] = reverse("api:referral_get", kwargs={"referral_id": referral.pk})
    return Status(201, _detail(actor, referral.pk))


@router.get(
    "/{referral_id}",
    response={200: ReferralDetailOut, **READ_ERRORS},
    url_name="referral_get",
    summary="One referral: its timeline, the packet (recipient) or the closed loop (referrer)",
)
def referral_get(request: HttpRequest, referral_id: uuid.UUID) -> ReferralDetailOut:
    """What the recipient reads of the packet, and what the referrer reads of the client's
    progress, is recorded in the access ledger."""
    return _detail(actor_of(request), referral_id)


@router.get(
    "/{referral_id}/preview",
    response={200: PacketOut, **READ_ERRORS},
    url_name="referral_preview",
    summary="The packet exactly as the recipient will see it (sender, before sending)",
)
def referral_preview(request: HttpRequest, referral_id: uuid.UUID) -> PacketOut:
    """Each category the service needs: whether it will go, and if not why (`consent_missing`:
    ask the client and record consent first). Items are those the recipient will receive that you
    may see yourself. Recorded in the access ledger."""
    actor, referral = _referral(request, referral_id)
    if referral.from_organisation_id != actor.organisation_id:
        raise NotFound("No such referral.")
    packet = services.preview(actor=actor, referral=referral, channel=Channel.API)
    flags = services.checks(actor=actor, referral=referral) if referral.status == ReferralStatus.DRAFT else []
    return PacketOut.of(packet, flags)


@router.post(
    "/{referral_id}/send",
    response={200: ReferralDetailOut, **STEP_ERRORS},
    url_name="referral_send",
    summary="Send a draft",
)
def referral_send(request: HttpRequest, referral_id: uuid.UUID, body: SendIn) -> ReferralDetailOut:
    actor, referral = _referral(request, referral_id)
    services.referral_send(
        actor=actor, referral=referral, override_note=body.override_note, expected_version=body.version
    )
    return _detail(actor, referral.pk)


@router.post(
    "/{referral_id}/accept",
    response={200: ReferralDetailOut, **STEP_ERRORS},
    url_name="referral_accept",
    summary="Accept a referral (recipient): your organisation starts working with the client",
)
def referral_accept(request: HttpRequest, referral_id: uuid.UUID, body: AcceptIn) -> ReferralDetailOut:
    actor, referral = _referral(request, referral_id)
    key_worker = None
    if body.key_worker_id is not None:
        key_worker = StaffMember.objects.filter(pk=body.key_worker_id, organisation_id=actor.organisation_id).first()
        if key_worker is None:
            raise InvalidInput({"key_worker_id": ["Choose a key worker from your own organisation."]})
    services.referral_accept(
        actor=actor, referral=referral, key_worker=key_worker, note=body.note, expected_version=body.version
    )
    return _detail(actor, referral.pk)


@router.post(
    "/{referral_id}/decline",
    response={200: ReferralDetailOut, **STEP_ERRORS},
    url_name="referral_decline",
    summary="Decline a referral, with the reason (recipient)",
)
def referral_decline(request: HttpRequest, referral_id: uuid.UUID, body: DeclineIn) -> ReferralDetailOut:
    actor, referral = _referral(request, referral_id)
    services.referral_decline(
        actor=actor, referral=referral, reason=str(body.reason), note=body.note, expected_version=body.version
    )
    return _detail(actor, referral.pk)


@router.post(
    "/{referral_id}/request-information",
    response={200: ReferralDetailOut, **STEP_ERRORS},
    url_name="referral_request_info",
    summary="Ask the referrer for more information (recipient)",
)
def referral_request_info(request: HttpRequest, referral_id: uuid.UUID, body: QuestionIn) -> ReferralDetailOut:
    actor, referral = _referral(request, referral_id)
    services.referral_request_info(
        actor=actor, referral=referral, question=body.question, expected_version=body.version
    )
    return _detail(actor, referral.pk)


@router.post(
    "/{referral_id}/give-information",
    response={200: ReferralDetailOut, **STEP_ERRORS},
    url_name="referral_give_info",
    summary="Answer the recipient's question (referrer)",
)
def referral_give_info(request: HttpRequest, referral_id: uuid.UUID, body: AnswerIn) -> ReferralDetailOut:
    actor, referral = _referral(request, referral_id)
    services.referral_give_info(actor=actor, referral=referral, answer=body.answer, expected_version=body.version)
    return _detail(actor, referral.pk)


@router.post(
    "/{referral_id}/withdraw",
    response={200: ReferralDetailOut, **STEP_ERRORS},
    url_name="referral_withdraw",
    summary="Withdraw a draft or an unanswered referral (referrer)",
)
def referral_withdraw(request: HttpRequest, referral_id: uuid.UUID, body: WithdrawIn) -> ReferralDetailOut:
    actor, referral = _referral(request, referral_id)
    services.referral_withdraw(actor=actor, referral=referral, reason=body.reason, expected_version=body.version)
    return _detail(actor, referral.pk)


@router.post(
    "/{referral_id}/start",
    response={200: ReferralDetailOut, **STEP_ERRORS},
    url_name="referral_start",
    summary="Record that the client started with the service (recipient)",
)
def referral_start(request: HttpRequest, referral_id: uuid.UUID, body: StartIn) -> ReferralDetailOut:
    actor, referral = _referral(request, referral_id)
    services.referral_start(actor=actor, referral=referral, started_on=body.started_on, expected_version=body.version)
    return _detail(actor, referral.pk)


@router.post(
    "/{referral_id}/complete",
    response={200: ReferralDetailOut, **STEP_ERRORS},
    url_name="referral_complete",
    summary="Complete an accepted referral (recipient)",
)
def referral_complete(request: HttpRequest, referral_id: uuid.UUID, body: CompleteIn) -> ReferralDetailOut:
    actor, referral = _referral(request, referral_id)
    services.referral_complete(actor=actor, referral=referral, note=body.note, expected_version=body.version)
    return _detail(actor, referral.pk)


@router.get(
    "/{referral_id}/messages",
    response={200: list[MessageOut], **READ_ERRORS},
    url_name="referral_messages",
    summary="The secure messages about a referral",
)
def referral_messages(request: HttpRequest, referral_id: uuid.UUID) -> list[MessageOut]:
    """Only the referral's two organisations read them; reading is audited, and marks those sent
    to your organisation as read."""
    actor, referral = _referral(request, referral_id)
    found = selectors.thread(referral)
    services.messages_read(actor=actor, messages=found)
    return [MessageOut.of(m) for m in found]


@messages_router.post(
    "",
    response={201: MessageOut, **WRITE_ERRORS},
    url_name="message_send",
    summary="Send a secure message about a referral or a client",
)
def message_send(request: HttpRequest, body: MessageIn) -> Status[MessageOut]:
    """To the other organisation of a referral, or to an organisation that also works with the
    client. Anyone else is refused (`to_organisation_id`) and nothing is saved. The email that tells
    them carries no details, only a link."""
    actor = actor_of(request)
    referral = selectors.referral_for(actor=actor, referral_id=body.referral_id) if body.referral_id else None
    message = services.message_send(
        actor=actor,
        body=body.body,
        to_organisation_id=body.to_organisation_id,
        referral=referral,
        client_id=body.client_id if referral is None else None,
    )
    return Status(201, MessageOut.of(message))


@messages_router.get(
    "",
    response={200: list[MessageOut], **READ_ERRORS},
    url_name="message_list",
    summary="Secure messages about a client (not about a referral)",
)
def message_list(request: HttpRequest, client_id: uuid.UUID) -> list[MessageOut]:
    actor = actor_of(request)
    found = selectors.client_messages(actor=actor, client_id=client_id)
    services.messages_read(actor=actor, messages=found)
    return [MessageOut.of(m) for m in found]


@gaps_router.get(
    "",
    response={200: list[GapOut], **READ_ERRORS},
    url_name="gap_list",
    summary="Gaps in provision recorded in the partnership",
)
def gap_list(request: HttpRequest, need: str | None = None, stage: str | None = None) -> list[GapOut]:
    return [GapOut.of(g) for g in selectors.gap_list(actor=actor_of(request), need=need or "", stage=stage or "")]


@gaps_router.post(
    "",
    response={201: GapOut, **WRITE_ERRORS},
    url_name="gap_record",
    summary="Record a need no service in the directory met",
)
def gap_record(request: HttpRequest, body: GapIn) -> Status[GapOut]:
    """No client data: the need, the stage, the council area and a description."""
    gap = services.gap_record(actor=actor_of(request), **body.dict())
    return Status(201, GapOut.of(gap))
