from __future__ import annotations

import pytest

from ceangal.audit.models import AuditEvent
from ceangal.clients.services import section_save
from ceangal.policy.selectors import section_history
from ceangal.testing.factories import make_client

pytestmark = pytest.mark.django_db


def test_one_per_client_section_created_then_versioned_with_history(personas):
    client = make_client(personas.council_worker)
    contact = section_save(
        actor=personas.council_worker,
        client=client,
        section_key="contact",
        data={"phone": "07700900123"},
        expected_version=None,
    )
    assert contact.version == 1
    section_save(
        actor=personas.council_worker,
        client=client,
        section_key="contact",
        data={"phone": "07700900999"},
        expected_version=1,
    )
    history = section_history(
        actor=personas.council_worker,
        client_id=client.pk,
        section_key="contact",
        item_id=None,
        purpose="support_coordination",
    )
    assert [h.version for h in history] == [2, 1]
    assert history[0].values["phone"] == "07700900999"
    assert history[1].values["phone"] == "07700900123"
    assert history[0].changed_by == str(personas.council_worker.user)
    audit = AuditEvent.objects.filter(client_id=client.pk, action="client.contact.changed").get()
    assert audit.fields == ["phone"]
