"""Input and output shapes for the sharing operations: agreements, privacy notices, consent and
break-glass. One input and one output per operation, converted from what the services and
selectors return.

Inputs take coded values as plain strings and leave checking them to the services, so that every
mistake in a request is named the way the staff pages name it (`purposes[0].lawful_basis`,
`scopes[2]`) and all of them come back in one 422 problem. The codes accepted are listed in each
field's `enum` in the OpenAPI document.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from ninja import Schema
from pydantic import Field

from ceangal.agreements.models import (
    AgreementStatus,
    AgreementVersion,
    Article9Condition,
    Article10Condition,
    Frequency,
    LawfulBasis,
    OnEnd,
    PrivacyNotice,
)
from ceangal.consent.models import ConsentMethod, EventKind, ExpressedBy
from ceangal.partners.models import Organisation, OrganisationType
from ceangal.policy.consents import BreakGlassView, ConsentView
from ceangal.policy.models import BreakGlassGrant, BreakGlassGround, ReviewOutcome
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose


def _code(
    values: list[str], description: str, *, default: str = "", blank: bool = False, required: bool = False
) -> Any:
    """A string field documented with the codes the service accepts (its `enum`).

    A required code still defaults to "" in the input model, so that leaving it out is reported by the
    service under the same name as giving a bad one; the document shows no default for it.
    """

    def document(schema: dict[str, Any]) -> None:
        schema["enum"] = ["", *values] if blank else list(values)
        if not default and not blank:
            schema.pop("default", None)

    description = f"{description} One of: {', '.join(values)}."
    if required:
        return Field(description=description, json_schema_extra=document)
    return Field(default=default, description=description, json_schema_extra=document)


def _code_list(values: list[str], description: str) -> Any:
    """A list of codes, each one the service accepts."""

    def document(schema: dict[str, Any]) -> None:
        schema["items"] = {"type": "string", "enum": list(values)}

    return Field(
        default_factory=list,
        description=f"{description} Each one of: {', '.join(values)}.",
        json_schema_extra=document,
    )


# --- organisations ----------------------------------------------------------------------------


class OrganisationRefOut(Schema):
    id: int
    name: str

    @classmethod
    def of(cls, organisation: Organisation) -> OrganisationRefOut:
        return cls(id=organisation.pk, name=organisation.name)


# --- agreements -------------------------------------------------------------------------------


class PurposeTermsIn(Schema):
    purpose: str = _code(Purpose.values, "Why the data is shared.")
    lawful_basis: str = _code(LawfulBasis.values, "The Article 6 lawful basis for this purpose (required).")
    categories: list[str] = _code_list(DataCategory.values, "The kinds of information shared for this purpose.")
    article9_condition: str = _code(
        Article9Condition.values, "Required when a category is special category (health, demographics).", blank=True
    )
    article10_condition: str = _code(
        Article10Condition.values, "Required when convictions are shared (DPA 2018 Schedule 1).", blank=True
    )
    why_necessary: str = ""


class AgreementTermsIn(Schema):
    """The terms of one version. Every mistake is named at once: `ends_on`, `parties`,
    `purposes[0].lawful_basis`, `purposes[1].article9_condition`, ..."""

    summary: str = Field(default="", description="Why the partners share, in plain words.")
    frequency: str = _code(Frequency.values, "How often data is shared.")
    retention: str = Field(default="", description="How long recipients keep what they receive.")
    retention_months: int = Field(default=0, description="The retention period in months (1 or more).")
    on_end: str = _code(OnEnd.values, "What happens to shared data when the agreement ends.")
    starts_on: dt.date
    review_on: dt.date = Field(description="When the agreement is next reviewed: on or after `starts_on`.")
    ends_on: dt.date | None = Field(default=None, description="On or after `starts_on`; null for no set end.")
    parties: list[int] = Field(
        default_factory=list,
        description="Ids of the partner organisations (at least two) of your partnership that are parties.",
    )
    purposes: list[PurposeTermsIn] = Field(default_factory=list, description="At least one purpose.")
    dpia_reference: str = ""
    security: str = Field(default="", description="Agreed security measures and standards.")


class AgreementCreateIn(AgreementTermsIn):
    title: str = Field(default="", description="The agreement's title.")
    reference: str = Field(
        default="", description="A short reference, unique in the partnership; made from the title if blank."
    )


class AgreementVersionIn(AgreementTermsIn):
    """The terms of the new version, in full (nothing is carried over from the one it replaces)."""


class AgreementStatusIn(Schema):
    status: str = _code(
        [AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED, AgreementStatus.ENDED],
        "The new status: suspend an active version, resume a suspended one, or end a live one.",
        required=True,
    )
    reason: str = Field(default="", description="Why, for the agreement's record (required).")


class AgreementPartyOut(Schema):
    organisation: OrganisationRefOut
    role: str
    signed_by: str | None = Field(description="Who signed for the organisation; null until they do.")
    signed_at: dt.datetime | None


class AgreementPurposeOut(Schema):
    purpose: str
    purpose_label: str
    lawful_basis: str
    lawful_basis_label: str
    article9_condition: str
    article10_condition: str
    categories: list[str]
    why_necessary: str


class AgreementVersionOut(Schema):
    id: int = Field(description="The version's id: `version_id` in the paths.")
    agreement_id: int
    reference: str
    title: str
    number: int
    status: str = Field(description="draft, active, suspended or ended.")
    summary: str
    frequency: str
    retention: str
    retention_months: int
    on_end: str
    starts_on: dt.date
    ends_on: dt.date | None
    review_on: dt.date
    dpia_reference: str
    security: str
    created_by: str
    created_at: dt.datetime
    activated_at: dt.datetime | None
    status_changed_at: dt.datetime | None
    status_reason: str
    parties: list[AgreementPartyOut]
    purposes: list[AgreementPurposeOut]

    @classmethod
    def of(cls, version: AgreementVersion) -> AgreementVersionOut:
        agreement = version.agreement
        return cls(
            id=version.pk,
            agreement_id=agreement.pk,
            reference=agreement.reference,
            title=agreement.title,
            number=version.number,
            status=version.status,
            summary=version.summary,
            frequency=version.frequency,
            retention=version.retention,
            retention_months=version.retention_months,
            on_end=version.on_end,
            starts_on=version.starts_on,
            ends_on=version.ends_on,
            review_on=version.review_on,
            dpia_reference=version.dpia_reference,
            security=version.security,
            created_by=str(version.created_by.user),
            created_at=version.created_at,
            activated_at=version.activated_at,
            status_changed_at=version.status_changed_at,
            status_reason=version.status_reason,
            parties=[
                AgreementPartyOut(
                    organisation=OrganisationRefOut.of(party.organisation),
                    role=party.role,
                    signed_by=str(party.signed_by.user) if party.signed_by else None,
                    signed_at=party.signed_at,
                )
                for party in version.parties.all()
            ],
            purposes=[
                AgreementPurposeOut(
                    purpose=p.purpose,
                    purpose_label=p.get_purpose_display(),
                    lawful_basis=p.lawful_basis,
                    lawful_basis_label=p.get_lawful_basis_display(),
                    article9_condition=p.article9_condition,
                    article10_condition=p.article10_condition,
                    categories=list(p.categories),
                    why_necessary=p.why_necessary,
                )
                for p in version.purposes.all()
            ],
        )


# --- privacy notices --------------------------------------------------------------------------


class NoticeCreateIn(Schema):
    title: str = ""
    body: str = Field(default="", description="The notice as the client reads it.")
    language: str = "en"
    purposes: list[str] = _code_list(Purpose.values, "The purposes it covers.")
    categories: list[str] = _code_list(DataCategory.values, "The kinds of information it covers.")
    controllers: list[int] = Field(default_factory=list, description="Ids of the controllers' organisations.")
    recipients: list[int] = Field(default_factory=list, description="Ids of the organisations it names as recipients.")
    recipient_types: list[str] = _code_list(OrganisationType.values, "Kinds of organisation it names as recipients.")
    retention: str = ""
    rights: str = Field(default="", description="The client's rights, including how to complain to the ICO.")


class NoticeOut(Schema):
    id: int = Field(description="`notice_id` in the paths.")
    version: int
    status: str = Field(description="draft, published or retired.")
    title: str
    body: str
    language: str
    purposes: list[str]
    categories: list[str]
    controllers: list[OrganisationRefOut]
    recipients: list[OrganisationRefOut]
    recipient_types: list[str]
    retention: str
    rights: str
    created_at: dt.datetime
    published_at: dt.datetime | None

    @classmethod
    def of(cls, notice: PrivacyNotice) -> NoticeOut:
        return cls(
            id=notice.pk,
            version=notice.version,
            status=notice.status,
            title=notice.title,
            body=notice.body,
            language=notice.language,
            purposes=list(notice.purposes),
            categories=list(notice.categories),
            controllers=[OrganisationRefOut.of(o) for o in notice.controllers.all()],
            recipients=[OrganisationRefOut.of(o) for o in notice.recipients.all()],
            recipient_types=list(notice.recipient_types),
            retention=notice.retention,
            rights=notice.rights,
            created_at=notice.created_at,
            published_at=notice.published_at,
        )


# --- consent ----------------------------------------------------------------------------------


class ConsentScopeIn(Schema):
    """One row of what the client agreed to: a named partner or a kind of partner, a purpose, a category."""

    recipient_organisation_id: int | None = Field(
        default=None, description="A partner organisation's id; or give `recipient_type` instead."
    )
    recipient_type: str = _code(OrganisationType.values, "A kind of partner, instead of a named one.", blank=True)
    purpose: str = _code(Purpose.values, "The purpose.")
    category: str = _code(DataCategory.values, "The kind of information.")


class ConsentGiveIn(Schema):
    scopes: list[ConsentScopeIn] = Field(
        default_factory=list,
        description="What the client agreed to. A row wider than the notice, or naming a partner that is not a "
        "party to an agreement, is named in the 422 problem as `scopes[<index>]`.",
    )
    method: str = _code(
        ConsentMethod.values,
        "How consent was given. A signed paper form needs its scan, which is uploaded in the staff pages.",
    )
    witness_name: str = Field(default="", description="Required for verbal consent.")
    expressed_by: str = _code(ExpressedBy.values, "Who gave consent.", default=ExpressedBy.CLIENT)
    language: str = "en"
    valid_until: dt.date | None = Field(default=None, description="The last day it is valid (in the future).")
    until_support_ends: bool = Field(default=False, description="Valid while your organisation supports the client.")
    notes: str = ""
    notice_id: int | None = Field(
        default=None, description="The privacy notice the client was given; the newest published one if null."
    )


class ConsentRefuseIn(Schema):
    """The client was asked and said no: what they were asked, against which notice, and how they answered."""

    scopes: list[ConsentScopeIn] = Field(
        default_factory=list,
        description="What the client was asked to agree to, and refused. The same rules as for consent: a row "
        "wider than the notice, or naming a partner that is not a party to an agreement, is named in the 422 "
        "problem as `scopes[<index>]`.",
    )
    method: str = _code(ConsentMethod.values, "How the client gave their answer.")
    witness_name: str = Field(default="", description="Optional: a refusal needs no witness.")
    expressed_by: str = _code(ExpressedBy.values, "Who gave the answer.", default=ExpressedBy.CLIENT)
    language: str = "en"
    notes: str = ""
    notice_id: int | None = Field(
        default=None, description="The privacy notice the client was given; the newest published one if null."
    )


class ConsentRecordedOut(Schema):
    id: uuid.UUID
    location: str = Field(description="Where to read the client's consent records.")


class ConsentScopeOut(Schema):
    id: int = Field(description="Use in `scope_ids` to withdraw this row alone.")
    recipient: str
    purpose: str
    purpose_label: str
    category: str
    category_label: str
    in_force: bool = Field(description="Whether this row lets information be shared now.")


class ConsentEventOut(Schema):
    at: dt.datetime
    event: str = Field(description="Given, Renewed, Withdrawn (some rows), Expired, ...")
    by: str


class ConsentOut(Schema):
    id: uuid.UUID
    notice: str
    method: str
    recorded_by: str
    organisation: str = Field(description="The organisation that recorded it.")
    valid_from: dt.date
    valid_until: dt.date | None
    until_support_ends: bool
    state: str = Field(
        description="The latest event that concerns the whole record: Awaiting the signed form, Given, Renewed, "
        "Refused, Withdrawn, Expired or Invalidated."
    )
    refused: bool = Field(
        description="The client was asked and said no: the rows are what they refused, nothing is shared because "
        "of this record, and it cannot be withdrawn or renewed."
    )
    in_force: bool = Field(description="Whether any of its rows lets information be shared now.")
    scopes: list[ConsentScopeOut]
    events: list[ConsentEventOut]

    @classmethod
    def of(cls, view: ConsentView) -> ConsentOut:
        return cls(
            id=uuid.UUID(view.id),
            notice=view.notice,
            method=view.method,
            recorded_by=view.recorded_by,
            organisation=view.organisation,
            valid_from=view.valid_from,
            valid_until=view.valid_until,
            until_support_ends=view.until_support_ends,
            state=view.state,
            # The view carries the state's label, in the language of the request; so does this.
            refused=view.state == str(EventKind.REFUSED.label),
            in_force=view.in_force,
            scopes=[
                ConsentScopeOut(
                    id=s.id,
                    recipient=s.recipient,
                    purpose=s.purpose,
                    purpose_label=s.purpose_label,
                    category=s.category,
                    category_label=s.category_label,
                    in_force=s.in_force,
                )
                for s in view.scopes
            ],
            events=[ConsentEventOut(at=at, event=event, by=by) for at, event, by in view.events],
        )


class ConsentWithdrawIn(Schema):
    scope_ids: list[int] | None = Field(
        default=None, description="The rows to withdraw (their `id`s); null withdraws the whole record."
    )
    note: str = ""


class ConsentWithdrawnOut(Schema):
    record_id: uuid.UUID
    withdrawn_at: dt.datetime
    scope_ids: list[int] | None = Field(description="The rows withdrawn; null when the whole record was.")


# --- break-glass ------------------------------------------------------------------------------


class BreakGlassOpenIn(Schema):
    categories: list[str] = _code_list(DataCategory.values, "Only the kinds of information you need to act now.")
    ground: str = _code(BreakGlassGround.values, "Why consent cannot wait.")
    reason: str = Field(default="", description="The emergency, in at least 20 characters; the DPO reviews it.")


class BreakGlassOpenedOut(Schema):
    id: int
    expires_at: dt.datetime


class BreakGlassGrantOut(Schema):
    id: int
    staff: str
    organisation: str
    client_reference: str
    categories: list[str]
    ground: str
    reason: str
    granted_at: dt.datetime
    expires_at: dt.datetime
    reviewed: bool
    outcome: str

    @classmethod
    def of(cls, view: BreakGlassView) -> BreakGlassGrantOut:
        return cls(
            id=view.id,
            staff=view.staff,
            organisation=view.organisation,
            client_reference=view.client_reference,
            categories=list(view.categories),
            ground=view.ground,
            reason=view.reason,
            granted_at=view.granted_at,
            expires_at=view.expires_at,
            reviewed=view.reviewed,
            outcome=view.outcome,
        )


class BreakGlassReviewIn(Schema):
    outcome: str = _code(ReviewOutcome.values, "Your finding.")
    note: str = Field(default="", description="What you found (required).")


class BreakGlassReviewedOut(Schema):
    id: int
    outcome: str
    reviewed_at: dt.datetime
    expires_at: dt.datetime = Field(description="A grant found not justified ends at once.")

    @classmethod
    def of(cls, grant: BreakGlassGrant) -> BreakGlassReviewedOut:
        assert grant.reviewed_at is not None
        return cls(
            id=grant.pk, outcome=grant.review_outcome, reviewed_at=grant.reviewed_at, expires_at=grant.expires_at
        )
