"""Input and output shapes of the API, one per operation, and their conversion from the plain
shapes that policy.selectors return. Outputs hold only JSON values (dates as YYYY-MM-DD)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from dataclasses import dataclass
from typing import Annotated, Any

from ninja import Schema
from pydantic import BaseModel, Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from ceangal.api.section_schemas import SECTION_DATA_MODELS
from ceangal.policy.selectors import CaseloadRow, ClientRecord, HistoryEntry, ItemView, SectionView

# --- problems ---------------------------------------------------------------------------------


class Problem(Schema):
    """An RFC 9457 problem (served as application/problem+json)."""

    type: str = Field(description="A stable URI naming the kind of problem; see docs/api.md.")
    title: str
    status: int
    detail: str = Field(description="What went wrong in this case, in words a person can act on.")
    errors: dict[str, list[str]] | None = Field(
        default=None, description="validation-error only: field name to messages that say how to fix it."
    )
    expected_version: int | None = Field(default=None, description="edit-conflict only: the version you sent.")
    current_version: int | None = Field(default=None, description="edit-conflict only: the version now saved.")


# --- reference --------------------------------------------------------------------------------


class CodeListOut(Schema):
    key: str
    name: str
    edition: str = Field(description="Edition of the source, for example CENSUS2022.")
    version: int = Field(description="Version of Ceangal's copy of the list.")


class CodeOut(Schema):
    code: str
    label: str
    group: str
    active: bool = Field(description="False for a retired code: still readable in old records, refused in new input.")
    superseded_by: str = Field(description="For a retired code, the code that replaces it (input is mapped to it).")


class CodeListDetailOut(CodeListOut):
    codes: list[CodeOut]


# --- clients ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DocumentedAs:
    """Annotated metadata: document a field with `model`'s JSON Schema while validating it as typed.

    Request bodies take section data as a plain object, which the section services validate (see
    section_schemas); the OpenAPI document still shows partners the section's fields.
    """

    model: type[BaseModel]
    nullable: bool = False

    def __get_pydantic_json_schema__(
        self, _core_schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        documented = self.model.__pydantic_core_schema__
        return handler(core_schema.nullable_schema(documented) if self.nullable else documented)


SECTION_DATA_DESCRIPTION = (
    "The section's fields, as an object. Its schema is `<Section>SectionData` for the section in the path "
    "(for example `QualificationsSectionData`); every bad or unknown field is named in the 422 problem."
)


class CaseloadRowOut(Schema):
    id: uuid.UUID
    reference: str
    name: str = Field(
        description=(
            "Empty where the decision point withholds the client's identity from you: a name another "
            "partner recorded is shown only under an agreement and the client's consent (or another basis)."
        )
    )
    date_of_birth: dt.date | None
    postcode: str
    stage: str = Field(description="The latest pipeline stage your organisation recorded, as its label.")
    engagement_status: str
    key_worker: str
    started_on: dt.date

    @classmethod
    def of(cls, row: CaseloadRow) -> CaseloadRowOut:
        return cls(
            id=row.client_id,
            reference=row.reference,
            name=row.name,
            date_of_birth=row.date_of_birth,
            postcode=row.postcode,
            stage=row.stage,
            engagement_status=row.engagement_status,
            key_worker=row.key_worker,
            started_on=row.started_on,
        )


class ClientRegisterIn(Schema):
    identity: Annotated[dict[str, Any], DocumentedAs(SECTION_DATA_MODELS["identity"])] = Field(
        description="The identity section. Errors name its fields as they are (for example `ni_number`)."
    )
    contact: Annotated[dict[str, Any] | None, DocumentedAs(SECTION_DATA_MODELS["contact"], nullable=True)] = Field(
        default=None, description="The contact details section, if known. Errors name its fields `contact.<field>`."
    )
    discoverable: bool = Field(
        default=False, description="Whether other partners' searches may be told this person may be known here."
    )


class ClientRegisteredOut(Schema):
    id: uuid.UUID
    reference: str = Field(description="The partnership's reference, for example CG-7K2M9Q.")
    location: str = Field(description="Where to read the client's record.")


class ItemOut(Schema):
    id: int
    version: int = Field(description="Send this back when changing the item, so that no one's edit is lost.")
    values: dict[str, Any] = Field(description="Stored values: codes as codes, dates as YYYY-MM-DD.")
    display: dict[str, str] = Field(description="The same values as a person reads them: code labels, dates in words.")
    supplied_by: str = Field(description="The organisation that supplied the item (provenance).")
    recorded_at: dt.datetime
    editable: bool = Field(description="Whether your organisation may change it (only the supplier may).")

    # The record read's output is built from the policy layer's own typed views, so it is
    # constructed without validating each field again (a record has a hundred such objects).
    @classmethod
    def of(cls, item: ItemView) -> ItemOut:
        return cls.model_construct(
            id=item.id,
            version=item.version,
            values=json_safe(item.values),
            display=item.display,
            supplied_by=item.supplied_by,
            recorded_at=item.recorded_at,
            editable=item.editable,
        )


class SectionOut(Schema):
    key: str
    label: str
    category: str = Field(description="The data category the decision point judged.")
    multiple: bool = Field(description="True for a list of items; false for one per client.")
    addable: bool = Field(description="Whether items may be added through the API.")
    permitted: bool
    reason: str = Field(description="Why the category is withheld; empty when permitted.")
    items: list[ItemOut]
    withheld: list[str] = Field(description="Within a permitted category: whose items are withheld, and why.")

    @classmethod
    def of(cls, view: SectionView) -> SectionOut:
        return cls.model_construct(
            key=view.key,
            label=view.label,
            category=str(view.category),
            multiple=view.multiple,
            addable=view.addable,
            permitted=view.permitted,
            reason=view.reason,
            items=[ItemOut.of(item) for item in view.items],
            withheld=list(view.withheld),
        )


class WithheldCategoryOut(Schema):
    category: str
    reason: str


class ClientRecordOut(Schema):
    id: uuid.UUID
    reference: str
    display_name: str
    purpose: str = Field(description="The purpose the record was read for (W3C DPV: ServiceProvision).")
    sections: list[SectionOut]
    withheld_categories: list[WithheldCategoryOut] = Field(
        description="Categories withheld from you as a whole, each with the reason."
    )

    @classmethod
    def of(cls, record: ClientRecord) -> ClientRecordOut:
        withheld: dict[str, str] = {}
        for view in record.sections:
            if not view.permitted:
                withheld.setdefault(str(view.category), view.reason)
        return cls.model_construct(
            id=record.client_id,
            reference=record.reference,
            display_name=record.display_name,
            purpose=record.purpose,
            sections=[SectionOut.of(view) for view in record.sections],
            withheld_categories=[
                WithheldCategoryOut.model_construct(category=c, reason=r) for c, r in withheld.items()
            ],
        )


class SectionSaveIn(Schema):
    version: int | None = Field(
        default=None, description="The version you loaded; null (or 0) to create a section that does not exist yet."
    )
    data: dict[str, Any] = Field(description=SECTION_DATA_DESCRIPTION + " Only the fields given are changed.")


class ItemAddIn(Schema):
    data: dict[str, Any] = Field(description=SECTION_DATA_DESCRIPTION)


class ItemChangeIn(Schema):
    version: int = Field(description="The version you loaded.")
    data: dict[str, Any] = Field(description=SECTION_DATA_DESCRIPTION + " Only the fields given are changed.")


class ItemSavedOut(Schema):
    id: int
    version: int = Field(description="The version now saved.")
    section: str
    location: str = Field(description="Where to read the section.")


class HistoryEntryOut(Schema):
    version: int
    changed_at: dt.datetime
    changed_by: str
    change: str = Field(description="Created, Changed or Removed.")
    values: dict[str, str] = Field(description="The values after this change, as a person reads them.")

    @classmethod
    def of(cls, entry: HistoryEntry) -> HistoryEntryOut:
        return cls(
            version=entry.version,
            changed_at=entry.changed_at,
            changed_by=entry.changed_by,
            change=entry.change,
            values=entry.values,
        )


def json_safe(value: Any) -> Any:
    """Stored values as JSON: dates and times as ISO 8601, decimals and UUIDs as strings."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [json_safe(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    return value
