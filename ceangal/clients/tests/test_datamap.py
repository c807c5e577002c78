from __future__ import annotations

import pytest
from django.apps import apps
from django.core.management import call_command

from ceangal.clients.datamap import category_of, mapped_fields, render_markdown
from ceangal.clients.sections import SECTIONS
from ceangal.reference.categories import CATEGORY_SENSITIVITY, DataCategory


def test_every_field_of_every_client_model_is_mapped_or_bookkeeping():
    unmapped = []
    for model in apps.get_app_config("clients").get_models():
        for field in model._meta.concrete_fields:
            try:
                category_of(model, field.name)
            except KeyError:
                unmapped.append(f"{model._meta.label}.{field.name}")
    assert unmapped == [], f"Add these fields to the data map in clients/sections.py or clients/datamap.py: {unmapped}"


def test_historical_models_are_covered_through_their_base_model():
    historical = [m for m in apps.get_app_config("clients").get_models() if m.__name__.startswith("Historical")]
    assert len(historical) >= len(SECTIONS)
    for model in historical:
        for field in model._meta.concrete_fields:
            category_of(model, field.name)


def test_each_field_maps_to_exactly_one_category():
    seen: dict[tuple[str, str], DataCategory] = {}
    for row in mapped_fields():
        key = (row.model, row.field)
        assert key not in seen, f"{key} is mapped twice"
        seen[key] = row.category


def test_mapped_names_are_real_fields():
    for row in mapped_fields():
        model = apps.get_model(row.model)
        model._meta.get_field(row.field)


def test_every_category_has_a_sensitivity_and_a_section():
    assert set(CATEGORY_SENSITIVITY) == set(DataCategory)
    assert {s.category for s in SECTIONS} == set(DataCategory)


def test_an_unmapped_field_is_caught():
    from ceangal.clients.models import IdentitySection

    with pytest.raises(KeyError, match="not in the data map"):
        category_of(IdentitySection, "shoe_size")


def test_special_category_and_identifier_free_text_is_encrypted():
    encrypted = {(r.model, r.field) for r in mapped_fields() if r.encrypted}
    assert ("clients.IdentitySection", "ni_number") in encrypted
    assert ("clients.HealthCondition", "details") in encrypted
    assert ("clients.Conviction", "offence_summary") in encrypted


def test_docs_data_map_is_current():
    call_command("datamap", "--check")
    assert "ni_number" in render_markdown()
