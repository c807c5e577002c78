"""/clients/search, /clients/{id}/discoverable and /clients/{id}/merge: checking before registering,
a client's agreement to be discoverable, and merging duplicates (docs/matching.md).

The search is a POST so that identifiers never appear in a URL or an access log.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.http import HttpRequest
from ninja import Field, Router, Schema

from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.clients import services
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.ledger.models import Channel
from ceangal.partners.roles import Role
from ceangal.policy import matching, selectors
from ceangal.policy.purposes import Purpose

router = Router(tags=["Finding and merging clients"])

PURPOSE = Purpose.SUPPORT_COORDINATION
ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}


class ClientSearchIn(Schema):
    ni_number: str = Field(default="", description="National Insurance number, any case and spacing.")
    given_name: str = ""
    family_name: str = ""
    date_of_birth: dt.date | None = Field(default=None, description="YYYY-MM-DD.")
    postcode: str = Field(default="", description="Needed, with the names and date of birth, to ask other partners.")


class OwnMatchOut(Schema):
    client_id: uuid.UUID
    reference: str
    name: str
    date_of_birth: dt.date | None
    postcode: str
    score: int = Field(description="0-100; 100 where an identifier's match key is the same.")
    exact: bool = Field(description="An identifier (NI number, or name, date of birth and postcode) is the same.")


class ClientSearchOut(Schema):
    yours: list[OwnMatchOut] = Field(
        description="Clients your organisation works with who may match, closest first, as you may see them."
    )
    known_elsewhere: list[str] = Field(
        description=(
            "Names of other partner organisations who may already know this person (only clients who agreed "
            "to be discoverable). Ask them, or ask the client: nothing else about the client is given."
        )
    )
    identifiers: list[str] = Field(description="Which kinds of identifier were searched: ni, name_dob_postcode, name.")


class DiscoverableIn(Schema):
    discoverable: bool = Field(
        description="The client agrees that other partners searching for them may be told they are known to you."
    )
    note: str = Field(default="", max_length=500)


class DiscoverableOut(Schema):
    client_id: uuid.UUID
    discoverable: bool


class MergeIn(Schema):
    duplicate_id: uuid.UUID = Field(description="The record to merge into this one; it becomes a tombstone.")
    reason: str = Field(description="Why the two records are the same person (kept in the audit trail).")


class MergeOut(Schema):
    kept_id: uuid.UUID
    duplicate_id: uuid.UUID
    moved: dict[str, int] = Field(description="Section key to the number of items moved to the kept record.")
    set_aside: list[str] = Field(
        description="One-per-client sections both had: the kept record's stays current, the duplicate's stays with it."
    )
    engagements_closed: list[str] = Field(
        description="Organisations whose engagement with the duplicate was closed as 'merged' (they had both)."
    )


@router.post(
    "/search",
    response={200: ClientSearchOut, 401: Problem, 403: Problem, 422: Problem},
    url_name="client_search",
    summary="Check whether a person is already known, before registering them",
)
def client_search(request: HttpRequest, body: ClientSearchIn) -> ClientSearchOut:
    """Give a National Insurance number, or given name, family name and date of birth (and postcode to
    ask other partners). Your own clients come back as you may see them, with a score; another
    partner is named only where the client agreed to be discoverable, and nothing about that client
    is returned. Every search is audited (without the identifiers) and searches per hour are limited
    (403 when reached)."""
    result = matching.search_partnership(
        actor_of(request),
        ni_number=body.ni_number,
        given_name=body.given_name,
        family_name=body.family_name,
        date_of_birth=body.date_of_birth,
        postcode=body.postcode,
        channel=Channel.API,
    )
    return ClientSearchOut(
        yours=[OwnMatchOut(**match.__dict__) for match in result.yours],
        known_elsewhere=result.known_elsewhere,
        identifiers=result.identifiers,
    )


@router.put(
    "/{client_id}/discoverable",
    response={200: DiscoverableOut, **ERRORS},
    url_name="client_discoverable_set",
    summary="Record whether the client agrees to be discoverable by other partners",
)
def client_discoverable_set(request: HttpRequest, client_id: uuid.UUID, body: DiscoverableIn) -> DiscoverableOut:
    """For a key worker or team leader whose organisation works with the client. Audited."""
    actor = actor_of(request)
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    client = services.client_set_discoverable(
        actor=actor, client=client, discoverable=body.discoverable, note=body.note
    )
    return DiscoverableOut(client_id=client.pk, discoverable=client.discoverable)


@router.post(
    "/{client_id}/merge",
    response={200: MergeOut, **ERRORS},
    url_name="client_merge",
    summary="Merge a duplicate record into this client (team leader)",
)
def client_merge(request: HttpRequest, client_id: uuid.UUID, body: MergeIn) -> MergeOut:
    """Team leaders only, for two clients their organisation works with. Every item of the duplicate
    moves here with who supplied and recorded it and when; the duplicate stays as a tombstone that is
    no longer listed, searched or readable. A one-per-client section both have that differs and was
    supplied by another partner refuses the merge (422), naming it."""
    actor = actor_of(request)
    keep = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    if actor.role != Role.TEAM_LEADER:
        raise NotPermitted("Only a team leader can merge client records.")
    try:
        duplicate = selectors.client_for_action(actor=actor, client_id=body.duplicate_id, purpose=PURPOSE)
    except NotFound:
        raise InvalidInput(
            {"duplicate_id": ["Choose a client your organisation works with: that one is not on your caseload."]}
        ) from None
    plan = services.clients_merge(actor=actor, keep=keep, duplicate=duplicate, reason=body.reason)
    return MergeOut(
        kept_id=keep.pk,
        duplicate_id=duplicate.pk,
        moved=plan.moves,
        set_aside=plan.set_aside,
        engagements_closed=plan.engagements_closed,
    )
