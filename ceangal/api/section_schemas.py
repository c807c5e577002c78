"""OpenAPI documentation of each section's `data`, generated from clients.sections.SECTIONS.

These models document; they do not validate. The section services validate `data` themselves
(clients.validation.clean_section), naming every bad or unknown field at once in people's words,
and the API passes that on unchanged. Validating here first as well would give two sets of rules
and two styles of message, so request bodies carry `data` as a plain object and these models sit
in components/schemas, one per section, referenced from the operations' descriptions.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from ceangal.clients.sections import SECTIONS, FieldSpec, Kind, SectionSpec

REF_PREFIX = "#/components/schemas/"


def component_name(spec: SectionSpec) -> str:
    """identity -> IdentitySectionData, support_needs -> SupportNeedsSectionData."""
    return "".join(part.capitalize() for part in spec.key.split("_")) + "SectionData"


def component_ref(spec: SectionSpec) -> str:
    return REF_PREFIX + component_name(spec)


_TEXT_KINDS = {Kind.TEXT, Kind.LONG_TEXT, Kind.EMAIL, Kind.PHONE, Kind.POSTCODE, Kind.NI_NUMBER}


def _description(spec: FieldSpec) -> str:
    parts = [spec.label + "."]
    if spec.hint:
        parts.append(spec.hint)
    if spec.kind in {Kind.CODE, Kind.CODES}:
        many = "One or more codes" if spec.kind == Kind.CODES else "A code"
        parts.append(f"{many} from the '{spec.code_list}' code list (GET /api/v1/reference/{spec.code_list}).")
    if spec.kind == Kind.CHOICE:
        parts.append("One of: " + ", ".join(f"'{value}' ({label})" for value, label in spec.choices) + ".")
    if spec.kind == Kind.DATE:
        parts.append("YYYY-MM-DD." + (" Not in the future." if spec.not_future else ""))
    if spec.required:
        parts.append("Required when the section or item is created.")
    return " ".join(parts)


def _field(spec: FieldSpec) -> tuple[Any, Any]:
    extra: dict[str, Any] = {}
    constraints: dict[str, Any] = {}
    annotation: Any
    if spec.kind in _TEXT_KINDS:
        annotation = str
        constraints["max_length"] = spec.max_length
        if spec.kind == Kind.EMAIL:
            extra["format"] = "email"
    elif spec.kind == Kind.DATE:
        annotation = dt.date
    elif spec.kind == Kind.INTEGER:
        annotation = int
        constraints.update(ge=spec.minimum, le=spec.maximum)
    elif spec.kind == Kind.BOOLEAN:
        annotation = bool
    elif spec.kind == Kind.CODES:
        annotation = list[str]
        extra["x-code-list"] = spec.code_list
    elif spec.kind == Kind.CODE:
        annotation = str
        extra["x-code-list"] = spec.code_list
    elif spec.kind == Kind.CHOICE:
        annotation = str
        # null is listed too: it is the default, and means blank (refused where the field is required).
        extra["enum"] = [*(value for value, _label in spec.choices), None]
    else:  # pragma: no cover - a new Kind must be documented here
        raise AssertionError(f"No API schema for field kind {spec.kind}")
    return (
        annotation | None,
        Field(
            default=None,
            title=spec.label,
            description=_description(spec),
            json_schema_extra=extra or None,
            **constraints,
        ),
    )


def section_data_model(spec: SectionSpec) -> type[BaseModel]:
    how = (
        "Items are added with POST .../items and changed with PATCH .../items/{item_id}."
        if spec.multiple
        else "One per client: created and changed with PUT .../sections/" + spec.key + "."
    )
    doc = f"{spec.label} ({spec.category.label}). {spec.description} {how} Unknown fields are refused."
    fields: dict[str, Any] = {f.name: _field(f) for f in spec.fields}
    model: type[BaseModel] = create_model(
        component_name(spec),
        __config__=ConfigDict(extra="forbid", title=component_name(spec)),
        __doc__=" ".join(doc.split()),
        **fields,
    )
    return model


SECTION_DATA_MODELS: dict[str, type[BaseModel]] = {spec.key: section_data_model(spec) for spec in SECTIONS}


def section_data_components() -> dict[str, Any]:
    """The JSON Schemas to add under components/schemas, one per section."""
    return {
        component_name(spec): SECTION_DATA_MODELS[spec.key].model_json_schema(ref_template=REF_PREFIX + "{model}")
        for spec in SECTIONS
    }


def sections_table() -> str:
    """A Markdown list of sections for operation descriptions: key, kind and schema."""
    lines = []
    for spec in SECTIONS:
        shape = "list of items" if spec.multiple else "one per client"
        lines.append(f"- `{spec.key}`: {spec.label}, {shape}; `data` is the schema `{component_name(spec)}`")
    return "\n".join(lines)
