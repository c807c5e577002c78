"""Callers of the API: anonymous, signed-in staff (session) and partner systems (API key)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from ceangal.clients.services import item_add
from ceangal.partners.models import StaffMember
from ceangal.partners.services import api_key_issue
from ceangal.testing.factories import Personas, make_client

API = "/api/v1"


@dataclass(frozen=True)
class Multipart:
    """A multipart/form-data body (for file uploads) instead of JSON."""

    data: dict[str, Any]


class ApiCaller:
    """A django.test.Client that speaks JSON to the API and returns the response."""

    def __init__(self, client: Client, headers: dict[str, str] | None = None) -> None:
        self.client = client
        self.headers = headers or {}

    def call(self, method: str, url: str, body: Any = None, *, raw: str | None = None) -> Any:
        if isinstance(body, Multipart):
            return getattr(self.client, method.lower())(url, data=body.data, headers=self.headers)
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        kwargs: dict[str, Any] = {"headers": self.headers}
        if data is not None:
            kwargs |= {"data": data, "content_type": "application/json"}
        return getattr(self.client, method.lower())(url, **kwargs)

    def get(self, url: str) -> Any:
        return self.call("GET", url)

    def post(self, url: str, body: Any = None, *, raw: str | None = None) -> Any:
        return self.call("POST", url, body, raw=raw)

    def put(self, url: str, body: Any = None) -> Any:
        return self.call("PUT", url, body)

    def patch(self, url: str, body: Any = None) -> Any:
        return self.call("PATCH", url, body)


def issue_key(staff: StaffMember) -> str:
    _key, secret = api_key_issue(staff_member=staff, name="Partner CMS", created_by=staff.user)
    return secret


@pytest.fixture
def anonymous() -> ApiCaller:
    return ApiCaller(Client())


@pytest.fixture
def as_session() -> Callable[[StaffMember], ApiCaller]:
    def make(staff: StaffMember) -> ApiCaller:
        client = Client()
        client.force_login(staff.user)
        return ApiCaller(client)

    return make


@pytest.fixture
def as_key() -> Callable[[StaffMember], ApiCaller]:
    def make(staff: StaffMember) -> ApiCaller:
        return ApiCaller(Client(), {"Authorization": f"Bearer {issue_key(staff)}"})

    return make


@dataclass
class CouncilCase:
    """A client registered by the council's key worker, with one qualification on record."""

    client_id: uuid.UUID
    qualification_id: int

    @property
    def url(self) -> str:
        return f"{API}/clients/{self.client_id}"


@pytest.fixture
def council_case(personas: Personas) -> CouncilCase:
    client = make_client(personas.council_worker, date_of_birth="1998-04-12")
    qualification = item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "National 5 English", "scqf_level": "SCQF05"},
    )
    return CouncilCase(client_id=client.pk, qualification_id=qualification.pk)


def problem(response: Any) -> dict[str, Any]:
    """The response's problem document, after checking that it is one."""
    assert response["Content-Type"] == "application/problem+json", response.content
    body: dict[str, Any] = json.loads(response.content)
    assert body["type"].startswith("https://ceangal.scot/problems/") or body["type"] == "about:blank"
    assert body["status"] == response.status_code
    assert body["title"]
    assert body["detail"]
    return body
