"""Consent in effect: a partner sees what was agreed, and withdrawal or expiry ends it at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from ceangal.clients.services import engagement_open, item_add
from ceangal.consent.models import ConsentRecord, EventKind
from ceangal.consent.services import ScopeChoice, consent_give, consent_withdraw, consents_expire
from ceangal.policy.selectors import client_record
from ceangal.testing.factories import make_agreement, make_client, make_notice

pytestmark = pytest.mark.django_db
PURPOSE = "support_coordination"


def _give(personas, client, notice, scopes, **extra):
    defaults: dict[str, Any] = {
        "method": "verbal_witnessed",
        "witness_name": "Tam Person",
        "valid_until": timezone.localdate() + dt.timedelta(days=365),
    }
    return consent_give(
        actor=personas.council_worker, client=client, notice=notice, scopes=scopes, **(defaults | extra)
    )


def _shared_world(personas):
    """The council registers a client and records qualifications and health; the college engages."""
    make_agreement([personas.council_dpo, personas.college_dpo])
    notice = make_notice(personas.council_dpo)
    client = make_client(personas.council_worker, given_name="Eilidh", family_name="Synthetic")
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "N5 English", "scqf_level": "SCQF05"},
    )
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="health",
        data={"condition_type": "MENTAL", "limitation": "LITTLE"},
    )
    engagement_open(actor=personas.college_worker, client=client)
    return client, notice


def test_consent_lets_the_partner_see_exactly_what_was_agreed_and_withdrawal_is_immediate(personas):
    client, notice = _shared_world(personas)
    before = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    assert before.section("qualifications").items == []
    assert any("not agreed" in w for w in before.section("qualifications").withheld)
    record = _give(
        personas,
        client,
        notice,
        [ScopeChoice(PURPOSE, "identity", personas.college), ScopeChoice(PURPOSE, "qualifications", personas.college)],
    )
    after = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    assert [i.values["title"] for i in after.section("qualifications").items] == ["N5 English"]
    assert after.display_name == "Eilidh Synthetic"
    assert after.section("health").items == []  # not agreed
    assert any("not agreed to share this with Fife College" in w for w in after.section("health").withheld)
    qualifications_row = record.scopes.get(category="qualifications")
    consent_withdraw(record=record, scopes=[qualifications_row], by_client=True)
    partly = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    assert partly.section("qualifications").items == []
    assert partly.display_name == "Eilidh Synthetic"  # identity still agreed
    consent_withdraw(record=record, actor=personas.council_worker)
    gone = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    assert gone.display_name == client.reference


def test_expiry_is_enforced_by_the_decision_and_marked_by_the_daily_task(personas):
    client, notice = _shared_world(personas)
    record = _give(personas, client, notice, [ScopeChoice(PURPOSE, "qualifications", personas.college)])
    ConsentRecord.objects.filter(pk=record.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    view = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    assert view.section("qualifications").items == []
    assert consents_expire() == 1
    assert record.events.filter(kind=EventKind.EXPIRED).exists()
    assert consents_expire() == 0


def test_a_public_task_agreement_shares_without_consent(personas):
    from ceangal.agreements.services import PurposeTerms

    make_agreement(
        [personas.council_dpo, personas.college_dpo],
        purposes=[PurposeTerms(PURPOSE, "public_task", ["qualifications", "identity"])],
    )
    client = make_client(personas.council_worker)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={"title": "HNC", "scqf_level": "SCQF07"},
    )
    engagement_open(actor=personas.college_worker, client=client)
    view = client_record(actor=personas.college_worker, client_id=client.pk, purpose=PURPOSE)
    assert [i.values["title"] for i in view.section("qualifications").items] == ["HNC"]


def test_daily_housekeeping_marks_expired_and_tells_key_workers_what_to_renew(
    personas, django_capture_on_commit_callbacks
):
    from django.core import mail

    from ceangal.consent.tasks import consent_housekeeping

    client, notice = _shared_world(personas)
    soon = _give(
        personas,
        client,
        notice,
        [ScopeChoice(PURPOSE, "qualifications", personas.college)],
        valid_until=timezone.localdate() + dt.timedelta(days=10),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert consent_housekeeping.call() == 0
    [message] = mail.outbox
    assert message.to == [personas.council_worker.user.email]
    assert "1 of your clients' consents" in message.body
    assert client.reference not in message.body
    ConsentRecord.objects.filter(pk=soon.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    assert consent_housekeeping.call() == 1
