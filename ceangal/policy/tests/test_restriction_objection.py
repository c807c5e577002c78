"""Restriction (Art 18) denies every purpose while it stands, and is lifted only after the client
is told; an objection (Art 21) stops one purpose until the DPO records compelling grounds or the
client withdraws it. Both take effect on the very next decision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.restrictions import (
    objection_compelling_grounds,
    objection_end,
    objection_record,
    restriction_lift,
    restriction_start,
)
from ceangal.clients.services import engagement_open
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.partners.roles import Role
from ceangal.policy.selectors import caseload, client_record
from ceangal.reference.purposes import Purpose
from ceangal.testing.factories import make_client, make_organisation, make_partnership, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(personas):
    made = make_client(personas.council_worker, given_name="Rhona", family_name="Restricted")
    engagement_open(actor=personas.college_worker, client=made)
    return made


def test_a_restriction_denies_every_purpose_to_everyone_until_lifted(personas, client):
    restriction = restriction_start(actor=personas.council_dpo, client=client, reason="She disputes her record.")
    for reader in (personas.council_worker, personas.college_worker, personas.council_leader):
        for purpose in Purpose.values:
            with pytest.raises(NotPermitted, match="restricted"):
                client_record(actor=reader, client_id=client.pk, purpose=purpose)
    # Not even the name on the caseload.
    [row] = [
        r for r in caseload(actor=personas.council_worker, purpose="support_coordination") if r.client_id == client.pk
    ]
    assert "Rhona" not in row.name
    # Lifting needs the date the client was told, not in the future.
    for told, field in ((None, "client_told_on"), (timezone.localdate() + dt.timedelta(days=1), "client_told_on")):
        with pytest.raises(InvalidInput) as bad:
            restriction_lift(actor=personas.council_dpo, restriction=restriction, client_told_on=told)
        assert field in bad.value.errors
    assert cm.Client.objects.get(pk=client.pk).processing_restricted
    restriction_lift(
        actor=personas.council_dpo, restriction=restriction, client_told_on=timezone.localdate(), note="Corrected."
    )
    record = client_record(actor=personas.council_worker, client_id=client.pk, purpose="support_coordination")
    assert record.display_name == "Rhona Restricted"
    actions = set(AuditEvent.objects.filter(client_id=client.pk).values_list("action", flat=True))
    assert {"restriction.started", "restriction.lifted"} <= actions


def test_only_the_partnerships_dpo_restricts_and_only_once(personas, client):
    for who in (personas.council_worker, personas.council_leader, personas.council_admin):
        with pytest.raises(NotPermitted):
            restriction_start(actor=who, client=client, reason="x")
    elsewhere = make_organisation(make_partnership("Another"), "Other Council", "local_authority")
    with pytest.raises(NotFound):
        restriction_start(actor=make_staff(elsewhere, Role.DPO), client=client, reason="x")
    with pytest.raises(InvalidInput) as bad:
        restriction_start(actor=personas.council_dpo, client=client, reason="  ")
    assert "reason" in bad.value.errors
    restriction_start(actor=personas.council_dpo, client=client, reason="Disputed.")
    with pytest.raises(InvalidInput) as bad:
        restriction_start(actor=personas.council_dpo, client=client, reason="Again.")
    assert "client" in bad.value.errors
    assert cm.ProcessingRestriction.objects.filter(client=client).count() == 1


def test_an_objection_stops_one_purpose_until_grounds_or_withdrawal(personas, client):
    objection = objection_record(
        actor=personas.council_dpo, client=client, purpose="progress_monitoring", grounds="I do not want to be counted."
    )
    with pytest.raises(NotPermitted, match="objected"):
        client_record(actor=personas.council_worker, client_id=client.pk, purpose="progress_monitoring")
    # Other purposes carry on.
    assert client_record(actor=personas.council_worker, client_id=client.pk, purpose="support_coordination")
    with pytest.raises(InvalidInput) as bad:
        objection_compelling_grounds(actor=personas.council_dpo, objection=objection, grounds="")
    assert "compelling_grounds" in bad.value.errors
    objection_compelling_grounds(
        actor=personas.council_dpo, objection=objection, grounds="Statutory return required by the funder."
    )
    assert client_record(actor=personas.council_worker, client_id=client.pk, purpose="progress_monitoring")
    assert cm.Client.objects.get(pk=client.pk).objected_purposes == []

    again = objection_record(actor=personas.council_dpo, client=client, purpose="referral")
    assert cm.Client.objects.get(pk=client.pk).objected_purposes == ["referral"]
    objection_end(actor=personas.council_dpo, objection=again, note="She changed her mind.")
    assert client_record(actor=personas.council_worker, client_id=client.pk, purpose="referral")
    with pytest.raises(InvalidInput) as bad:
        objection_end(actor=personas.council_dpo, objection=again)
    assert "objection" in bad.value.errors


def test_a_bad_objection_changes_nothing(personas, client):
    with pytest.raises(InvalidInput) as bad:
        objection_record(actor=personas.council_dpo, client=client, purpose="marketing")
    assert "purpose" in bad.value.errors
    objection_record(actor=personas.council_dpo, client=client, purpose="referral")
    with pytest.raises(InvalidInput):
        objection_record(actor=personas.council_dpo, client=client, purpose="referral")
    assert cm.Objection.objects.filter(client=client).count() == 1
