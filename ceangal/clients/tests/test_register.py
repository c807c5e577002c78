from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as m
from ceangal.clients.services import client_register
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.testing.factories import identity_data

pytestmark = pytest.mark.django_db


def test_register_creates_client_identity_engagement_and_audit(personas):
    client = client_register(
        actor=personas.council_worker,
        identity=identity_data(ni_number="ab 12 34 56 c", postcode="ky1 1xx"),
        contact={"email": "Morag@Example.org", "phone": "07700 900123"},
    )
    identity = client.identity
    assert identity.ni_number == "AB123456C"
    assert identity.postcode == "KY1 1XX"
    assert identity.supplied_by == personas.council
    assert identity.recorded_by == personas.council_worker
    assert client.contact.email == "morag@example.org"
    engagement = client.engagements.get()
    assert engagement.organisation == personas.council
    assert engagement.key_worker == personas.council_worker
    assert engagement.status == m.EngagementStatus.REGISTERED
    event = AuditEvent.objects.get(action="client.registered", client_id=client.pk)
    assert event.actor == personas.council_worker.user
    assert "ni_number" in event.fields
    # The audit trail names fields, never their values.
    assert "AB123456C" not in str(event.fields) + str(event.detail)


def test_ni_number_is_encrypted_at_rest(personas):
    client = client_register(actor=personas.council_worker, identity=identity_data(ni_number="AB123456C"))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ni_number, ni_number_index FROM clients_identitysection WHERE client_id = %s",
            [client.pk.hex if connection.vendor == "sqlite" else client.pk],
        )
        stored, index = cursor.fetchone()
    assert "AB123456C" not in stored
    assert stored.startswith("v1:")
    assert len(index) == 64


def test_superseded_local_authority_code_is_mapped(personas):
    client = client_register(actor=personas.council_worker, identity=identity_data(local_authority="S12000015"))
    assert client.identity.local_authority == "S12000047"


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("ni_number", "AB12345", "National Insurance number in the form"),
        ("ni_number", "QQ123456C", "National Insurance number in the form"),
        ("date_of_birth", (dt.date.today() + dt.timedelta(days=3)).isoformat(), "cannot be in the future"),
        ("date_of_birth", (dt.date.today() - dt.timedelta(days=365 * 13)).isoformat(), "at least 14"),
        ("date_of_birth", "31/02/2001", "real date"),
        ("local_authority", "S12999999", "not a known local authority"),
        ("postcode", "NOT A POSTCODE", "UK postcode"),
        ("given_name", "", "Enter given name"),
    ],
)
def test_bad_identity_is_refused_naming_the_field_and_nothing_is_saved(personas, field, value, says):
    before = (
        m.Client.objects.count(),
        m.IdentitySection.objects.count(),
        m.Engagement.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(InvalidInput) as caught:
        client_register(actor=personas.council_worker, identity=identity_data(**{field: value}))
    assert field in caught.value.errors
    assert says in " ".join(caught.value.errors[field])
    after = (
        m.Client.objects.count(),
        m.IdentitySection.objects.count(),
        m.Engagement.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before


def test_every_problem_is_reported_at_once(personas):
    with pytest.raises(InvalidInput) as caught:
        client_register(
            actor=personas.council_worker,
            identity=identity_data(postcode="nope", ni_number="bad", local_authority="X"),
            contact={"email": "not-an-email"},
        )
    assert {"postcode", "ni_number", "local_authority", "contact.email"} <= set(caught.value.errors)


def test_unknown_fields_are_errors_not_ignored(personas):
    with pytest.raises(InvalidInput) as caught:
        client_register(actor=personas.council_worker, identity=identity_data(shoe_size="9"))
    assert "shoe_size" in caught.value.errors


@pytest.mark.parametrize("who", ["inactive", "untrained", "analyst", "council_admin"])
def test_only_active_trained_caseworkers_register(personas, who):
    with pytest.raises(NotPermitted):
        client_register(actor=getattr(personas, who), identity=identity_data())
    assert m.Client.objects.count() == 0


def test_team_leader_registration_leaves_key_worker_unassigned(personas):
    client = client_register(actor=personas.council_leader, identity=identity_data())
    assert client.engagements.get().key_worker is None
