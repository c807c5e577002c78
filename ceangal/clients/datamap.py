"""The one data map: every personal-data field of every client model, with its data category.

Section models are mapped by their spec in clients.sections; the client and engagement models
here. Provenance and bookkeeping fields are listed as such, so that a test can prove that every
field of every client model is accounted for, and `manage.py datamap` writes docs/data-map.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from ceangal.clients import models as m
from ceangal.clients.sections import SECTIONS
from ceangal.reference.categories import DataCategory, Sensitivity, sensitivity_of

# Fields that say who supplied an item and when, or are keys and versions: not about the person.
PROVENANCE_FIELDS = frozenset({"id", "client", "supplied_by", "recorded_by", "recorded_at", "updated_at", "version"})
# Fields that django-simple-history adds to each historical model.
HISTORY_FIELDS = frozenset(
    {"history_id", "history_date", "history_change_reason", "history_type", "history_user", "history_relation"}
)


@dataclass(frozen=True)
class MappedField:
    model: str
    field: str
    category: DataCategory
    sensitivity: Sensitivity
    encrypted: bool
    section: str


_EXTRA: dict[type[models.Model], tuple[DataCategory, tuple[str, ...], frozenset[str]]] = {
    # model: (category, personal fields, bookkeeping fields)
    m.Client: (
        DataCategory.IDENTITY,
        # Whether the client restricted processing or objected to purposes: their choices about
        # their record, held with who they are.
        ("reference", "discoverable", "processing_restricted", "objected_purposes"),
        frozenset({"registered_by", "registered_at", "merged_into", "merged_at", "erased_at"}),
    ),
    # The history of those choices (clients.restrictions): what the client and the DPO said, and when.
    m.ProcessingRestriction: (
        DataCategory.IDENTITY,
        ("reason", "started_at", "lifted_at", "client_told_on", "lift_note"),
        frozenset({"started_by", "lifted_by", "request_id"}),
    ),
    m.Objection: (
        DataCategory.IDENTITY,
        ("purpose", "made_on", "grounds", "compelling_grounds", "ended_at", "end_note"),
        frozenset({"recorded_by", "grounds_recorded_by", "grounds_recorded_at", "request_id"}),
    ),
    # Rights bookkeeping (rights.actions): that an organisation was told of a correction, erasure
    # or restriction, and the legal holds on a record. Names of fields and categories, never values;
    # a hold's reason may say why the client's data is needed, so it is encrypted.
    m.RecipientNotice: (
        DataCategory.IDENTITY,
        ("kind", "category", "fields_changed", "sent_at"),
        frozenset({"organisation", "request_id", "read_at", "read_by"}),
    ),
    m.LegalHold: (
        DataCategory.IDENTITY,
        ("reason", "reference", "placed_at", "lifted_at", "lift_note"),
        frozenset({"placed_by", "lifted_by"}),
    ),
    # What an erasure removed, as counts: no personal data, all bookkeeping.
    m.ErasureRecord: (
        DataCategory.IDENTITY,
        (),
        frozenset({"request_id", "carried_out_by", "carried_out_at", "full", "counts", "exemptions"}),
    ),
    # A keyed hash of identity fields (clients.matching): pseudonymised identity data.
    m.MatchKey: (DataCategory.IDENTITY, ("digest",), frozenset({"kind"})),
    # That a person is engaged with, say, a justice service is itself part of their journey.
    m.Engagement: (
        DataCategory.JOURNEY,
        ("status", "key_worker", "started_on", "closed_on", "closure_reason"),
        # packet_categories names the categories a waiting referral carries: bookkeeping for the decision.
        frozenset({"organisation", "created_at", "packet_categories"}),
    ),
}


def _is_encrypted(model: type[models.Model], name: str) -> bool:
    from ceangal.crypto import EncryptedTextField

    return isinstance(model._meta.get_field(name), EncryptedTextField)


def mapped_fields() -> list[MappedField]:
    rows: list[MappedField] = []
    for spec in SECTIONS:
        for name in (*spec.field_names, *spec.derived_fields):
            rows.append(
                MappedField(
                    model=spec.model._meta.label,
                    field=name,
                    category=spec.category,
                    sensitivity=sensitivity_of(spec.category),
                    encrypted=_is_encrypted(spec.model, name),
                    section=spec.key,
                )
            )
    for model, (category, names, _bookkeeping) in _EXTRA.items():
        for name in names:
            rows.append(
                MappedField(
                    model=model._meta.label,
                    field=name,
                    category=category,
                    sensitivity=sensitivity_of(category),
                    encrypted=_is_encrypted(model, name),
                    section="",
                )
            )
    return rows


def category_of(model: type[models.Model], field_name: str) -> DataCategory | None:
    """The category of a field, None for a bookkeeping field; KeyError for an unmapped one."""
    base: type[models.Model] = getattr(model, "instance_type", model)  # historical models point at their base
    if field_name in PROVENANCE_FIELDS or field_name in HISTORY_FIELDS:
        return None
    if base in _EXTRA:
        category, names, bookkeeping = _EXTRA[base]
        if field_name in bookkeeping:
            return None
        if field_name in names:
            return category
    for spec in SECTIONS:
        if spec.model is base and field_name in (*spec.field_names, *spec.derived_fields):
            return spec.category
    raise KeyError(f"{base._meta.label}.{field_name} is not in the data map.")


def render_markdown() -> str:
    rows = mapped_fields()
    lines = [
        "# Data map",
        "",
        "Generated by `manage.py datamap --write` from `ceangal/clients/sections.py` and",
        "`ceangal/clients/datamap.py`; do not edit by hand. A test fails when a client-data field is",
        "not mapped, or when this file is out of date.",
        "",
        "## Categories",
        "",
        "| category | code | sensitivity |",
        "|---|---|---|",
    ]
    for category in DataCategory:
        lines.append(f"| {category.label} | `{category.value}` | {sensitivity_of(category).label} |")
    lines += [
        "",
        "## Fields",
        "",
        "| model | field | category | sensitivity | stored encrypted |",
        "|---|---|---|---|---|",
    ]
    for row in sorted(rows, key=lambda r: (list(DataCategory).index(r.category), r.model, r.field)):
        lines.append(
            f"| `{row.model}` | `{row.field}` | {row.category.label} | {row.sensitivity.label} | "
            f"{'yes' if row.encrypted else 'no'} |"
        )
    lines += [
        "",
        "Every item also records the organisation that supplied it (`supplied_by`), who recorded it",
        "(`recorded_by`) and when (`recorded_at`, `updated_at`), and keeps its history.",
        "",
    ]
    return "\n".join(lines)
