"""Errors are RFC 9457 problems, whatever their cause."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from ceangal.api.errors import problem_type_uri
from ceangal.api.tests.conftest import API, ApiCaller, problem
from ceangal.errors import EditConflict, InvalidInput, NotFound, NotPermitted, ServiceError
from ceangal.partners.models import StaffMember
from ceangal.testing.factories import Personas


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (InvalidInput, 422, "validation-error"),
        (EditConflict, 409, "edit-conflict"),
        (NotPermitted, 403, "not-permitted"),
        (NotFound, 404, "not-found"),
    ],
)
def test_service_errors_have_stable_types(error: type[ServiceError], status: int, slug: str) -> None:
    assert error.status == status
    assert problem_type_uri(error.problem_type) == f"https://ceangal.scot/problems/{slug}"


def test_an_unexpected_error_is_a_500_problem_without_internals(
    personas: Personas, as_key: Callable[[StaffMember], ApiCaller], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**kwargs: object) -> None:
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr("ceangal.policy.selectors.caseload", broken)
    response = as_key(personas.council_worker).get(f"{API}/clients")
    assert response.status_code == 500
    body = problem(response)
    assert body["type"] == "https://ceangal.scot/problems/server-error"
    assert "hunter2" not in response.content.decode()
    assert "RuntimeError" not in response.content.decode()


def test_an_address_that_matches_no_operation_is_a_404_problem(
    personas: Personas, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    response = as_key(personas.council_worker).get(f"{API}/no-such-thing")
    assert response.status_code == 404
    assert problem(response)["type"] == "https://ceangal.scot/problems/not-found"


def test_problem_documents_are_json(personas: Personas, anonymous: ApiCaller) -> None:
    response = anonymous.get(f"{API}/clients")
    assert set(json.loads(response.content)) == {"type", "title", "status", "detail"}


def test_a_method_the_address_does_not_have_is_a_405_problem(
    personas: Personas, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    response = as_key(personas.council_worker).call("DELETE", f"{API}/clients")
    assert response.status_code == 405
    assert problem(response)["type"] == "about:blank"
    assert {m.strip() for m in response["Allow"].split(",")} == {"GET", "POST"}
