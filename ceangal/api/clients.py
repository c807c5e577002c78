"""/clients: the caseload, registration, and the sections of a client's record.

Each operation parses, calls one selector (reads, through the decision point) or one service
(writes), and shapes the answer. Every read is for support coordination, the purpose a partner's
caseworker or case-management system has when it uses this API.
"""

from __future__ import annotations

import json
import uuid
from typing import Literal

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import P, QueryEx, Router, Schema, Status
from ninja.responses import NinjaJSONEncoder

from ceangal.api.auth import actor_of
from ceangal.api.schemas import (
    CaseloadRowOut,
    ClientRecordOut,
    ClientRegisteredOut,
    ClientRegisterIn,
    HistoryEntryOut,
    ItemAddIn,
    ItemChangeIn,
    ItemSavedOut,
    Problem,
    SectionOut,
    SectionSaveIn,
)
from ceangal.api.section_schemas import sections_table
from ceangal.clients import services
from ceangal.clients.sections import SECTIONS, SECTIONS_BY_KEY, SectionSpec
from ceangal.errors import InvalidInput, NotFound
from ceangal.ledger.models import Channel
from ceangal.policy import selectors
from ceangal.policy.purposes import Purpose

router = Router(tags=["Clients"])

PURPOSE = Purpose.SUPPORT_COORDINATION
SECTION_KEYS = ", ".join(spec.key for spec in SECTIONS)
SECTIONS_HELP = "Sections (`key` in the path):\n\n" + sections_table()

SEARCH_HELP = "Search by name, reference, postcode, date of birth (YYYY-MM-DD) or NI number."
SCOPE_HELP = "'mine': only clients you are key worker for; 'organisation': all of your organisation's."

# Error responses each kind of operation can give, for the OpenAPI document.
READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {
    400: Problem,
    401: Problem,
    403: Problem,
    404: Problem,
    409: Problem,
    422: Problem,
}


def _section_spec(key: str) -> SectionSpec:
    spec = SECTIONS_BY_KEY.get(key)
    if spec is None:
        raise NotFound(f"There is no section {key!r}. Sections are: {SECTION_KEYS}.")
    return spec


def _json(body: Schema) -> HttpResponse:
    """A response already built and checked as its schema: serialised once, not validated again.
    (Ninja would otherwise check the finished record a second time, field by field, which cost a
    record read more than its decision did.)"""
    content = json.dumps(body.model_dump(by_alias=True), cls=NinjaJSONEncoder)
    return HttpResponse(content, content_type="application/json")


def _section_location(client_id: uuid.UUID, key: str) -> str:
    return reverse("api:client_section_get", kwargs={"client_id": client_id, "key": key})


@router.get(
    "",
    response={200: list[CaseloadRowOut], **READ_ERRORS},
    url_name="client_list",
    summary="The caseload: clients your organisation works with",
)
def client_list(
    request: HttpRequest,
    q: QueryEx[str, P(description=SEARCH_HELP)] = "",
    scope: QueryEx[Literal["mine", "organisation"], P(description=SCOPE_HELP)] = "organisation",
) -> list[CaseloadRowOut]:
    """Live engagements of your organisation, newest first, at most 200."""
    rows = selectors.caseload(
        actor=actor_of(request), purpose=PURPOSE, mine_only=scope == "mine", query=q, channel=Channel.API
    )
    return [CaseloadRowOut.of(row) for row in rows]


@router.post(
    "",
    response={201: ClientRegisteredOut, **WRITE_ERRORS},
    url_name="client_register",
    summary="Register a client",
)
def client_register(
    request: HttpRequest, body: ClientRegisterIn, response: HttpResponse
) -> Status[ClientRegisteredOut]:
    """Register a client once. Your organisation becomes their first engagement, with you as key
    worker if you are one. Every problem with the identity and contact details is named at once in
    a 422 `validation-error`, and nothing is saved."""
    client = services.client_register(
        actor=actor_of(request), identity=body.identity, contact=body.contact, discoverable=body.discoverable
    )
    location = reverse("api:client_get", kwargs={"client_id": client.pk})
    response["Location"] = location
    return Status(201, ClientRegisteredOut(id=client.pk, reference=client.reference, location=location))


@router.get(
    "/{client_id}",
    response={200: ClientRecordOut, **READ_ERRORS},
    url_name="client_get",
    summary="A client's record",
)
def client_get(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    """Every section you may see, and the categories withheld from you with the reason for each. A
    client you may not see is 404, exactly as one that does not exist."""
    record = selectors.client_record(actor=actor_of(request), client_id=client_id, purpose=PURPOSE, channel=Channel.API)
    return _json(ClientRecordOut.of(record))


@router.get(
    "/{client_id}/sections/{key}",
    response={200: SectionOut, **READ_ERRORS},
    url_name="client_section_get",
    summary="One section of a client's record",
    description=SECTIONS_HELP,
)
def client_section_get(request: HttpRequest, client_id: uuid.UUID, key: str) -> HttpResponse:
    _section_spec(key)
    record = selectors.client_record(
        actor=actor_of(request),
        client_id=client_id,
        purpose=PURPOSE,
        sections=[key],
        channel=Channel.API,
        with_name=False,  # a section carries no name unless it is the identity section
    )
    return _json(SectionOut.of(record.sections[0]))


@router.put(
    "/{client_id}/sections/{key}",
    response={200: ItemSavedOut, 201: ItemSavedOut, **WRITE_ERRORS},
    url_name="client_section_save",
    summary="Create or change a one-per-client section",
    description=(
        "For sections that are one per client (identity, contact, demographics, caring). Send the "
        "`version` you loaded; if someone saved in between, the answer is 409 `edit-conflict` with both "
        "versions and nothing is changed. Send `version: null` to create the section (201).\n\n" + SECTIONS_HELP
    ),
)
def client_section_save(
    request: HttpRequest, client_id: uuid.UUID, key: str, body: SectionSaveIn
) -> Status[ItemSavedOut]:
    _section_spec(key)
    actor = actor_of(request)
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    item = services.section_save(
        actor=actor, client=client, section_key=key, data=body.data, expected_version=body.version
    )
    saved = ItemSavedOut(
        id=item.pk,
        version=item.version,  # type: ignore[attr-defined]
        section=key,
        location=_section_location(client_id, key),
    )
    return Status(201 if body.version in (None, 0) else 200, saved)


@router.post(
    "/{client_id}/sections/{key}/items",
    response={201: ItemSavedOut, **WRITE_ERRORS},
    url_name="client_item_add",
    summary="Add an item to a list section",
    description="For list sections (qualifications, experience, support needs, ...).\n\n" + SECTIONS_HELP,
)
def client_item_add(request: HttpRequest, client_id: uuid.UUID, key: str, body: ItemAddIn) -> Status[ItemSavedOut]:
    _section_spec(key)
    actor = actor_of(request)
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    item = services.item_add(actor=actor, client=client, section_key=key, data=body.data)
    saved = ItemSavedOut(
        id=item.pk,
        version=item.version,  # type: ignore[attr-defined]
        section=key,
        location=_section_location(client_id, key),
    )
    return Status(201, saved)


@router.patch(
    "/{client_id}/sections/{key}/items/{item_id}",
    response={200: ItemSavedOut, **WRITE_ERRORS},
    url_name="client_item_change",
    summary="Change an item of a list section",
    description=(
        "Only the fields given are changed. Only the organisation that supplied an item may change it "
        "(403 otherwise). A stale `version` is 409 `edit-conflict`.\n\n" + SECTIONS_HELP
    ),
)
def client_item_change(
    request: HttpRequest, client_id: uuid.UUID, key: str, item_id: int, body: ItemChangeIn
) -> ItemSavedOut:
    spec = _section_spec(key)
    if not spec.multiple:
        raise InvalidInput(
            {"section": f"{spec.label} is one per client; change it with PUT /api/v1/clients/{{id}}/sections/{key}."}
        )
    actor = actor_of(request)
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    item = services.section_save(
        actor=actor, client=client, section_key=key, data=body.data, expected_version=body.version, item_id=item_id
    )
    return ItemSavedOut(
        id=item.pk,
        version=item.version,  # type: ignore[attr-defined]
        section=key,
        location=_section_location(client_id, key),
    )


@router.get(
    "/{client_id}/sections/{key}/items/{item_id}/history",
    response={200: list[HistoryEntryOut], **READ_ERRORS},
    url_name="client_item_history",
    summary="Past versions of an item, newest first",
    description="Also for one-per-client sections: their `item_id` is the `id` of their one item.\n\n" + SECTIONS_HELP,
)
def client_item_history(request: HttpRequest, client_id: uuid.UUID, key: str, item_id: int) -> list[HistoryEntryOut]:
    _section_spec(key)
    entries = selectors.section_history(
        actor=actor_of(request),
        client_id=client_id,
        section_key=key,
        item_id=item_id,
        purpose=PURPOSE,
        channel=Channel.API,
    )
    return [HistoryEntryOut.of(entry) for entry in entries]
