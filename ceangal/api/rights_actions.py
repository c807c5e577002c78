"""Acting on rights requests, legal holds, and the notices recipients are sent (Art 19).

Under /rights-requests/{id}: `rectify` (correct one item of the record), `erasure-plan` and
`erase`, `restrict` and `restriction/lift`, `objection` and `objection/compelling-grounds`. Only
the partnership's DPO acts, on a request of the right kind whose client's identity is verified
and that is neither paused nor closed (otherwise 422 naming `kind` or `status`); anyone else who
may see the request gets 403, and a request you may not see is 404. Bad input is 422 naming the
field, and nothing changes. Every change is told to the organisations the access ledger shows were
disclosed the data: a `RecipientNotice` each, an email naming no client, and a webhook
(`client.rectified`, `client.erased`, `client.restricted`, `client.restriction_lifted`) of ids.

/legal-holds (DPO): list, place, lift; an erasure is refused while a hold stands.
/recipient-notices: the notices sent to the caller's organisation, and marking one read.
The rules: docs/rights.md.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.clients.erasure import Exemption
from ceangal.clients.holds import hold_lift, hold_place, holds_of_partnership
from ceangal.clients.notices import notice_mark_read, notices_for
from ceangal.errors import NotFound, NotPermitted
from ceangal.rights import actions, selectors, services
from ceangal.rights.models import RightsRequest

router = Router(tags=["Rights requests"])
holds_router = Router(tags=["Legal holds"])
notices_router = Router(tags=["Recipient notices"])

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
STEP_ERRORS: dict[int, type[Problem]] = {**WRITE_ERRORS, 409: Problem}


def _load(request: HttpRequest, request_id: uuid.UUID) -> RightsRequest:
    return selectors.request_for(actor=actor_of(request), request_id=request_id)


# -- rectification --------------------------------------------------------------------------------


class RectifyIn(Schema):
    section: str = Field(description="The section key, e.g. `identity`, `contact`, `qualifications`.")
    item_id: int | None = Field(default=None, description="Which item, for a list section; omit for one-per-client.")
    data: dict[str, Any] = Field(description="Only the corrected fields, validated as for any edit.")
    version: int | None = Field(description="The item's version (409 if it changed since).")


class RectificationOut(Schema):
    section: str
    item_id: int
    version: int
    fields_changed: list[str] = Field(description="Names of the fields changed; recipients are told these, not values.")
    notified_organisation_ids: list[int] = Field(
        description="Organisations told: those the ledger shows were disclosed the item's category, from its "
        "supplier, after the wrong value was recorded."
    )


@router.post(
    "/{request_id}/rectify",
    response={200: RectificationOut, **STEP_ERRORS},
    url_name="rights_request_rectify",
    summary="Correct one item of the client's record and tell its recipients (DPO)",
)
def rights_request_rectify(request: HttpRequest, request_id: uuid.UUID, body: RectifyIn) -> RectificationOut:
    done = actions.request_rectify(
        actor=actor_of(request),
        request=_load(request, request_id),
        section_key=body.section,
        item_id=body.item_id,
        data=body.data,
        expected_version=body.version,
    )
    return RectificationOut(
        section=done.rectified.section.key,
        item_id=done.rectified.item.pk,
        version=done.rectified.item.version,
        fields_changed=list(done.rectified.fields_changed),
        notified_organisation_ids=list(done.notified),
    )


# -- erasure --------------------------------------------------------------------------------------


class OrganisationPlanOut(Schema):
    organisation_id: int | None = Field(description="Null for what belongs to the partnership as a whole.")
    name: str
    counts: dict[str, int] = Field(description="What would be erased, by kind (a section key, `documents`, ...).")


class ErasurePlanOut(Schema):
    organisations: list[OrganisationPlanOut]
    hold: str | None = Field(description="The standing legal hold that blocks the erasure, in words.")
    recipients: list[str] = Field(description="Organisations that would be told.")
    erased: bool
    exemptions: dict[str, str] = Field(description="The Art 17(3) grounds an organisation may keep its data on.")


@router.get(
    "/{request_id}/erasure-plan",
    response={200: ErasurePlanOut, **READ_ERRORS},
    url_name="rights_request_erasure_plan",
    summary="What erasing the client's information would remove, per organisation (DPO)",
)
def rights_request_erasure_plan(request: HttpRequest, request_id: uuid.UUID) -> ErasurePlanOut:
    plan = actions.request_erasure_plan(actor=actor_of(request), request=_load(request, request_id))
    return ErasurePlanOut(
        organisations=[
            OrganisationPlanOut(
                organisation_id=p.organisation_id, name=p.name, counts={kind: n for kind, _label, n in p.counts}
            )
            for p in plan.organisations
        ],
        hold=plan.hold,
        recipients=list(plan.recipients),
        erased=plan.erased,
        exemptions=dict(actions.ERASURE_EXEMPTIONS),
    )


class ExemptionIn(Schema):
    organisation_id: int
    exemption: str = Field(description="One of the plan's `exemptions` keys.")
    reason: str = Field(description="Why the organisation must keep it; do not name the client.")


class ErasureIn(Schema):
    exemptions: list[ExemptionIn] = Field(default_factory=list, description="Organisations that keep their data.")


class ErasureOut(Schema):
    id: uuid.UUID
    full: bool = Field(description="True when nothing was kept: the client is now an anonymised tombstone.")
    counts: dict[str, dict[str, int]] = Field(description="What was erased, by organisation id and kind.")
    exemptions: list[dict[str, Any]]
    carried_out_at: dt.datetime


@router.post(
    "/{request_id}/erase",
    response={200: ErasureOut, **WRITE_ERRORS},
    url_name="rights_request_erase",
    summary="Erase the client's information, except what exempt organisations keep (DPO)",
)
def rights_request_erase(request: HttpRequest, request_id: uuid.UUID, body: ErasureIn) -> ErasureOut:
    record = actions.request_erase(
        actor=actor_of(request),
        request=_load(request, request_id),
        exemptions=[Exemption(e.organisation_id, e.exemption, e.reason) for e in body.exemptions],
    )
    return ErasureOut(
        id=record.pk,
        full=record.full,
        counts=record.counts,
        exemptions=list(record.exemptions),
        carried_out_at=record.carried_out_at,
    )


# -- restriction and objection --------------------------------------------------------------------


class RestrictIn(Schema):
    reason: str


class LiftIn(Schema):
    client_told_on: dt.date | None = Field(description="When the client was told it would be lifted (required).")
    note: str = ""


class RestrictionOut(Schema):
    id: int
    request_id: uuid.UUID | None
    started_at: dt.datetime
    lifted_at: dt.datetime | None
    client_told_on: dt.date | None


def _restriction(restriction: Any) -> RestrictionOut:
    return RestrictionOut(
        id=restriction.pk,
        request_id=restriction.request_id,
        started_at=restriction.started_at,
        lifted_at=restriction.lifted_at,
        client_told_on=restriction.client_told_on,
    )


@router.post(
    "/{request_id}/restrict",
    response={200: RestrictionOut, **WRITE_ERRORS},
    url_name="rights_request_restrict",
    summary="Restrict processing: every purpose is refused until lifted; recipients are told (DPO)",
)
def rights_request_restrict(request: HttpRequest, request_id: uuid.UUID, body: RestrictIn) -> RestrictionOut:
    done = actions.request_restrict(actor=actor_of(request), request=_load(request, request_id), reason=body.reason)
    return _restriction(done)


@router.post(
    "/{request_id}/restriction/lift",
    response={200: RestrictionOut, **WRITE_ERRORS},
    url_name="rights_request_restriction_lift",
    summary="Lift the restriction once the client has been told (DPO)",
)
def rights_request_restriction_lift(request: HttpRequest, request_id: uuid.UUID, body: LiftIn) -> RestrictionOut:
    done = actions.request_restriction_lift(
        actor=actor_of(request), request=_load(request, request_id), client_told_on=body.client_told_on, note=body.note
    )
    return _restriction(done)


class ObjectionIn(Schema):
    purpose: str = Field(description="The purpose code the client objects to.")
    grounds: str = Field(default="", description="What the client said.")


class GroundsIn(Schema):
    objection_id: int
    grounds: str = Field(description="The compelling legitimate grounds that override the objection.")


class ObjectionOut(Schema):
    id: int
    request_id: uuid.UUID | None
    purpose: str
    made_on: dt.date
    in_force: bool = Field(description="False once compelling grounds are recorded or it ended.")


def _objection(objection: Any) -> ObjectionOut:
    return ObjectionOut(
        id=objection.pk,
        request_id=objection.request_id,
        purpose=objection.purpose,
        made_on=objection.made_on,
        in_force=objection.in_force,
    )


@router.post(
    "/{request_id}/objection",
    response={200: ObjectionOut, **WRITE_ERRORS},
    url_name="rights_request_objection",
    summary="Record the client's objection to a purpose: it stops at once (DPO)",
)
def rights_request_objection(request: HttpRequest, request_id: uuid.UUID, body: ObjectionIn) -> ObjectionOut:
    done = actions.request_object(
        actor=actor_of(request), request=_load(request, request_id), purpose=body.purpose, grounds=body.grounds
    )
    return _objection(done)


@router.post(
    "/{request_id}/objection/compelling-grounds",
    response={200: ObjectionOut, **WRITE_ERRORS},
    url_name="rights_request_objection_grounds",
    summary="Record compelling legitimate grounds that override an objection (DPO)",
)
def rights_request_objection_grounds(request: HttpRequest, request_id: uuid.UUID, body: GroundsIn) -> ObjectionOut:
    done = actions.request_objection_grounds(
        actor=actor_of(request),
        request=_load(request, request_id),
        objection_id=body.objection_id,
        grounds=body.grounds,
    )
    return _objection(done)


# -- legal holds ----------------------------------------------------------------------------------


class LegalHoldIn(Schema):
    client_id: uuid.UUID
    reason: str = Field(description="Why the information must be kept.")
    reference: str = Field(default="", description="A case or court reference.")


class LiftHoldIn(Schema):
    note: str = ""


class LegalHoldOut(Schema):
    id: int
    client_id: uuid.UUID
    client_reference: str
    reason: str
    reference: str
    placed_at: dt.datetime
    lifted_at: dt.datetime | None


def _hold(hold: Any) -> LegalHoldOut:
    return LegalHoldOut(
        id=hold.pk,
        client_id=hold.client_id,
        client_reference=hold.client.reference,
        reason=hold.reason,
        reference=hold.reference,
        placed_at=hold.placed_at,
        lifted_at=hold.lifted_at,
    )


def _require_dpo(request: HttpRequest) -> None:
    if not selectors.is_dpo(actor_of(request)):
        raise NotPermitted("Only the partnership's data protection officer places and lifts legal holds.")


@holds_router.get(
    "",
    response={200: list[LegalHoldOut], **READ_ERRORS},
    url_name="legal_hold_list",
    summary="The partnership's legal holds (DPO)",
)
def legal_hold_list(request: HttpRequest, include_lifted: bool = False) -> list[LegalHoldOut]:
    _require_dpo(request)
    return [_hold(h) for h in holds_of_partnership(actor_of(request), standing_only=not include_lifted)]


@holds_router.post(
    "",
    response={201: LegalHoldOut, **WRITE_ERRORS},
    url_name="legal_hold_place",
    summary="Place a legal hold: nothing about the client can be erased while it stands (DPO)",
)
def legal_hold_place(request: HttpRequest, body: LegalHoldIn) -> Status[LegalHoldOut]:
    _require_dpo(request)
    actor = actor_of(request)
    client = services.client_for_logging(actor=actor, client=str(body.client_id))
    return Status(201, _hold(hold_place(actor=actor, client=client, reason=body.reason, reference=body.reference)))


@holds_router.post(
    "/{hold_id}/lift",
    response={200: LegalHoldOut, **WRITE_ERRORS},
    url_name="legal_hold_lift",
    summary="Lift a legal hold (DPO)",
)
def legal_hold_lift(request: HttpRequest, hold_id: int, body: LiftHoldIn) -> LegalHoldOut:
    _require_dpo(request)
    actor = actor_of(request)
    hold = holds_of_partnership(actor, standing_only=False).filter(pk=hold_id).first()
    if hold is None:
        raise NotFound("No such legal hold.")
    return _hold(hold_lift(actor=actor, hold=hold, note=body.note))


# -- notices to recipients ------------------------------------------------------------------------


class RecipientNoticeOut(Schema):
    id: int
    client_id: uuid.UUID
    client_reference: str
    kind: str = Field(description="`rectification`, `erasure`, `restriction` or `restriction_lifted`.")
    category: str = Field(description="The data category corrected; empty for the others.")
    fields_changed: list[str] = Field(description="Names of the fields corrected, never their values.")
    sent_at: dt.datetime
    read_at: dt.datetime | None


def _notice(notice: Any) -> RecipientNoticeOut:
    return RecipientNoticeOut(
        id=notice.pk,
        client_id=notice.client_id,
        client_reference=notice.client.reference,
        kind=str(notice.kind),
        category=notice.category,
        fields_changed=list(notice.fields_changed),
        sent_at=notice.sent_at,
        read_at=notice.read_at,
    )


@notices_router.get(
    "",
    response={200: list[RecipientNoticeOut], **READ_ERRORS},
    url_name="recipient_notice_list",
    summary="Notices that information your organisation received was corrected, erased or restricted",
)
def recipient_notice_list(request: HttpRequest, unread: bool = False) -> list[RecipientNoticeOut]:
    return [_notice(n) for n in notices_for(actor_of(request), unread_only=unread)]


@notices_router.post(
    "/{notice_id}/read",
    response={200: RecipientNoticeOut, **WRITE_ERRORS},
    url_name="recipient_notice_read",
    summary="Mark one of your organisation's notices read",
)
def recipient_notice_read(request: HttpRequest, notice_id: int) -> RecipientNoticeOut:
    return _notice(notice_mark_read(actor=actor_of(request), notice_id=notice_id))
