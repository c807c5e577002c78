"""GET /ledger and /ledger/export.csv: the DPO's search of the access ledger."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from ceangal.api.tests.conftest import API, ApiCaller, problem
from ceangal.audit.models import AuditEvent
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.selectors import client_record
from ceangal.testing.factories import Personas, make_client, make_organisation, make_partnership, make_staff

pytestmark = pytest.mark.django_db

LEDGER = f"{API}/ledger"
EXPORT = f"{API}/ledger/export.csv"
Caller = Callable[[StaffMember], ApiCaller]


def _read(actor: StaffMember, client: Any) -> None:
    client_record(actor=actor, client_id=client.pk, purpose="support_coordination")


def _entries(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    body: list[dict[str, Any]] = json.loads(response.content)
    return body


@pytest.fixture
def morag(personas: Personas) -> Any:
    client = make_client(personas.council_worker, given_name="Morag", family_name="Macleod")
    _read(personas.council_worker, client)
    return client


@pytest.fixture
def elsewhere() -> tuple[StaffMember, StaffMember, Any]:
    partnership = make_partnership("Another Partnership")
    organisation = make_organisation(partnership, "Far Away Works")
    worker = make_staff(organisation, Role.KEY_WORKER, first_name="Farah")
    dpo = make_staff(organisation, Role.DPO, first_name="Fergus")
    client = make_client(worker, given_name="Fiona", family_name="Faraway")
    _read(worker, client)
    return worker, dpo, client


def test_the_dpo_sees_an_entry_written_by_a_real_read(personas: Personas, morag: Any, as_key: Caller) -> None:
    [entry] = _entries(as_key(personas.council_dpo).get(f"{LEDGER}?client_id={morag.pk}"))
    assert entry["client_id"] == str(morag.pk)
    assert entry["staff_id"] == personas.council_worker.pk
    assert entry["staff_name"] == personas.council_worker.display_name
    assert entry["organisation_id"] == personas.council.pk
    assert entry["purpose"] == "support_coordination"
    assert entry["channel"] == "page"
    assert entry["categories"]
    assert {basis["kind"] for basis in entry["bases"]} == {"own"}
    assert len(entry["entry_hash"]) == 64


def test_filters_by_client_date_and_channel(personas: Personas, morag: Any, as_key: Caller) -> None:
    other = make_client(personas.council_worker, given_name="Ewan", family_name="Other")
    _read(personas.council_worker, other)
    dpo = as_key(personas.council_dpo)
    today = timezone.localdate()

    assert {e["client_id"] for e in _entries(dpo.get(f"{LEDGER}?client_id={morag.pk}"))} == {str(morag.pk)}
    both = _entries(dpo.get(f"{LEDGER}?date_from={today.isoformat()}&date_to={today.isoformat()}"))
    assert {e["client_id"] for e in both} == {str(morag.pk), str(other.pk)}
    assert both[0]["client_id"] == str(other.pk), "newest first"
    tomorrow = today + dt.timedelta(days=1)
    assert _entries(dpo.get(f"{LEDGER}?date_from={tomorrow.isoformat()}")) == []
    assert _entries(dpo.get(f"{LEDGER}?channel=api")) == []
    assert len(_entries(dpo.get(f"{LEDGER}?limit=1"))) == 1
    assert len(_entries(dpo.get(f"{LEDGER}?organisation_id={personas.council.pk}"))) == 2
    assert _entries(dpo.get(f"{LEDGER}?organisation_id={personas.college.pk}")) == []


def test_bad_filters_are_one_422_problem(
    personas: Personas, elsewhere: tuple[StaffMember, StaffMember, Any], as_key: Caller
) -> None:
    worker, _dpo, _client = elsewhere
    response = as_key(personas.council_dpo).get(
        f"{LEDGER}?channel=fax&organisation_id={worker.organisation_id}&date_from=2026-03-02&date_to=2026-03-01"
    )
    assert response.status_code == 422
    assert set(problem(response)["errors"]) == {"query.channel", "query.organisation_id", "query.date_to"}
    response = as_key(personas.council_dpo).get(f"{LEDGER}?client_id=CG-7K2M9Q")
    assert response.status_code == 422
    problem(response)


def test_csv_export_has_a_header_and_is_audited(personas: Personas, morag: Any, as_key: Caller) -> None:
    response = as_key(personas.council_dpo).get(f"{EXPORT}?client_id={morag.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("at,entry_id,staff_id,staff_name,organisation_id")
    assert len(lines) == 2
    assert str(morag.pk) in lines[1]
    event = AuditEvent.objects.get(action="ledger.exported")
    assert event.actor_id == personas.council_dpo.user_id
    assert event.detail == {"query": {"client_id": str(morag.pk)}, "rows": 1, "via": "api"}


@pytest.mark.parametrize("who", ["council_worker", "council_leader", "council_admin", "analyst", "outsider"])
@pytest.mark.parametrize("url", [LEDGER, EXPORT])
def test_anyone_but_a_dpo_gets_403(personas: Personas, morag: Any, as_key: Caller, who: str, url: str) -> None:
    response = as_key(getattr(personas, who)).get(url)
    assert response.status_code == 403
    assert problem(response)["type"] == "https://ceangal.scot/problems/not-permitted"
    assert not AuditEvent.objects.filter(action="ledger.exported").exists()


def test_entries_of_another_partnership_are_never_shown(
    personas: Personas, morag: Any, elsewhere: tuple[StaffMember, StaffMember, Any], as_key: Caller
) -> None:
    worker, fergus, client = elsewhere
    dpo = as_key(personas.council_dpo)
    assert {e["client_id"] for e in _entries(dpo.get(LEDGER))} == {str(morag.pk)}
    assert _entries(dpo.get(f"{LEDGER}?client_id={client.pk}")) == []
    assert _entries(dpo.get(f"{LEDGER}?staff_id={worker.pk}")) == []
    csv = dpo.get(EXPORT).content.decode()
    assert str(morag.pk) in csv
    assert str(client.pk) not in csv
    assert {e["client_id"] for e in _entries(as_key(fergus).get(LEDGER))} == {str(client.pk)}
