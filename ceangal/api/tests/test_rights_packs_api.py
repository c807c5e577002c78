"""/rights-requests/{id}/pack: gather (202 and Location), poll, decide flags, release, download;
bad input as problem documents."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from ceangal.api.tests.conftest import API, ApiCaller, problem
from ceangal.partners.models import StaffMember
from ceangal.rights.models import PackStatus, RequestStatus
from ceangal.rights.tests.factories import log_request
from ceangal.rights.tests.packs_world import CONTACT_NOTE, PackWorld, make_pack_world, ready_request
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw(personas: Personas) -> PackWorld:
    return make_pack_world(personas)


def test_the_dpo_gathers_reviews_and_releases_through_the_api(
    personas: Personas,
    pw: PackWorld,
    as_key: Callable[[StaffMember], ApiCaller],
    django_capture_on_commit_callbacks: Any,
) -> None:
    dana = as_key(personas.council_dpo)
    request = ready_request(personas, pw.client)
    base = f"{API}/rights-requests/{request.pk}/pack"
    with django_capture_on_commit_callbacks(execute=True):
        started = dana.post(base)
    assert started.status_code == 202, started.content
    assert started["Location"] == base
    assert json.loads(started.content)["status"] == "queued"
    pack = json.loads(dana.get(base).content)
    assert pack["status"] == "ready_for_review"
    assert pack["done"] == pack["total"] == 4
    assert pack["formats"] == ["html", "pdf", "json"]
    note_flag = next(f for f in pack["flags"] if f["text"] == CONTACT_NOTE)
    assert note_flag["reason"] == "free_text"
    refused = dana.post(f"{base}/release", {})
    assert refused.status_code == 422
    assert any(key.startswith("flag-") for key in problem(refused)["errors"])
    for flag in pack["flags"]:
        decision = "redact" if flag["id"] == note_flag["id"] else "release"
        decided = dana.post(f"{base}/flags/{flag['id']}", {"decision": decision, "reason": "Checked."})
        assert decided.status_code == 200, decided.content
    released = dana.post(f"{base}/release", {"complete": True})
    assert released.status_code == 200, released.content
    body = json.loads(released.content)
    assert body["status"] == PackStatus.RELEASED
    assert set(body["sha256"]) == {"html", "pdf", "json"}
    request.refresh_from_db()
    assert request.status == RequestStatus.COMPLETED
    copy = dana.get(f"{base}/json")
    assert copy["Content-Type"] == "application/json"
    content = json.loads(copy.content)
    assert content["schema_version"] == 1
    assert CONTACT_NOTE not in copy.content.decode()
    assert dana.get(f"{base}/pdf").content.startswith(b"%PDF")


def test_bad_input_is_a_problem_and_changes_nothing(
    personas: Personas,
    pw: PackWorld,
    as_key: Callable[[StaffMember], ApiCaller],
    django_capture_on_commit_callbacks: Any,
) -> None:
    dana = as_key(personas.council_dpo)
    unverified = log_request(personas.council_dpo, pw.client.pk)
    response = dana.post(f"{API}/rights-requests/{unverified.pk}/pack")
    assert response.status_code == 422
    assert problem(response)["errors"] == {
        "status": ["Verify the client's identity before gathering their information."]
    }
    assert dana.get(f"{API}/rights-requests/{unverified.pk}/pack").status_code == 404
    request = ready_request(personas, pw.client)
    base = f"{API}/rights-requests/{request.pk}/pack"
    with django_capture_on_commit_callbacks(execute=True):
        dana.post(base)
    unknown = dana.get(f"{base}/docx")
    assert unknown.status_code == 422
    assert list(problem(unknown)["errors"]) == ["format"]
    flag_id = json.loads(dana.get(base).content)["flags"][0]["id"]
    bad = dana.post(f"{base}/flags/{flag_id}", {"decision": "redact", "reason": ""})
    assert bad.status_code == 422
    assert list(problem(bad)["errors"]) == ["reason"]
    assert dana.post(f"{base}/flags/999999", {"decision": "redact", "reason": "x"}).status_code == 404


def test_staff_other_than_the_dpo_are_refused(
    personas: Personas, pw: PackWorld, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    request = ready_request(personas, pw.client)
    response = as_key(personas.council_worker).post(f"{API}/rights-requests/{request.pk}/pack")
    assert response.status_code == 403
    assert "data protection officer" in problem(response)["detail"]
