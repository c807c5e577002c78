"""Legal holds: only the partnership's DPO places and lifts them, with a reason; each is audited
without the reason; a hold stops any erasure (see rights/tests/test_actions_erasure.py)."""

from __future__ import annotations

import pytest

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.erasure import client_erase, hold_problem
from ceangal.clients.holds import hold_lift, hold_place, holds_of_partnership, standing_holds
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.partners.roles import Role
from ceangal.testing.factories import make_client, make_organisation, make_partnership, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(personas):
    return make_client(personas.council_worker, given_name="Hamish", family_name="Held")


def test_only_the_partnerships_dpo_places_a_hold_and_gives_a_reason(personas, client):
    for who in (personas.council_worker, personas.council_leader, personas.council_admin):
        with pytest.raises(NotPermitted):
            hold_place(actor=who, client=client, reason="Claim")
    elsewhere = make_organisation(make_partnership("Another"), "Other Council", "local_authority")
    with pytest.raises(NotFound):
        hold_place(actor=make_staff(elsewhere, Role.DPO), client=client, reason="Claim")
    with pytest.raises(InvalidInput) as bad:
        hold_place(actor=personas.council_dpo, client=client, reason=" ", reference="x" * 101)
    assert set(bad.value.errors) == {"reason", "reference"}
    assert not cm.LegalHold.objects.exists()


def test_a_hold_stands_until_lifted_once_and_both_are_audited_without_the_reason(personas, client):
    hold = hold_place(actor=personas.college_dpo, client=client, reason="Hamish's tribunal claim", reference="ET/1")
    assert list(standing_holds(client.pk)) == [hold]
    assert list(holds_of_partnership(personas.council_dpo)) == [hold]
    assert not holds_of_partnership(personas.council_worker).exists()
    assert "ET/1" in (hold_problem(client) or "")
    with pytest.raises(InvalidInput) as bad:
        client_erase(actor=personas.council_dpo, client=client, exemptions=[], allowed_exemptions={})
    assert "hold" in bad.value.errors
    assert cm.IdentitySection.objects.filter(client=client).exists()
    hold_lift(actor=personas.council_dpo, hold=hold, note="Settled.")
    with pytest.raises(InvalidInput) as bad:
        hold_lift(actor=personas.council_dpo, hold=hold)
    assert "hold" in bad.value.errors
    assert not standing_holds(client.pk).exists()
    assert hold_problem(client) is None
    events = AuditEvent.objects.filter(object_type="legal_hold", client_id=client.pk)
    assert sorted(events.values_list("action", flat=True)) == ["legal_hold.lifted", "legal_hold.placed"]
    assert not [e for e in events if "tribunal" in str(e.detail).lower()]
