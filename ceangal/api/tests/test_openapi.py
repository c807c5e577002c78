"""The OpenAPI document and the docs page that renders it."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from ceangal.api.api import api
from ceangal.api.section_schemas import component_name
from ceangal.api.tests.conftest import API, problem
from ceangal.clients.sections import SECTIONS

EXPECTED_OPERATIONS = {
    ("get", "/reference"),
    ("get", "/reference/{key}"),
    ("get", "/clients"),
    ("post", "/clients"),
    ("get", "/clients/{client_id}"),
    ("get", "/clients/{client_id}/sections/{key}"),
    ("put", "/clients/{client_id}/sections/{key}"),
    ("post", "/clients/{client_id}/sections/{key}/items"),
    ("patch", "/clients/{client_id}/sections/{key}/items/{item_id}"),
    ("get", "/clients/{client_id}/sections/{key}/items/{item_id}/history"),
    ("get", "/clients/{client_id}/consents"),
    ("post", "/clients/{client_id}/consents"),
    ("post", "/clients/{client_id}/consents/refusals"),
    ("post", "/clients/{client_id}/consents/{record_id}/withdraw"),
    ("get", "/clients/{client_id}/consents/{record_id}/export/{fmt}"),
    ("post", "/clients/{client_id}/break-glass"),
    ("get", "/clients/{client_id}/services"),
    ("post", "/clients/search"),
    ("put", "/clients/{client_id}/discoverable"),
    ("post", "/clients/{client_id}/merge"),
    ("get", "/agreements"),
    ("post", "/agreements"),
    ("get", "/agreements/{version_id}"),
    ("post", "/agreements/{version_id}/versions"),
    ("post", "/agreements/{version_id}/sign"),
    ("post", "/agreements/{version_id}/status"),
    ("get", "/notices"),
    ("post", "/notices"),
    ("get", "/notices/{notice_id}"),
    ("post", "/notices/{notice_id}/publish"),
    ("get", "/break-glass"),
    ("post", "/break-glass/{grant_id}/review"),
    ("get", "/ledger"),
    ("get", "/ledger/export.csv"),
    ("post", "/consents/{record_id}/evidence"),
    ("get", "/consents/{record_id}/evidence"),
    ("get", "/consents"),
    ("get", "/consents/{record_id}"),
    ("get", "/directory"),
    ("post", "/directory"),
    ("get", "/directory/hsds"),
    ("post", "/directory/hsds"),
    ("get", "/directory/{service_id}"),
    ("put", "/directory/{service_id}"),
    ("post", "/directory/{service_id}/retire"),
    ("get", "/me/notification-preferences"),
    ("put", "/me/notification-preferences"),
    ("get", "/webhooks/events"),
    ("get", "/webhooks"),
    ("post", "/webhooks"),
    ("get", "/webhooks/{webhook_id}"),
    ("delete", "/webhooks/{webhook_id}"),
    ("post", "/webhooks/{webhook_id}/secret"),
    ("post", "/webhooks/{webhook_id}/ping"),
    ("get", "/webhooks/{webhook_id}/deliveries"),
    ("get", "/referrals"),
    ("post", "/referrals"),
    ("get", "/referrals/{referral_id}"),
    ("get", "/referrals/{referral_id}/preview"),
    ("post", "/referrals/{referral_id}/send"),
    ("post", "/referrals/{referral_id}/accept"),
    ("post", "/referrals/{referral_id}/decline"),
    ("post", "/referrals/{referral_id}/request-information"),
    ("post", "/referrals/{referral_id}/give-information"),
    ("post", "/referrals/{referral_id}/withdraw"),
    ("post", "/referrals/{referral_id}/start"),
    ("post", "/referrals/{referral_id}/complete"),
    ("get", "/referrals/{referral_id}/messages"),
    ("get", "/messages"),
    ("post", "/messages"),
    ("get", "/provision-gaps"),
    ("post", "/provision-gaps"),
    ("get", "/rights-requests"),
    ("post", "/rights-requests"),
    ("get", "/rights-requests/{request_id}"),
    ("post", "/rights-requests/{request_id}/await-identity"),
    ("post", "/rights-requests/{request_id}/verify-identity"),
    ("post", "/rights-requests/{request_id}/await-clarification"),
    ("post", "/rights-requests/{request_id}/resume"),
    ("post", "/rights-requests/{request_id}/extend"),
    ("post", "/rights-requests/{request_id}/complete"),
    ("post", "/rights-requests/{request_id}/refuse"),
    ("post", "/rights-requests/{request_id}/acknowledge"),
    ("post", "/rights-requests/{request_id}/withdraw"),
    ("post", "/rights-requests/{request_id}/pack"),
    ("get", "/rights-requests/{request_id}/pack"),
    ("post", "/rights-requests/{request_id}/pack/flags/{flag_id}"),
    ("post", "/rights-requests/{request_id}/pack/release"),
    ("get", "/rights-requests/{request_id}/pack/{fmt}"),
    ("post", "/rights-requests/{request_id}/rectify"),
    ("get", "/rights-requests/{request_id}/erasure-plan"),
    ("post", "/rights-requests/{request_id}/erase"),
    ("post", "/rights-requests/{request_id}/restrict"),
    ("post", "/rights-requests/{request_id}/restriction/lift"),
    ("post", "/rights-requests/{request_id}/objection"),
    ("post", "/rights-requests/{request_id}/objection/compelling-grounds"),
    ("get", "/legal-holds"),
    ("post", "/legal-holds"),
    ("post", "/legal-holds/{hold_id}/lift"),
    ("get", "/recipient-notices"),
    ("post", "/recipient-notices/{notice_id}/read"),
}


def _document() -> Any:
    response = Client().get(f"{API}/openapi.json")
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_document_is_openapi_3_1_json_listing_every_operation() -> None:
    document = _document()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] == "Ceangal API"
    assert document["info"]["version"] == "1"
    listed = {(method, path.removeprefix(API)) for path, ops in document["paths"].items() for method in ops}
    assert listed == EXPECTED_OPERATIONS


def test_the_document_is_valid_openapi() -> None:
    # openapi-spec-validator is not a dependency yet; once it is, this runs everywhere.
    validator = pytest.importorskip("openapi_spec_validator")
    validator.validate(_document())


def test_every_operation_in_the_routers_is_in_the_document() -> None:
    document = _document()
    operation_ids = {op["operationId"] for ops in document["paths"].values() for op in ops.values()}
    routed = {
        operation.view_func.__name__
        for bound in api._get_bound_routers()
        for path_view in bound.path_operations.values()
        for operation in path_view.operations
    }
    assert routed == operation_ids


def test_every_operation_needs_authentication_and_documents_its_problems() -> None:
    for path, operations in _document()["paths"].items():
        for method, operation in operations.items():
            assert {"ApiKeyAuth": []} in operation["security"], (method, path)
            assert "401" in operation["responses"], (method, path)
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    assert list(response["content"]) == ["application/problem+json"], (method, path, status)


def test_each_section_has_a_documented_data_schema() -> None:
    schemas = _document()["components"]["schemas"]
    for spec in SECTIONS:
        schema = schemas[component_name(spec)]
        assert schema["additionalProperties"] is False
        assert set(schema["properties"]) == set(spec.field_names)
        for field in spec.fields:
            prop = schema["properties"][field.name]
            assert prop["description"].startswith(field.label)
            if field.code_list:
                assert prop["x-code-list"] == field.code_list
                assert field.code_list in prop["description"]


def test_docs_page_loads_nothing_from_another_host() -> None:
    response = Client().get(f"{API}/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert not re.search(r"(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}", html, re.IGNORECASE), "external URL in the docs page"
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    # No inline script: only data blocks and scripts from this host.
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert 'type="application/json"' in tag or re.search(r'src="/[^/]', tag), tag
    assert f"{API}/openapi.json" in html


def test_docs_page_assets_are_served_from_this_host() -> None:
    html = Client().get(f"{API}/docs").content.decode()
    assets = re.findall(r'(?:src|href)="(/[^"]+)"', html)
    assert len([a for a in assets if a.endswith((".js", ".css"))]) == 3
    for url in assets:
        response = Client().get(url)
        assert response.status_code == 200, url
        assert response.getvalue()


@pytest.mark.parametrize("name", ["..%2Fsettings.py", "swagger-ui-bundle.js.map", "redoc.standalone.js"])
def test_only_the_listed_docs_assets_are_served(name: str) -> None:
    response = Client().get(f"{API}/docs/assets/{name}")
    assert response.status_code == 404
    problem(response)
