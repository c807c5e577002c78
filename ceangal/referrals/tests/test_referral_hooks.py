"""What a referral tells partner systems and people, and what it does when other facts change."""

from __future__ import annotations

import json

import pytest
from django.core import mail

from ceangal.clients import models as cm
from ceangal.clients.services import clients_merge
from ceangal.notifications.models import WebhookDelivery
from ceangal.notifications.webhooks import subscription_create
from ceangal.partners.roles import Role
from ceangal.referrals import services as s
from ceangal.referrals.models import Message, Referral, ReferralStatus
from ceangal.referrals.tests.world import make_world
from ceangal.testing.factories import make_client, make_staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(personas)


def _send(world):
    draft = s.referral_draft(
        actor=world.personas.council_worker,
        client_id=world.client.pk,
        service_id=world.service.pk,
        reason="Morag wants a college course in care.",
    )
    return s.referral_send(actor=world.personas.council_worker, referral=draft)


def test_webhooks_carry_identifiers_and_a_link_never_the_packet(world, personas):
    admin = make_staff(personas.college, Role.ORG_ADMIN, first_name="Fraser")
    subscription_create(
        actor=admin,
        url="https://college.example.org/hooks",
        events=["referral.created", "referral.accepted", "consent.withdrawn"],
    )
    referral = _send(world)
    s.referral_accept(actor=personas.college_worker, referral=referral)
    deliveries = list(WebhookDelivery.objects.order_by("pk"))
    assert [d.event for d in deliveries] == ["referral.created", "referral.accepted"]
    created = deliveries[0].payload
    text = json.dumps(created)
    assert str(referral.pk) in text
    assert f"/referrals/{referral.pk}/" in text
    for secret in ("Morag", "Macleod", "N5 English", world.client.reference):
        assert secret not in text


def test_consent_withdrawal_is_told_to_the_partners_it_names(world, personas):
    from ceangal.consent.services import consent_withdraw

    admin = make_staff(personas.college, Role.ORG_ADMIN, first_name="Fraser")
    subscription_create(actor=admin, url="https://college.example.org/hooks", events=["consent.withdrawn"])
    assert world.consent is not None
    consent_withdraw(record=world.consent, actor=personas.council_worker, note="She asked us to stop.")
    [delivery] = WebhookDelivery.objects.all()
    assert delivery.event == "consent.withdrawn"
    assert str(world.client.pk) in json.dumps(delivery.payload)
    assert "Morag" not in json.dumps(delivery.payload)


def test_a_partial_withdrawal_that_leaves_consent_for_the_referral_keeps_it(world, personas):
    from ceangal.consent.services import consent_withdraw

    referral = _send(world)
    assert world.consent is not None
    health_free = [sc for sc in world.consent.scopes.all() if sc.category == "contact"]
    consent_withdraw(record=world.consent, scopes=health_free, actor=personas.council_worker, note="Not my phone.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_emails_name_no_client(world, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral = _send(world)
        s.referral_request_info(actor=personas.college_worker, referral=referral, question="Is Morag free on Tuesdays?")
        s.message_send(
            actor=personas.council_worker,
            referral=referral,
            to_organisation_id=personas.college.pk,
            body="Morag Macleod can come on Tuesday.",
        )
    assert len(mail.outbox) >= 3
    for email in mail.outbox:
        for secret in ("Morag", "Macleod", "Tuesday", world.client.reference):
            assert secret not in email.subject
            assert secret not in email.body
        assert "/accounts/login/" in email.body


def test_merging_duplicates_moves_referrals_and_messages(world, personas):
    referral = _send(world)
    s.message_send(
        actor=personas.college_worker, referral=referral, to_organisation_id=personas.council.pk, body="Hello"
    )
    twin = make_client(personas.council_worker, given_name="Morag", family_name="MacLeod")
    clients_merge(actor=personas.council_leader, keep=twin, duplicate=world.client, reason="The same person twice.")
    assert Referral.objects.get(pk=referral.pk).client_id == twin.pk
    assert Message.objects.get().client_id == twin.pk
    assert cm.Client.objects.get(pk=world.client.pk).merged_into_id == twin.pk
