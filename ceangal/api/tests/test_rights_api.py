"""/rights-requests: logging a request, the queue, one request with its clock, and the DPO's steps.

The permission matrix (test_permissions) covers who may call each operation; here the behaviour.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable

import pytest
from django.utils import timezone

from ceangal.api.tests.conftest import API, ApiCaller, problem
from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.partners.models import StaffMember
from ceangal.rights.clock import add_months
from ceangal.rights.models import RightsRequest
from ceangal.rights.tests.factories import log_request
from ceangal.testing.factories import Personas, make_client

pytestmark = pytest.mark.django_db
URL = f"{API}/rights-requests"


@pytest.fixture
def client(personas: Personas) -> cm.Client:
    return make_client(personas.council_worker)


def _body(client_id: object, **overrides: object) -> dict[str, object]:
    return {
        "client_id": str(client_id),
        "kind": "access",
        "channel": "email",
        "received_on": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "details": "Send me everything.",
    } | overrides


def test_a_key_worker_logs_a_request_and_sees_its_clock(
    personas: Personas, client: cm.Client, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    worker = as_key(personas.council_worker)
    response = worker.post(URL, _body(client.pk))
    assert response.status_code == 201, response.content
    body = response.json()
    received = timezone.localdate() - dt.timedelta(days=3)
    assert body["status"] == "received"
    assert body["client_reference"] == client.reference
    assert body["due_on"] == add_months(received, 1).isoformat()
    assert body["clock"].startswith(f"Due {add_months(received, 1).day} ")
    assert body["steps"] == []  # the key worker only logs and watches
    assert [e["kind"] for e in body["timeline"]] == ["logged"]
    listed = worker.get(URL).json()
    assert [row["id"] for row in listed] == [body["id"]]
    assert worker.get(f"{URL}/{body['id']}").json()["id"] == body["id"]


def test_a_client_that_does_not_exist_is_404_and_nothing_is_saved(
    personas: Personas, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    response = as_key(personas.council_dpo).post(URL, _body(uuid.uuid4()))
    assert response.status_code == 404
    assert problem(response)["detail"] == "No such client."
    assert not RightsRequest.objects.exists()
    assert not AuditEvent.objects.filter(object_type="rights_request").exists()


def test_bad_input_is_422_naming_the_fields(
    personas: Personas, client: cm.Client, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = as_key(personas.council_worker).post(URL, _body(client.pk, channel="pigeon", received_on=tomorrow))
    assert response.status_code == 422
    assert set(problem(response)["errors"]) == {"channel", "received_on"}
    assert not RightsRequest.objects.exists()


def test_the_dpo_works_a_request_through_its_steps(
    personas: Personas, client: cm.Client, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    request = log_request(personas.council_worker, client.pk)
    dpo = as_key(personas.council_dpo)
    url = f"{URL}/{request.pk}"
    assert set(dpo.get(url).json()["steps"]) >= {"await_identity", "verify_identity", "extend", "refuse"}
    body = dpo.post(f"{url}/await-identity", {"note": "Asked for ID.", "version": 1}).json()
    assert (body["status"], body["paused"]) == ("awaiting_identity", True)
    body = dpo.post(f"{url}/verify-identity", {"method": "photo_id", "version": body["version"]}).json()
    assert (body["status"], body["paused"]) == ("identity_verified", False)
    assert [e["clock"] for e in body["timeline"]] == ["", "start", "end"]
    body = dpo.post(f"{url}/extend", {"months": 2, "reason": "Six partners hold records."}).json()
    assert body["status"] == "extended"
    assert body["due_on"] == add_months(timezone.localdate(), 3).isoformat()
    assert "because Six partners hold records" in body["clock"]
    stale = dpo.post(f"{url}/complete", {"note": "Pack sent.", "version": 1})
    assert stale.status_code == 409
    assert problem(stale)["type"].endswith("edit-conflict")
    body = dpo.post(f"{url}/complete", {"note": "Pack sent."}).json()
    assert body["status"] == "completed"
    assert body["steps"] == []
    assert dpo.get(URL).json() == []
    assert [r["id"] for r in dpo.get(f"{URL}?status=completed").json()] == [str(request.pk)]


def test_a_step_from_the_wrong_status_is_422_and_changes_nothing(
    personas: Personas, client: cm.Client, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    request = log_request(personas.council_worker, client.pk)
    response = as_key(personas.council_dpo).post(f"{URL}/{request.pk}/resume", {})
    assert response.status_code == 422
    assert "status" in problem(response)["errors"]
    request.refresh_from_db()
    assert (request.status, request.version) == ("received", 1)


def test_extension_after_the_first_month_is_refused(
    personas: Personas, client: cm.Client, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    request = log_request(personas.council_worker, client.pk, received_on=timezone.localdate() - dt.timedelta(days=35))
    response = as_key(personas.council_dpo).post(f"{URL}/{request.pk}/extend", {"months": 1, "reason": "Complex."})
    assert response.status_code == 422
    assert "within the first month" in problem(response)["errors"]["status"][0]
    assert as_key(personas.council_dpo).get(URL).json()[0]["overdue"] is True


def test_refusal_names_the_exemption(
    personas: Personas, client: cm.Client, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    request = log_request(personas.council_worker, client.pk, kind="portability")
    dpo = as_key(personas.council_dpo)
    wrong = dpo.post(f"{URL}/{request.pk}/refuse", {"exemption": "public_task_erasure", "note": "No."})
    assert wrong.status_code == 422
    assert "exemption" in problem(wrong)["errors"]
    body = dpo.post(f"{URL}/{request.pk}/refuse", {"exemption": "portability_basis", "note": "Public task."}).json()
    assert (body["status"], body["exemption"]) == ("refused", "portability_basis")


def test_a_complaint_is_acknowledged(
    personas: Personas, client: cm.Client, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    request = log_request(personas.council_worker, client.pk, kind="complaint")
    dpo = as_key(personas.council_dpo)
    row = dpo.get(URL).json()[0]
    assert row["due_on"] == (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    body = dpo.post(f"{URL}/{request.pk}/acknowledge", {"note": "Letter sent."}).json()
    assert body["acknowledged_on"] == timezone.localdate().isoformat()
    assert body["due_on"] is None


def test_a_request_from_the_clients_pages_carries_its_section_or_purpose(
    personas: Personas, client: cm.Client, as_key: Callable[[StaffMember], ApiCaller]
) -> None:
    from ceangal.rights.subject import request_from_client

    dpo = as_key(personas.council_dpo)
    wrong = request_from_client(
        client_id=client.pk, kind="rectification", details="Wrong level.", section="qualifications"
    )
    objects = request_from_client(client_id=client.pk, kind="objection", details="No.", purpose="evaluation")
    logged = log_request(personas.council_worker, client.pk)
    answers = {rq.pk: dpo.get(f"{URL}/{rq.pk}").json() for rq in (wrong, objects, logged)}
    assert (answers[wrong.pk]["section"], answers[wrong.pk]["purpose"]) == ("qualifications", "")
    assert (answers[objects.pk]["section"], answers[objects.pk]["purpose"]) == ("", "evaluation")
    assert (answers[logged.pk]["section"], answers[logged.pk]["purpose"]) == ("", "")
