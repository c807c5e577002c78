"""Break-glass: opening a client's record without consent, for vital interests or safeguarding, and
the DPO's review of every grant.

Opening is the one operation on a client that does not need your organisation to work with them:
that is what it is for. It therefore answers for any client of the actor's partnership (another
partnership's client is the same 404 as an unknown one), and it is never silent: the grant is
audited, the DPOs are told at once, and each grant waits in their queue.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import P, QueryEx, Router, Status

from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.api.sharing_schemas import (
    BreakGlassGrantOut,
    BreakGlassOpenedOut,
    BreakGlassOpenIn,
    BreakGlassReviewedOut,
    BreakGlassReviewIn,
)
from ceangal.errors import InvalidInput
from ceangal.policy import breakglass, consents

router = Router(tags=["Break-glass"])
client_router = Router(tags=["Break-glass"])

WRITE_ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}


@client_router.post(
    "/{client_id}/break-glass",
    response={201: BreakGlassOpenedOut, **WRITE_ERRORS},
    url_name="break_glass_open",
    summary="Open a client's record in an emergency (break-glass)",
)
def break_glass_open(request: HttpRequest, client_id: uuid.UUID, body: BreakGlassOpenIn) -> Status[BreakGlassOpenedOut]:
    """For an active, trained key worker or team leader, when someone's life or safety is at risk or
    to safeguard a child or an adult at risk. The grant covers only the categories chosen, expires
    after a few hours, and is reviewed by the DPO. Until it expires, GET /clients/{client_id} shows
    those categories."""
    grant = breakglass.break_glass_open(
        actor=actor_of(request), client_id=client_id, categories=body.categories, ground=body.ground, reason=body.reason
    )
    return Status(201, BreakGlassOpenedOut(id=grant.pk, expires_at=grant.expires_at))


@router.get(
    "",
    response={200: list[BreakGlassGrantOut], 401: Problem, 403: Problem, 422: Problem},
    url_name="break_glass_queue",
    summary="The DPO's review queue of break-glass grants (DPO)",
)
def break_glass_queue(
    request: HttpRequest,
    include_reviewed: QueryEx[bool, P(description="Also list grants already reviewed.")] = False,
) -> list[BreakGlassGrantOut]:
    """Every grant in the partnership, unreviewed first, newest first."""
    views = consents.break_glass_queue(actor=actor_of(request), include_reviewed=include_reviewed)
    return [BreakGlassGrantOut.of(view) for view in views]


@router.post(
    "/{grant_id}/review",
    response={200: BreakGlassReviewedOut, **WRITE_ERRORS},
    url_name="break_glass_review",
    summary="Review a break-glass grant (DPO)",
)
def break_glass_review(request: HttpRequest, grant_id: int, body: BreakGlassReviewIn) -> BreakGlassReviewedOut:
    """A grant found not justified ends at once if it is still running. To anyone but a DPO a grant
    is 404, as if it did not exist."""
    actor = actor_of(request)
    grant = consents.break_glass_grant_for_review(actor=actor, grant_id=grant_id)
    try:
        grant = breakglass.break_glass_review(actor=actor, grant=grant, outcome=body.outcome, note=body.note)
    except InvalidInput as exc:
        # The service names the stored field; the request calls it `note`.
        raise InvalidInput({("note" if k == "review_note" else k): v for k, v in exc.errors.items()}) from None
    return BreakGlassReviewedOut.of(grant)
