"""The DPO's access-ledger search and CSV export on the staff pages."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.partners.roles import Role
from ceangal.policy.selectors import client_record
from ceangal.testing.factories import make_client, make_organisation, make_partnership, make_staff

pytestmark = pytest.mark.django_db

SEARCH = reverse("web:ledger_search")
EXPORT = reverse("web:ledger_export")


def _read(actor, client):
    client_record(actor=actor, client_id=client.pk, purpose="support_coordination")


def _dmy(day: dt.date) -> str:
    return f"{day.day} {day.month} {day.year}"


@pytest.fixture
def elsewhere():
    """A second partnership, with a DPO and a client its key worker has read."""
    partnership = make_partnership("Another Partnership")
    organisation = make_organisation(partnership, "Far Away Works")
    worker = make_staff(organisation, Role.KEY_WORKER, first_name="Farah")
    dpo = make_staff(organisation, Role.DPO, first_name="Fergus")
    client = make_client(worker, given_name="Fiona", family_name="Faraway")
    _read(worker, client)
    return worker, dpo, client


def test_the_dashboard_links_to_the_ledger(sign_in, personas):
    html = sign_in(personas.council_dpo).get(reverse("web:dpo_dashboard")).content.decode()
    assert SEARCH in html


def test_the_form_alone_searches_nothing(sign_in, personas, morag):
    _read(personas.council_worker, morag)
    html = sign_in(personas.council_dpo).get(SEARCH).content.decode()
    assert "Client id" in html
    assert str(morag.pk) not in html


def test_the_dpo_sees_an_entry_written_by_a_real_read(sign_in, personas, morag):
    _read(personas.council_worker, morag)
    response = sign_in(personas.council_dpo).get(SEARCH, {"client_id": str(morag.pk)})
    assert response.status_code == 200
    html = response.content.decode()
    assert str(morag.pk) in html
    assert personas.council_worker.display_name in html
    assert "Fife Council Employability" in html
    assert "Coordinating the client&#x27;s support" in html
    assert "own organisation" in html  # the basis of what the key worker was shown
    assert "1 entry, newest first." in html
    assert EXPORT + "?client_id=" + str(morag.pk) in html


def test_filters_by_client_and_date(sign_in, personas, morag):
    other = make_client(personas.council_worker, given_name="Ewan", family_name="Other")
    _read(personas.council_worker, morag)
    _read(personas.council_worker, other)
    dana = sign_in(personas.council_dpo)
    today = timezone.localdate()

    html = dana.get(SEARCH, {"client_id": str(morag.pk)}).content.decode()
    assert str(morag.pk) in html
    assert str(other.pk) not in html

    html = dana.get(SEARCH, {"date_from": _dmy(today), "date_to": _dmy(today)}).content.decode()
    assert str(morag.pk) in html
    assert str(other.pk) in html

    tomorrow = today + dt.timedelta(days=1)
    html = dana.get(SEARCH, {"date_from": _dmy(tomorrow)}).content.decode()
    assert "No entries match the search." in html
    assert str(morag.pk) not in html

    html = dana.get(SEARCH, {"channel": "api"}).content.decode()
    assert "No entries match the search." in html


def test_bad_filters_are_named_in_the_error_summary(sign_in, personas, elsewhere):
    _worker, _dpo, _client = elsewhere
    dana = sign_in(personas.council_dpo)
    response = dana.get(
        SEARCH,
        {
            "client_id": "CG-7K2M9Q",
            "staff_id": "Kirsty",
            "organisation_id": str(_worker.organisation_id),
            "date_from": "31 2 2026",
            "channel": "fax",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    for name in ("client_id", "staff_id", "organisation_id", "date_from", "channel"):
        assert f'href="#f-{name}"' in html, name
    assert "Far Away Works" not in html

    refused = dana.get(EXPORT, {"client_id": "CG-7K2M9Q"})
    assert refused.status_code == 302
    assert refused["Location"].startswith(SEARCH)
    assert not AuditEvent.objects.filter(action="ledger.exported").exists()


def test_csv_export_downloads_with_a_header_and_is_audited(sign_in, personas, morag):
    _read(personas.council_worker, morag)
    response = sign_in(personas.council_dpo).get(EXPORT, {"client_id": str(morag.pk)})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("at,entry_id,staff_id,staff_name,organisation_id")
    assert len(lines) == 2
    assert str(morag.pk) in lines[1]
    event = AuditEvent.objects.get(action="ledger.exported")
    assert event.actor_id == personas.council_dpo.user_id
    assert event.organisation_id == personas.council_dpo.organisation_id
    assert event.detail["rows"] == 1
    assert event.detail["query"] == {"client_id": str(morag.pk)}


def test_entries_of_another_partnership_are_never_shown(sign_in, personas, morag, elsewhere):
    worker, fergus, client = elsewhere
    _read(personas.council_worker, morag)
    dana = sign_in(personas.council_dpo)

    html = dana.get(SEARCH, {"date_from": _dmy(timezone.localdate())}).content.decode()
    assert str(morag.pk) in html
    assert str(client.pk) not in html
    assert "Far Away Works" not in html

    html = dana.get(SEARCH, {"client_id": str(client.pk)}).content.decode()
    assert "No entries match the search." in html
    html = dana.get(SEARCH, {"staff_id": str(worker.pk)}).content.decode()
    assert "No entries match the search." in html
    csv = dana.get(EXPORT).content.decode()
    assert str(morag.pk) in csv
    assert str(client.pk) not in csv

    theirs = sign_in(fergus).get(SEARCH, {"channel": "page"}).content.decode()
    assert str(client.pk) in theirs
    assert str(morag.pk) not in theirs


@pytest.mark.parametrize("who", ["council_worker", "council_leader", "council_admin", "analyst", "outsider"])
def test_anyone_but_a_dpo_gets_not_found(sign_in, personas, morag, who):
    _read(personas.council_worker, morag)
    browser = sign_in(getattr(personas, who))
    assert browser.get(SEARCH, {"client_id": str(morag.pk)}).status_code == 404
    assert browser.get(EXPORT).status_code == 404
    assert not AuditEvent.objects.filter(action="ledger.exported").exists()


def test_an_unknown_client_id_finds_nothing(sign_in, personas, morag):
    _read(personas.council_worker, morag)
    html = sign_in(personas.council_dpo).get(SEARCH, {"client_id": str(uuid.uuid4())}).content.decode()
    assert "No entries match the search." in html
