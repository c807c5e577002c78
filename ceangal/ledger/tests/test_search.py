"""The DPO's questions: who saw this client, what did this person or organisation see, and when."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.ledger.selectors import CSV_HEADER, client_disclosures, ledger_export_csv, ledger_search
from ceangal.ledger.services import Channel, DisclosureBasis
from ceangal.ledger.tests.helpers import disclose
from ceangal.partners.models import Organisation, OrganisationType, Partnership
from ceangal.partners.roles import Role
from ceangal.partners.services import staff_create

pytestmark = pytest.mark.django_db

LONDON = timezone.get_default_timezone()


@pytest.fixture
def world():
    # Made through partners alone (not ceangal.testing.factories, which reaches into higher apps).
    partnership = Partnership.objects.create(name="Fife", slug="fife-ledger")

    def organisation(name):
        return Organisation.objects.create(
            partnership=partnership, name=name, slug=name[:20].lower(), org_type=OrganisationType.THIRD_SECTOR
        )

    def staff(org, first_name, last_name):
        return staff_create(
            organisation=org,
            email=f"{first_name.lower()}@example.org",
            first_name=first_name,
            last_name=last_name,
            role=Role.KEY_WORKER,
            password="correct-horse-battery-staple-7",
            training_completed_on=None,
        )

    council = organisation("Fife Council Employability")
    college = organisation("=HYPERLINK(evil)")  # a name made to attack spreadsheets
    kirsty = staff(council, "Kirsty", "Rae")
    calum = staff(college, "Calum", "Bain")
    morag, iain = uuid.uuid4(), uuid.uuid4()

    def seen(staff, client_id, day, hour, channel=Channel.PAGE):
        return disclose(
            client_id,
            actor_staff_id=staff.pk,
            actor_user_id=staff.user_id,
            organisation_id=staff.organisation_id,
            channel=channel,
            at=dt.datetime(2026, 3, day, hour, tzinfo=LONDON),
            bases=[DisclosureBasis(category="contact", supplier_organisation_id=council.pk, kind="own")],
        )

    entries = {
        "kirsty-morag-1": seen(kirsty, morag, 2, 9),
        "calum-morag": seen(calum, morag, 3, 23, Channel.API),
        "kirsty-iain": seen(kirsty, iain, 4, 0, Channel.EXPORT),
        "kirsty-morag-2": seen(kirsty, morag, 5, 12, Channel.REFERRAL),
    }
    return SimpleNamespace(
        council=council, college=college, kirsty=kirsty, calum=calum, morag=morag, iain=iain, entries=entries
    )


def ids(rows):
    return [row.entry_id for row in rows]


def test_a_clients_disclosures_oldest_first_with_names(world):
    rows = client_disclosures(world.morag)
    assert ids(rows) == [world.entries[key].pk for key in ("kirsty-morag-1", "calum-morag", "kirsty-morag-2")]
    first = rows[0]
    assert (first.staff_name, first.organisation_name) == ("Kirsty Rae", "Fife Council Employability")
    assert (rows[1].staff_name, rows[1].organisation_name, rows[1].channel) == ("Calum Bain", world.college.name, "api")
    assert first.bases == (DisclosureBasis(category="contact", supplier_organisation_id=world.council.pk, kind="own"),)
    assert first.categories == ("contact",)


def test_search_by_each_filter_newest_first(world):
    assert ids(ledger_search(staff_id=world.kirsty.pk)) == [
        world.entries[key].pk for key in ("kirsty-morag-2", "kirsty-iain", "kirsty-morag-1")
    ]
    assert ids(ledger_search(organisation_id=world.college.pk)) == [world.entries["calum-morag"].pk]
    assert ids(ledger_search(client_id=world.iain)) == [world.entries["kirsty-iain"].pk]
    assert ids(ledger_search(channel=Channel.REFERRAL)) == [world.entries["kirsty-morag-2"].pk]
    assert ids(ledger_search(client_id=world.morag, staff_id=world.kirsty.pk, limit=1)) == [
        world.entries["kirsty-morag-2"].pk
    ]
    # Dates are whole days in Scotland, both ends included.
    march_3 = ids(ledger_search(date_from=dt.date(2026, 3, 3), date_to=dt.date(2026, 3, 3)))
    assert march_3 == [world.entries["calum-morag"].pk]
    assert ids(ledger_search(date_from=dt.datetime(2026, 3, 4, 0, tzinfo=LONDON))) == [
        world.entries["kirsty-morag-2"].pk,
        world.entries["kirsty-iain"].pk,
    ]
    assert ledger_search(staff_id=world.kirsty.pk, organisation_id=world.college.pk) == []


def test_names_are_looked_up_in_a_fixed_number_of_queries(world, django_assert_num_queries):
    for _ in range(20):
        with transaction.atomic():
            disclose(world.morag, actor_staff_id=world.calum.pk, organisation_id=world.calum.organisation_id)
    with django_assert_num_queries(3):  # entries, staff with their users, organisations
        rows = ledger_search()
    assert len(rows) == 24


def test_unknown_staff_or_organisation_still_shows_the_id():
    disclose(actor_staff_id=404, organisation_id=405)
    (row,) = ledger_search()
    assert (row.staff_name, row.organisation_name) == ("(staff 404)", "(organisation 405)")


def test_csv_export_has_a_header_and_cannot_run_formulas(world):
    text = ledger_export_csv(client_disclosures(world.morag))
    rows = list(csv.reader(io.StringIO(text)))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 4
    calum_row = dict(zip(CSV_HEADER, rows[2], strict=True))
    assert calum_row["organisation_name"] == "'=HYPERLINK(evil)"
    assert calum_row["at"] == "2026-03-03T23:00:00+00:00"
    assert calum_row["channel"] == "api"
    assert "contact own (supplier" in calum_row["bases"]
    for row in rows[1:]:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_the_export_command_writes_csv_and_leaves_an_audit_event(world, tmp_path):
    out = StringIO()
    call_command("ledger_export", "--client", str(world.morag), stdout=out)
    assert len(list(csv.reader(io.StringIO(out.getvalue())))) == 4
    target = tmp_path / "ledger.csv"
    call_command("ledger_export", "--staff", str(world.kirsty.pk), "--output", str(target), stderr=StringIO())
    assert len(list(csv.reader(target.open(newline="")))) == 4
    events = list(AuditEvent.objects.filter(action="ledger.exported").order_by("id"))
    assert [event.detail["rows"] for event in events] == [3, 3]
    assert events[1].detail["query"] == {"staff": str(world.kirsty.pk)}
