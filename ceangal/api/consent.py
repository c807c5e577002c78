"""/clients/{client_id}/consents: a client's consent records, recording, withdrawing and exporting.

Consent is about a client, so every operation first opens the client through the decision point,
exactly as GET /clients/{client_id} does: a client the caller may not see is the same 404 as one
that does not exist, and so is a consent record of another client.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any, Literal

from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from ninja import File as FileParam
from ninja import P, QueryEx, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from ceangal.agreements.models import NoticeStatus, PrivacyNotice
from ceangal.agreements.selectors import notices, published_notice
from ceangal.api.agreements import organisations
from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.api.sharing_schemas import (
    ConsentGiveIn,
    ConsentOut,
    ConsentRecordedOut,
    ConsentRefuseIn,
    ConsentWithdrawIn,
    ConsentWithdrawnOut,
)
from ceangal.consent import services
from ceangal.consent.exports import IncompleteConsentRecord, to_fhir_r5, to_iso27560, to_kantara
from ceangal.consent.models import ConsentRecord, EventKind
from ceangal.errors import InvalidInput, NotFound, ServiceError
from ceangal.ledger.models import Channel
from ceangal.partners.models import StaffMember
from ceangal.policy import consents, selectors
from ceangal.policy.purposes import Purpose

router = Router(tags=["Consent"])
#: /consents/{record_id}/...: a consent record by its own id, for its signed form and the DPO's review.
records_router = Router(tags=["Consent"])

PURPOSE = Purpose.SUPPORT_COORDINATION

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 403: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}

ExportFormat = Literal["iso27560", "kantara", "fhir"]
EXPORT_MEDIA_TYPES: dict[str, str] = {
    "iso27560": "application/json",
    "kantara": "application/json",
    "fhir": "application/fhir+json",
}
EXPORTS_HELP = (
    "`iso27560`: ISO/IEC TS 27560 consent record as DPV JSON-LD (`@context`, `@type`: `dpv:ConsentRecord`, ...); "
    "`kantara`: Kantara Consent Receipt v1.1 (`version`, `consentReceiptID`, `piiControllers`, `services`, ...); "
    "`fhir`: HL7 FHIR R5 Consent resource (`resourceType`: `Consent`), served as `application/fhir+json`."
)


class ConsentExportIncomplete(ServiceError):
    """The record lacks something the chosen standard makes mandatory (usually a controller's contact
    details); exporting it anyway would give a receipt that does not conform."""

    problem_type = "export-incomplete"
    status = 409
    title = "This consent record cannot be exported in that standard"


def _record(actor: StaffMember, client_id: uuid.UUID, record_id: uuid.UUID) -> ConsentRecord:
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    record = consents.consent_record_for_action(actor=actor, record_id=record_id, purpose=PURPOSE)
    if record.client_id != client.pk:
        raise NotFound("No such consent record.")
    return record


def _notice(actor: StaffMember, notice_id: int | None) -> PrivacyNotice:
    if notice_id is None:
        notice = published_notice(actor=actor)
    else:
        notice = notices(actor=actor).filter(pk=notice_id, status=NoticeStatus.PUBLISHED).first()
    if notice is None:
        raise InvalidInput(
            {"notice_id": "There is no published privacy notice with this id; ask your DPO to publish one."}
        )
    return notice


def _scopes(actor: StaffMember, body: ConsentGiveIn | ConsentRefuseIn) -> list[services.ScopeChoice]:
    chosen: list[services.ScopeChoice] = []
    errors: dict[str, list[str]] = {}
    for index, scope in enumerate(body.scopes):
        recipient = None
        if scope.recipient_organisation_id is not None:
            try:
                [recipient] = organisations(
                    actor=actor, ids=[scope.recipient_organisation_id], field=f"scopes[{index}]"
                )
            except InvalidInput as exc:
                errors.update(exc.errors)
                continue
        chosen.append(
            services.ScopeChoice(
                purpose=scope.purpose,
                category=scope.category,
                recipient_organisation=recipient,
                recipient_type=scope.recipient_type,
            )
        )
    if errors:
        raise InvalidInput(errors)
    return chosen


@router.get(
    "/{client_id}/consents",
    response={200: list[ConsentOut], **READ_ERRORS},
    url_name="consent_list",
    summary="A client's consent records",
)
def consent_list(request: HttpRequest, client_id: uuid.UUID) -> list[ConsentOut]:
    """Newest first, each with its rows (and whether each is in force now) and its events."""
    views = consents.client_consents(actor=actor_of(request), client_id=client_id, purpose=PURPOSE)
    return [ConsentOut.of(view) for view in views]


@router.post(
    "/{client_id}/consents",
    response={201: ConsentRecordedOut, **WRITE_ERRORS},
    url_name="consent_give",
    summary="Record a client's consent to share",
)
def consent_give(
    request: HttpRequest, client_id: uuid.UUID, body: ConsentGiveIn, response: HttpResponse
) -> Status[ConsentRecordedOut]:
    """For a key worker or team leader of an organisation working with the client. A consent can
    never be wider than its notice, and may name only partners that are party to an agreement; a row
    that breaks either rule is named `scopes[<index>]`.

    Consent on a signed paper form (`paper_form`) is recorded here in state `pending` (awaiting the
    signed form): it does not count for any sharing until the scan is sent to
    `POST /consents/{id}/evidence`."""
    actor = actor_of(request)
    record = services.consent_give(
        **_answer(actor, client_id, body), valid_until=body.valid_until, until_support_ends=body.until_support_ends
    )
    return _recorded(response, client_id, record.pk)


@router.post(
    "/{client_id}/consents/refusals",
    response={201: ConsentRecordedOut, **WRITE_ERRORS},
    url_name="consent_refuse",
    summary="Record that a client refused consent to share",
)
def consent_refuse(
    request: HttpRequest, client_id: uuid.UUID, body: ConsentRefuseIn, response: HttpResponse
) -> Status[ConsentRecordedOut]:
    """The client was asked and said no. What they were asked is kept as a consent record in state
    `Refused` (`refused: true` in `GET .../consents`): it lets nothing be shared, leaves any earlier
    consent for other rows as it was, and cannot be withdrawn or renewed (422 `record`). If the
    client later agrees, record their consent with `POST .../consents`.

    For a key worker or team leader of an organisation working with the client. The rows follow
    the rules for consent (never wider than the notice, only partners that are party to an
    agreement; a bad row is named `scopes[<index>]`); a refusal has no period of validity and needs
    no witness or signed form."""
    actor = actor_of(request)
    record = services.consent_refuse(**_answer(actor, client_id, body))
    return _recorded(response, client_id, record.pk)


def _answer(actor: StaffMember, client_id: uuid.UUID, body: ConsentGiveIn | ConsentRefuseIn) -> dict[str, Any]:
    """What consent_give and consent_refuse both take from the body: who answered, how, to what."""
    return {
        "actor": actor,
        "client": selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE),
        "notice": _notice(actor, body.notice_id),
        "scopes": _scopes(actor, body),
        "method": body.method,
        "witness_name": body.witness_name,
        "expressed_by": body.expressed_by,
        "language": body.language,
        "notes": body.notes,
    }


def _recorded(response: HttpResponse, client_id: uuid.UUID, record_id: uuid.UUID) -> Status[ConsentRecordedOut]:
    location = reverse("api:consent_list", kwargs={"client_id": client_id})
    response["Location"] = location
    return Status(201, ConsentRecordedOut(id=record_id, location=location))


@router.post(
    "/{client_id}/consents/{record_id}/withdraw",
    response={200: ConsentWithdrawnOut, **WRITE_ERRORS},
    url_name="consent_withdraw",
    summary="Withdraw consent, in whole or in part",
)
def consent_withdraw(
    request: HttpRequest, client_id: uuid.UUID, record_id: uuid.UUID, body: ConsentWithdrawIn
) -> ConsentWithdrawnOut:
    """Takes effect for the very next decision anywhere: partners stop seeing what the withdrawn rows
    allowed at once. A refusal cannot be withdrawn (422 `record`)."""
    actor = actor_of(request)
    record = _record(actor, client_id, record_id)
    rows = None
    if body.scope_ids is not None:
        wanted = set(body.scope_ids)
        rows = list(record.scopes.filter(pk__in=wanted))
        unknown = sorted(wanted - {row.pk for row in rows})
        if not wanted or unknown:
            # An empty list would withdraw everything; make the caller say so with null.
            raise InvalidInput(
                {
                    "scope_ids": "Give ids of this record's rows (from GET .../consents), or null to withdraw it all."
                    + (f" Not rows of this record: {', '.join(map(str, unknown))}." if unknown else "")
                }
            )
    event = services.consent_withdraw(record=record, scopes=rows, actor=actor, note=body.note)
    return ConsentWithdrawnOut(
        record_id=record.pk, withdrawn_at=event.at, scope_ids=sorted(r.pk for r in rows) if rows else None
    )


@router.get(
    "/{client_id}/consents/{record_id}/export/{fmt}",
    response={200: dict[str, Any], **READ_ERRORS, 409: Problem},
    url_name="consent_export",
    summary="A consent record in a standard shape",
    description=EXPORTS_HELP,
    openapi_extra={
        "responses": {
            200: {
                "description": "The exported record.",
                "content": {
                    "application/json": {"schema": {"type": "object"}},
                    "application/fhir+json": {"schema": {"type": "object"}},
                },
            }
        }
    },
)
def consent_export(request: HttpRequest, client_id: uuid.UUID, record_id: uuid.UUID, fmt: ExportFormat) -> HttpResponse:
    actor = actor_of(request)
    record = _record(actor, client_id, record_id)
    document = consents.consent_document(actor=actor, record_id=record.pk, purpose=PURPOSE)
    try:
        if fmt == "iso27560":
            exported = to_iso27560(document)
        elif fmt == "kantara":
            exported = to_kantara(document)
        else:
            exported = to_fhir_r5(document)
    except IncompleteConsentRecord as exc:
        raise ConsentExportIncomplete(
            f"The record cannot be exported as {exc.standard}: it lacks {', '.join(exc.missing)}. "
            "Ask your DPO to complete the organisations' details."
        ) from None
    return HttpResponse(json.dumps(exported), content_type=EXPORT_MEDIA_TYPES[fmt])


# --- /consents/{record_id}: the signed form, and the DPO's review ------------------------------


class ConsentEvidenceOut(Schema):
    record_id: uuid.UUID
    sha256: str = Field(description="The SHA-256 of the file as received, in hex.")
    media_type: str = Field(description="application/pdf, image/jpeg or image/png, from the file's content.")
    state: str = Field(description="The record's state now: `given` (the consent counts from now).")
    evidence_url: str


class ConsentSummaryOut(Schema):
    id: uuid.UUID
    client_reference: str
    organisation: str = Field(description="The organisation that recorded it.")
    method: str
    state: str = Field(description="The latest whole-record event: " + ", ".join(EventKind.values) + ".")
    valid_until: dt.date | None = Field(description="The end of validity, after any renewal.")
    until_support_ends: bool
    recorded_here: bool = Field(description="Your organisation recorded it (otherwise a row names it as recipient).")
    awaiting_evidence: bool


class ReviewedConsentOut(Schema):
    client_name: str
    client_reference: str
    consent: ConsentOut
    evidence_sha256: str = Field(description="Empty when no signed form is attached.")
    awaiting_evidence: bool


@records_router.post(
    "/{record_id}/evidence",
    response={200: ConsentEvidenceOut, **WRITE_ERRORS},
    url_name="consent_evidence_attach",
    summary="Attach the signed paper form to a consent awaiting it",
)
def consent_evidence_attach(
    request: HttpRequest, record_id: uuid.UUID, file: FileParam[UploadedFile]
) -> ConsentEvidenceOut:
    """`multipart/form-data` with the scan in `file`: a PDF, JPEG or PNG (judged by its content, not its
    name), up to 10 MB. Only for a `paper_form` consent recorded without it, still live, by a key
    worker or team leader of the organisation that recorded it. From now on the consent counts.
    Evidence is attached once and never replaced (422 `evidence`): if it is wrong, the record is
    marked invalid and consent recorded again."""
    actor = actor_of(request)
    record = consents.consent_record_for_action(actor=actor, record_id=record_id, purpose=PURPOSE)
    services.consent_attach_evidence(actor=actor, record=record, upload=file)
    return ConsentEvidenceOut(
        record_id=record.pk,
        sha256=record.evidence_sha256,
        media_type=record.evidence_content_type,
        state=EventKind.GIVEN,
        evidence_url=reverse("api:consent_evidence", kwargs={"record_id": record.pk}),
    )


@records_router.get(
    "/{record_id}/evidence",
    response={200: None, **READ_ERRORS},
    url_name="consent_evidence",
    summary="Download the signed paper form of a consent",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as attached.",
                "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in services.EVIDENCE_TYPES},
            }
        }
    },
)
def consent_evidence(request: HttpRequest, record_id: uuid.UUID) -> FileResponse:
    """For anyone who may read the record (staff who may see the client, or a DPO of an organisation
    it names). Each download is audited; the `Digest`-style header `X-Content-SHA256` carries the
    hash recorded when it was attached. 404 when none is attached."""
    evidence = consents.consent_evidence(
        actor=actor_of(request), record_id=record_id, purpose=PURPOSE, channel=Channel.API
    )
    response = FileResponse(
        evidence.file.open("rb"), content_type=evidence.content_type, as_attachment=True, filename=evidence.filename
    )
    response["X-Content-SHA256"] = evidence.sha256
    return response


@records_router.get(
    "",
    response={200: list[ConsentSummaryOut], **READ_ERRORS},
    url_name="dpo_consent_list",
    summary="Consent records naming your organisation (DPO)",
)
def dpo_consent_list(
    request: HttpRequest,
    state: QueryEx[
        Literal["pending", "given", "renewed", "refused", "withdrawn", "expired", "invalidated"] | None,
        P(description="Only records in this state."),
    ] = None,
    expiring: QueryEx[bool, P(description="Only live records whose validity ends within 30 days.")] = False,
) -> list[ConsentSummaryOut]:
    """For a data protection officer: the records your organisation recorded or that name it as the
    recipient of a row, newest first (up to 500). Each shows the client's reference, not their name;
    the listing is audited. Anyone else gets 403."""
    rows = consents.dpo_consent_records(actor=actor_of(request), state=state or "", expiring=expiring)
    return [ConsentSummaryOut(**{**row.__dict__, "id": uuid.UUID(row.id)}) for row in rows]


@records_router.get(
    "/{record_id}",
    response={200: ReviewedConsentOut, **READ_ERRORS},
    url_name="dpo_consent_record",
    summary="One consent record naming your organisation, for review (DPO)",
)
def dpo_consent_record(request: HttpRequest, record_id: uuid.UUID) -> ReviewedConsentOut:
    """The record with the client's name and reference (to identify it, for example for a complaint)
    and nothing of their case data. The reading is audited and recorded in the access ledger
    (purpose `consent_review`, category `identity`). A record that does not name your organisation,
    or a caller who is not a DPO, is 404."""
    reviewed = consents.dpo_consent_record(actor=actor_of(request), record_id=record_id, channel=Channel.API)
    return ReviewedConsentOut(
        client_name=reviewed.client_name,
        client_reference=reviewed.client_reference,
        consent=ConsentOut.of(reviewed.consent),
        evidence_sha256=reviewed.consent.evidence_sha256,
        awaiting_evidence=reviewed.consent.awaiting_evidence,
    )
