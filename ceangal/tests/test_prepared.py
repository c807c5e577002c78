"""ceangal.db.Prepared: the same rows as the ORM's values(), from SQL built once."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ceangal.clients import models as m
from ceangal.clients.services import item_add
from ceangal.db import Prepared
from ceangal.policy.models import BreakGlassGrant
from ceangal.reference import lookups
from ceangal.reference.models import Code, CodeList
from ceangal.testing.factories import make_client

pytestmark = pytest.mark.django_db


def _identity_query() -> Prepared:
    return Prepared(
        lambda client_id: m.IdentitySection.objects.filter(client_id=client_id).values(
            "id", "given_name", "date_of_birth", "ni_number", "recorded_at"
        ),
        client_id=m.Client._meta.pk,
    )


def test_rows_equal_the_orm_values_with_converters_applied(personas):
    client = make_client(personas.council_worker)
    other = make_client(personas.council_worker)
    query = _identity_query()
    for c in (client, other):
        expected = list(
            m.IdentitySection.objects.filter(client_id=c.pk).values(
                "id", "given_name", "date_of_birth", "ni_number", "recorded_at"
            )
        )
        got = query.rows(client_id=c.pk)
        assert got == expected
        # Dates come back as dates and the encrypted NI number decrypted, as from the ORM.
        assert isinstance(got[0]["date_of_birth"], dt.date)
        assert got[0]["ni_number"] == c.identity.ni_number


def test_sql_is_built_once_and_every_call_reads_afresh(personas):
    client = make_client(personas.council_worker)
    query = _identity_query()
    query.rows(client_id=client.pk)
    m.IdentitySection.objects.filter(client_id=client.pk).update(given_name="Renamed")
    with CaptureQueriesContext(connection) as captured:
        rows = query.rows(client_id=client.pk)
    assert rows[0]["given_name"] == "Renamed"
    assert len(captured) == 1


def test_a_parameter_used_twice_and_several_parameters(personas):
    client = make_client(personas.council_worker)
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        staff=personas.council_worker,
        client=client,
        categories=["health"],
        ground="safeguarding",
        reason="A test reason that is long enough.",
        granted_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    query = Prepared(
        lambda staff_id, client_id, at: BreakGlassGrant.objects.filter(
            staff_id=staff_id, client_id=client_id, expires_at__gt=at, granted_at__lte=at
        ).values("id"),
        staff_id=BreakGlassGrant._meta.get_field("staff"),
        client_id=m.Client._meta.pk,
        at=BreakGlassGrant._meta.get_field("expires_at"),
    )
    assert query.rows(staff_id=personas.council_worker.pk, client_id=client.pk, at=now) == [{"id": grant.pk}]
    assert query.rows(staff_id=personas.council_worker.pk, client_id=client.pk, at=now + dt.timedelta(hours=2)) == []
    assert query.rows(staff_id=personas.council_worker.pk, client_id=uuid.uuid4(), at=now) == []


def test_a_parameter_the_query_does_not_use_is_a_programming_error():
    query = Prepared(lambda client_id: m.Client.objects.values("id"), client_id=m.Client._meta.pk)
    with pytest.raises(ValueError, match="client_id"):
        query.rows(client_id=uuid.uuid4())


def test_cached_labels_follow_a_reload_of_the_code_lists(personas):
    code = Code.objects.filter(code_list_id="local_authority").first()
    assert code is not None
    before = lookups.cached_labels_for(["local_authority"])["local_authority"][code.code]
    assert before == code.label
    Code.objects.filter(pk=code.pk).update(label="Renamed authority")
    CodeList.objects.filter(pk="local_authority").update(loaded_at=timezone.now() + dt.timedelta(seconds=1))
    assert lookups.cached_labels_for(["local_authority"])["local_authority"][code.code] == "Renamed authority"


def test_an_item_added_is_read_by_the_next_record(personas):
    from ceangal.policy.selectors import client_record

    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "National 5 English", "scqf_level": "SCQF05"},
    )
    record = client_record(actor=personas.council_worker, client_id=client.pk, purpose="support_coordination")
    titles = [i.values.get("title") for i in record.section("qualifications").items]
    assert "National 5 English" in titles
