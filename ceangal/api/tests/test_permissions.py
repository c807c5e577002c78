"""The permission matrix: every operation in the OpenAPI document, for every kind of caller.

The operations come from the schema itself, so a new endpoint is in the matrix the moment it
exists; it only needs a request in REQUESTS (a test fails until it has one).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from ceangal.api.api import api
from ceangal.api.tests.conftest import API, ApiCaller, CouncilCase, issue_key, problem
from ceangal.partners.models import ApiKey, StaffMember
from ceangal.partners.services import api_key_revoke
from ceangal.testing.factories import Personas, identity_data

SCHEMA = api.get_openapi_schema(path_prefix=API + "/")
OPERATIONS = sorted((method.upper(), path) for path, ops in SCHEMA["paths"].items() for method in ops)

# One valid request per operation: (path parameters, JSON body). `client_id` is filled in by the test.
Request = Callable[[CouncilCase], tuple[dict[str, Any], Any]]
REQUESTS: dict[tuple[str, str], Request] = {
    ("GET", "/reference"): lambda case: ({}, None),
    ("GET", "/reference/{key}"): lambda case: ({"key": "local_authority"}, None),
    ("GET", "/clients"): lambda case: ({}, None),
    ("POST", "/clients"): lambda case: ({}, {"identity": identity_data()}),
    ("GET", "/clients/{client_id}"): lambda case: ({}, None),
    ("GET", "/clients/{client_id}/sections/{key}"): lambda case: ({"key": "qualifications"}, None),
    ("PUT", "/clients/{client_id}/sections/{key}"): lambda case: (
        {"key": "contact"},
        {"version": None, "data": {"email": "morag@example.org"}},
    ),
    ("POST", "/clients/{client_id}/sections/{key}/items"): lambda case: (
        {"key": "qualifications"},
        {"data": {"title": "Higher Maths", "scqf_level": "SCQF06"}},
    ),
    ("PATCH", "/clients/{client_id}/sections/{key}/items/{item_id}"): lambda case: (
        {"key": "qualifications", "item_id": case.qualification_id},
        {"version": 1, "data": {"verified": True}},
    ),
    ("GET", "/clients/{client_id}/sections/{key}/items/{item_id}/history"): lambda case: (
        {"key": "qualifications", "item_id": case.qualification_id},
        None,
    ),
}


def _is_client_path(path: str) -> bool:
    return "{client_id}" in path


def _request(method: str, path: str, case: CouncilCase, client_id: object | None = None) -> tuple[str, Any]:
    params, body = REQUESTS[(method, path.removeprefix(API))](case)
    params = {"client_id": client_id or case.client_id, **params}
    return path.format(**params), body


def test_every_operation_has_a_request_in_the_matrix() -> None:
    assert OPERATIONS, "the schema lists no operations"
    missing = {(m, p.removeprefix(API)) for m, p in OPERATIONS} - set(REQUESTS)
    assert not missing, f"add these operations to REQUESTS: {sorted(missing)}"


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_anonymous_gets_401(method: str, path: str, council_case: CouncilCase, anonymous: ApiCaller) -> None:
    url, body = _request(method, path, council_case)
    response = anonymous.call(method, url, body)
    assert response.status_code == 401
    assert problem(response)["type"] == "https://ceangal.scot/problems/authentication-required"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
@pytest.mark.parametrize("via", ["session", "key"])
def test_permitted_staff_succeed(
    method: str,
    path: str,
    via: str,
    personas: Personas,
    council_case: CouncilCase,
    as_session: Callable[[StaffMember], ApiCaller],
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    caller = (as_session if via == "session" else as_key)(personas.council_worker)
    url, body = _request(method, path, council_case)
    response = caller.call(method, url, body)
    assert 200 <= response.status_code < 300, response.content
    json.loads(response.content)


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if _is_client_path(op[1])])
def test_outsider_sees_the_same_404_as_for_a_client_that_does_not_exist(
    method: str,
    path: str,
    personas: Personas,
    council_case: CouncilCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    outsider = as_key(personas.outsider)
    url, body = _request(method, path, council_case)
    forbidden = outsider.call(method, url, body)
    url, body = _request(method, path, council_case, client_id=uuid.uuid4())
    missing = outsider.call(method, url, body)
    assert forbidden.status_code == missing.status_code == 404
    assert problem(forbidden) == problem(missing)


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if not _is_client_path(op[1])])
def test_outsider_may_use_operations_that_name_no_client(
    method: str,
    path: str,
    personas: Personas,
    council_case: CouncilCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, council_case)
    response = as_key(personas.outsider).call(method, url, body)
    assert 200 <= response.status_code < 300
    if method == "GET" and path == f"{API}/clients":
        assert json.loads(response.content) == [], "an outsider's caseload must not hold the council's client"


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_inactive_staff_are_refused(
    method: str,
    path: str,
    personas: Personas,
    council_case: CouncilCase,
    as_session: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, council_case)
    response = as_session(personas.inactive).call(method, url, body)
    assert response.status_code in (401, 403)
    problem(response)


def test_inactive_staff_keys_are_refused(personas: Personas) -> None:
    secret = issue_key(personas.inactive)
    response = ApiCaller(Client(), {"Authorization": f"Bearer {secret}"}).get(f"{API}/clients")
    assert response.status_code == 401
    problem(response)


def test_staff_whose_account_is_deactivated_after_sign_in_are_refused(
    personas: Personas, as_session: Callable[[StaffMember], ApiCaller]
) -> None:
    caller = as_session(personas.council_worker)
    StaffMember.objects.filter(pk=personas.council_worker.pk).update(active=False)
    response = caller.get(f"{API}/clients")
    assert response.status_code == 401
    assert "not active" in problem(response)["detail"]


@pytest.mark.parametrize(("method", "path"), [op for op in OPERATIONS if _is_client_path(op[1])])
def test_staff_with_lapsed_training_are_told_to_renew_it(
    method: str,
    path: str,
    personas: Personas,
    council_case: CouncilCase,
    as_key: Callable[[StaffMember], ApiCaller],
) -> None:
    url, body = _request(method, path, council_case)
    response = as_key(personas.untrained).call(method, url, body)
    # Their organisation works with the client, so saying why reveals nothing new.
    assert response.status_code == 403
    assert "training" in problem(response)["detail"]


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_revoked_key_gets_401(method: str, path: str, personas: Personas, council_case: CouncilCase) -> None:
    secret = issue_key(personas.council_worker)
    api_key_revoke(key=ApiKey.objects.get(staff_member=personas.council_worker), by=personas.council_worker.user)
    url, body = _request(method, path, council_case)
    response = ApiCaller(Client(), {"Authorization": f"Bearer {secret}"}).call(method, url, body)
    assert response.status_code == 401
    assert "revoked" in problem(response)["detail"]


def test_expired_and_unknown_keys_get_401(personas: Personas) -> None:
    secret = issue_key(personas.council_worker)
    ApiKey.objects.filter(staff_member=personas.council_worker).update(expires_at=timezone.now())
    for token in (secret, "cgl_00000000_not-a-key", "not-even-the-format"):
        response = ApiCaller(Client(), {"Authorization": f"Bearer {token}"}).get(f"{API}/clients")
        assert response.status_code == 401
        problem(response)


def test_a_bad_key_is_refused_even_beside_a_good_session(
    personas: Personas, as_session: Callable[[StaffMember], ApiCaller]
) -> None:
    caller = as_session(personas.council_worker)
    caller.headers = {"Authorization": "Bearer cgl_00000000_not-a-key"}
    assert caller.get(f"{API}/clients").status_code == 401


def test_a_user_without_a_staff_record_gets_401(django_user_model: Any, anonymous: ApiCaller) -> None:
    user = django_user_model.objects.create_user(username="visitor", email="visitor@example.org", password="x")
    anonymous.client.force_login(user)
    response = anonymous.get(f"{API}/clients")
    assert response.status_code == 401
    assert "not a staff member" in problem(response)["detail"]


def test_session_writes_need_the_csrf_token_but_key_writes_do_not(
    personas: Personas, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(personas.council_worker.user)
    body = json.dumps({"identity": identity_data()})
    refused = browser.post(f"{API}/clients", body, content_type="application/json")
    assert refused.status_code == 403
    assert problem(refused)["type"] == "https://ceangal.scot/problems/csrf-failed"

    browser.get(f"{API}/docs")  # sets the CSRF cookie, as the docs page does for "Try it out"
    token = browser.cookies["csrftoken"].value
    accepted = browser.post(f"{API}/clients", body, content_type="application/json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.content

    partner = as_key(personas.council_worker)
    partner.client = Client(enforce_csrf_checks=True)
    assert partner.post(f"{API}/clients", {"identity": identity_data()}).status_code == 201


def test_anonymous_writes_get_401_not_a_csrf_error() -> None:
    response = Client(enforce_csrf_checks=True).post(f"{API}/clients", "{}", content_type="application/json")
    assert response.status_code == 401
