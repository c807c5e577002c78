"""/rights-requests/{id}/pack: the copy of a client's information for an access or portability
request, for the partnership's DPO.

Gathering runs in the background: `POST .../pack` answers 202 with a `Location` to poll. The copy
is then `ready_for_review`: decide each flag (`POST .../pack/flags/{flag_id}`: release as it is,
or redact), then `POST .../pack/release`. `GET .../pack/{fmt}` downloads a format (before release,
a preview with the decisions so far). Only the DPO: anyone else who may see the request gets 403,
and a request you may not see is 404. The pack's JSON structure: docs/rights.md.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.errors import NotFound
from ceangal.rights import pack_render, pack_services, selectors
from ceangal.rights.models import AccessPack, FlagDecision, FlagReason, PackFlag, PackFormat, PackStatus, RightsRequest

router = Router(tags=["Rights requests"])

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}


class PackFlagOut(Schema):
    id: int
    where: str = Field(description="Where in the copy, in words.")
    reason: FlagReason
    text: str = Field(description="The text at issue.")
    decision: str = Field(description="`release`, `redact`, or empty while undecided.")
    decided_at: dt.datetime | None

    @classmethod
    def of(cls, flag: PackFlag) -> PackFlagOut:
        return cls(
            id=flag.pk,
            where=flag.where,
            reason=FlagReason(flag.reason),
            text=flag.text,
            decision=str(flag.decision),
            decided_at=flag.decided_at,
        )


class AccessPackOut(Schema):
    id: uuid.UUID
    request_id: uuid.UUID
    status: PackStatus
    done: int = Field(description="Steps done: one per organisation searched, then putting the copy together.")
    total: int
    step: str = Field(description="What the gathering is doing now, in words.")
    requested_at: dt.datetime
    generated_at: dt.datetime | None
    released_at: dt.datetime | None
    error: str
    formats: list[PackFormat] = Field(description="The formats this copy comes in.")
    sha256: dict[str, str] = Field(description="Of each released file, by format; empty until release.")
    flags: list[PackFlagOut]

    @classmethod
    def of(cls, pack: AccessPack) -> AccessPackOut:
        released = pack.status == PackStatus.RELEASED
        return cls(
            id=pack.pk,
            request_id=pack.request_id,
            status=PackStatus(pack.status),
            done=pack.done,
            total=pack.total,
            step=pack.step,
            requested_at=pack.requested_at,
            generated_at=pack.generated_at,
            released_at=pack.released_at,
            error=pack.error,
            formats=list(pack_render.formats_for(pack.request.kind)),
            sha256={k: v["sha256"] for k, v in pack.files.items() if released and k != pack_services.SOURCE},
            flags=[PackFlagOut.of(f) for f in pack.flags.order_by("pk")],
        )


class FlagDecisionIn(Schema):
    decision: FlagDecision = Field(description="`release` as it is, or `redact`.")
    reason: str = Field(description="Why: kept for the record.")


class ReleaseIn(Schema):
    complete: bool = Field(default=False, description="Also complete the request.")
    note: str = Field(default="", description="With `complete`: what the client was sent or told.")


def _request(request: HttpRequest, request_id: uuid.UUID) -> RightsRequest:
    return selectors.request_for(actor=actor_of(request), request_id=request_id)


def _pack(request: HttpRequest, request_id: uuid.UUID) -> AccessPack:
    pack = pack_services.pack_for_request(actor=actor_of(request), request=_request(request, request_id))
    if pack is None:
        raise NotFound("This request has no copy yet: POST to .../pack to gather one.")
    return pack


@router.post(
    "/{request_id}/pack",
    response={202: AccessPackOut, **WRITE_ERRORS},
    url_name="rights_pack_generate",
    summary="Gather a copy of the client's information (DPO)",
)
def rights_pack_generate(request: HttpRequest, request_id: uuid.UUID, response: HttpResponse) -> Status[AccessPackOut]:
    """Starts gathering in the background; poll the `Location`. Replaces an unreleased copy. A request
    still waiting for proof of identity is 422 (`status`); a request of another kind, 422 (`kind`)."""
    pack = pack_services.pack_generate(actor=actor_of(request), request=_request(request, request_id))
    response["Location"] = reverse("api:rights_pack_get", kwargs={"request_id": request_id})
    pack.refresh_from_db()
    return Status(202, AccessPackOut.of(pack))


@router.get(
    "/{request_id}/pack",
    response={200: AccessPackOut, **READ_ERRORS},
    url_name="rights_pack_get",
    summary="The copy: status, progress and flags (DPO)",
)
def rights_pack_get(request: HttpRequest, request_id: uuid.UUID) -> AccessPackOut:
    return AccessPackOut.of(_pack(request, request_id))


@router.post(
    "/{request_id}/pack/flags/{flag_id}",
    response={200: AccessPackOut, **WRITE_ERRORS},
    url_name="rights_pack_flag_decide",
    summary="Decide a flag: release as it is, or redact (DPO)",
)
def rights_pack_flag_decide(
    request: HttpRequest, request_id: uuid.UUID, flag_id: int, body: FlagDecisionIn
) -> AccessPackOut:
    pack = _pack(request, request_id)
    flag = pack.flags.filter(pk=flag_id).first()
    if flag is None:
        raise NotFound("No such flag in this copy.")
    pack_services.flag_decide(actor=actor_of(request), flag=flag, decision=str(body.decision), reason=body.reason)
    return AccessPackOut.of(_pack(request, request_id))


@router.post(
    "/{request_id}/pack/release",
    response={200: AccessPackOut, **WRITE_ERRORS},
    url_name="rights_pack_release",
    summary="Release the copy to the client (DPO)",
)
def rights_pack_release(request: HttpRequest, request_id: uuid.UUID, body: ReleaseIn) -> AccessPackOut:
    """Every flag must be decided first (422 naming the first one left, `flag-{id}`)."""
    pack = pack_services.pack_release(
        actor=actor_of(request), pack=_pack(request, request_id), complete=body.complete, note=body.note
    )
    return AccessPackOut.of(pack)


@router.get(
    "/{request_id}/pack/{fmt}",
    response={200: bytes, **READ_ERRORS},
    url_name="rights_pack_download",
    summary="Download the copy in one format (DPO)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file. Before release, a preview with the decisions taken so far.",
                "content": {
                    "text/html": {"schema": {"type": "string"}},
                    "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                    "application/json": {"schema": {"type": "object"}},
                    "text/csv": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def rights_pack_download(request: HttpRequest, request_id: uuid.UUID, fmt: str) -> HttpResponse:
    """`fmt` is `html`, `pdf` or `json` for access, `json` or `csv` for portability; another is 422."""
    pack = _pack(request, request_id)
    data = pack_services.pack_preview(actor=actor_of(request), pack=pack, fmt=fmt)
    response = HttpResponse(data, content_type=pack_render.CONTENT_TYPES[PackFormat(fmt)])
    response["Content-Disposition"] = f'attachment; filename="copy-{str(pack.pk)[:8]}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response
