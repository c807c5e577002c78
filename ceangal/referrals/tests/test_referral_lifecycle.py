"""A referral's life, through the real services and the real decision point."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core import mail
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.consent.services import consent_withdraw
from ceangal.directory.services import service_retire
from ceangal.directory.tests.factories import make_service
from ceangal.errors import EditConflict, InvalidInput, NotFound, NotPermitted
from ceangal.ledger.models import LedgerEntry
from ceangal.policy.selectors import client_record
from ceangal.referrals import selectors
from ceangal.referrals import services as s
from ceangal.referrals.models import EventKind, Referral, ReferralStatus
from ceangal.referrals.tests.world import make_world
from ceangal.referrals.workdays import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(personas)


def _draft(world, **extra):
    options = {"reason": "Morag wants a college course in care."} | extra
    return s.referral_draft(
        actor=world.personas.council_worker, client_id=world.client.pk, service_id=world.service.pk, **options
    )


def _send(world, **extra):
    return s.referral_send(actor=world.personas.council_worker, referral=_draft(world), **extra)


def test_the_preview_is_the_services_needs_that_the_recipient_may_have(world):
    referral = _draft(world)
    packet = s.preview(actor=world.personas.council_worker, referral=referral)
    by = {str(c.category): c for c in packet.categories}
    assert [str(c) for c in packet.shared] == ["identity", "contact", "qualifications"]
    assert not by["health"].shared
    assert by["health"].consent_missing
    assert "not agreed" in by["health"].reason
    [quals] = by["qualifications"].sections
    assert [i.values["title"] for i in quals.items] == ["N5 English"]
    assert packet.display_name == "Morag Macleod"
    assert packet.recipient_name == world.personas.college.name
    # What the referrer was shown is in the ledger, under the purpose "referral".
    entry = LedgerEntry.objects.filter(actor_staff_id=world.personas.council_worker.pk).latest("pk")
    assert entry.purpose == "referral"
    assert set(entry.categories) == {"identity", "qualifications"}


def test_sending_fixes_the_packet_and_lets_the_recipient_read_only_that(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        referral = _send(world)
    assert referral.status == ReferralStatus.SENT
    assert referral.categories == ["identity", "contact", "qualifications"]
    assert referral.answer_due_on == add_working_days(timezone.localdate(), 5)
    engagement = cm.Engagement.objects.get(client=world.client, organisation=world.personas.college)
    assert engagement.status == cm.EngagementStatus.REFERRED
    assert engagement.packet_categories == ["contact", "identity", "qualifications"]
    # The college's team leader is told, with no client details.
    [email] = [m for m in mail.outbox if world.personas.college_leader.user.email in m.to]
    assert "Morag" not in f"{email.subject}{email.body}"
    assert "Macleod" not in f"{email.subject}{email.body}"

    college = world.personas.college_worker
    view = selectors.referral_view(actor=college, referral_id=referral.pk)
    assert view.client_name == "Morag Macleod"
    assert {v.key for v in view.packet} >= {"identity", "qualifications"}
    assert "health" not in {v.key for v in view.packet}
    # Nothing beyond the packet: not the record for support, not health for the referral.
    with pytest.raises(NotFound):
        client_record(actor=college, client_id=world.client.pk, purpose="support_coordination")
    record = client_record(actor=college, client_id=world.client.pk, purpose="referral")
    assert not record.section("health").permitted
    assert not record.section("support_needs").permitted
    assert record.section("qualifications").items


def test_accepting_opens_the_engagement_and_counts_what_was_not_asked_again(world):
    referral = _send(world)
    college = world.personas.college_worker
    s.referral_accept(actor=college, referral=referral)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.receiving_key_worker == college
    engagement = cm.Engagement.objects.get(client=world.client, organisation=world.personas.college)
    assert engagement.status == cm.EngagementStatus.ACTIVE
    assert engagement.key_worker == college
    # Given name, family name, date of birth, postcode, council area (+ NI blank), the qualification's fields.
    assert referral.fields_not_asked_again is not None
    assert referral.fields_not_asked_again >= 6
    record = client_record(actor=college, client_id=world.client.pk, purpose="support_coordination")
    assert record.display_name == "Morag Macleod"
    assert record.section("qualifications").items
    assert not record.section("health").items
    kinds = [e.kind for e in referral.events.all()]
    assert kinds == [EventKind.CREATED, EventKind.SENT, EventKind.ACCEPTED]
    assert referral.events.get(kind=EventKind.ACCEPTED).since_previous is not None


def test_declining_needs_a_reason_and_grants_nothing(world):
    referral = _send(world)
    college = world.personas.college_worker
    with pytest.raises(InvalidInput) as bad:
        s.referral_decline(actor=college, referral=referral, reason="")
    assert "reason" in bad.value.errors
    with pytest.raises(InvalidInput) as bad:
        s.referral_decline(actor=college, referral=referral, reason="other")
    assert "note" in bad.value.errors
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    s.referral_decline(actor=college, referral=referral, reason="no_capacity")
    engagement = cm.Engagement.objects.get(client=world.client, organisation=world.personas.college)
    assert engagement.status == cm.EngagementStatus.CLOSED
    with pytest.raises(NotFound):
        client_record(actor=college, client_id=world.client.pk, purpose="referral")


def test_more_information_then_answer_then_withdraw(world):
    referral = _send(world)
    college, council = world.personas.college_worker, world.personas.council_worker
    s.referral_request_info(actor=college, referral=referral, question="Can she attend mornings?")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MORE_INFO
    with pytest.raises(InvalidInput):
        s.referral_accept(actor=college, referral=referral)
    s.referral_give_info(actor=council, referral=referral, answer="Yes, from 9.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    with pytest.raises(NotPermitted):
        s.referral_withdraw(actor=college, referral=referral, reason="Not ours to withdraw")
    s.referral_withdraw(actor=council, referral=referral, reason="Morag found a job.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert cm.Engagement.objects.get(client=world.client, organisation=world.personas.college).status == "closed"
    notes = [e.note for e in referral.events.all()]
    assert "Can she attend mornings?" in notes
    assert "Yes, from 9." in notes


def test_the_referrer_sees_the_closed_loop(world):
    referral = _send(world)
    college, council = world.personas.college_worker, world.personas.council_worker
    s.referral_accept(actor=college, referral=referral)
    s.referral_start(actor=college, referral=referral, started_on=timezone.localdate())
    from ceangal.clients.services import item_add

    item_add(
        actor=college,
        client=world.client,
        section_key="stages",
        data={"stage": "PS3", "changed_on": timezone.localdate().isoformat()},
    )
    view = selectors.referral_view(actor=council, referral_id=referral.pk)
    assert view.referral.started_on == timezone.localdate()
    assert view.progress is not None
    # The council has no consent from the client to receive the college's journey data.
    assert view.progress.stage == ""
    assert view.progress.reason
    s.referral_complete(actor=college, referral=referral, note="Course finished.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED


def test_bad_referrals_are_refused_and_nothing_is_saved(world, personas):
    own = make_service(personas.council_leader, name="Council Hub")
    retired = make_service(personas.college_leader, name="Old Course")
    service_retire(actor=personas.college_leader, service=retired, reason="Funding ended")
    council = personas.council_worker
    cases: list[tuple[dict[str, Any], str]] = [
        ({"service_id": own.pk}, "service_id"),
        ({"service_id": retired.pk}, "service_id"),
        ({"reason": "  "}, "reason"),
        ({"categories": ["convictions"]}, "categories"),
    ]
    for change, field in cases:
        options: dict[str, Any] = {
            "client_id": world.client.pk,
            "service_id": world.service.pk,
            "reason": "A course.",
        } | change
        with pytest.raises(InvalidInput) as bad:
            s.referral_draft(actor=council, **options)
        assert field in bad.value.errors, (change, bad.value.errors)
    # A client the outsider's organisation does not work with: no such client.
    with pytest.raises(NotFound):
        s.referral_draft(actor=personas.outsider, client_id=world.client.pk, service_id=world.service.pk, reason="x")
    assert not Referral.objects.exists()


def test_an_ineligible_or_full_service_needs_a_note(world, personas):
    full = make_service(
        personas.college_leader,
        name="Full Course",
        places_available=0,
        min_age=None,
        max_age=None,
        local_authorities=[],
        postcode_areas=[],
    )
    referral = s.referral_draft(
        actor=personas.council_worker, client_id=world.client.pk, service_id=full.pk, reason="x"
    )
    with pytest.raises(InvalidInput) as bad:
        s.referral_send(actor=personas.council_worker, referral=referral)
    assert "full" in bad.value.errors["override_note"][0]
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
    s.referral_send(actor=personas.council_worker, referral=referral, override_note="They expect a place next week.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.flags
    assert referral.override_note


def test_a_stale_answer_is_a_conflict(world):
    referral = _send(world)
    stale = Referral.objects.get(pk=referral.pk)
    s.referral_accept(actor=world.personas.college_worker, referral=referral)
    with pytest.raises(EditConflict):
        s.referral_decline(
            actor=world.personas.college_leader, referral=stale, reason="no_capacity", expected_version=stale.version
        )


def test_withdrawing_consent_for_the_partner_withdraws_pending_referrals(world):
    referral = _send(world)
    assert world.consent is not None
    consent_withdraw(record=world.consent, actor=world.personas.council_worker, note="Changed her mind.")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN
    assert "withdrew their consent" in referral.events.get(kind=EventKind.WITHDRAWN).note
    assert cm.Engagement.objects.get(client=world.client, organisation=world.personas.college).status == "closed"


def test_unanswered_referrals_are_escalated_once(world, django_capture_on_commit_callbacks):
    referral = _send(world)
    Referral.objects.filter(pk=referral.pk).update(answer_due_on=timezone.localdate() - dt.timedelta(days=1))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert s.referrals_escalate() == 1
    assert s.referrals_escalate() == 0
    referral.refresh_from_db()
    assert referral.escalated_at is not None
    assert referral.events.filter(kind=EventKind.ESCALATED).count() == 1
    to = {address for m in mail.outbox for address in m.to}
    assert world.personas.college_leader.user.email in to
    assert world.personas.council_worker.user.email in to
    rows = selectors.referral_list(actor=world.personas.council_worker, direction="sent")
    assert rows[0].overdue


def test_every_step_is_audited(world):
    referral = _send(world)
    s.referral_accept(actor=world.personas.college_worker, referral=referral)
    actions = list(
        AuditEvent.objects.filter(object_id=str(referral.pk)).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["referral.drafted", "referral.sent", "referral.accepted"]


def test_only_the_two_parties_see_a_referral(world, personas):
    referral = _send(world)
    for outsider in (personas.outsider, personas.council_dpo):
        with pytest.raises((NotFound, NotPermitted)):
            selectors.referral_view(actor=outsider, referral_id=referral.pk)
    draft = _draft(world)
    with pytest.raises(NotFound):
        selectors.referral_view(actor=personas.college_worker, referral_id=draft.pk)


def test_messages_only_between_the_parties(world, personas):
    referral = _send(world)
    message = s.message_send(
        actor=personas.college_worker,
        referral=referral,
        to_organisation_id=personas.council.pk,
        body="Could Morag come in on Tuesday?",
    )
    assert message.body == "Could Morag come in on Tuesday?"
    with pytest.raises(InvalidInput) as bad:
        s.message_send(
            actor=personas.council_worker,
            referral=referral,
            to_organisation_id=personas.outsider_org.pk,
            body="Hello",
        )
    assert "to_organisation_id" in bad.value.errors
    with pytest.raises(NotFound):
        s.message_send(actor=personas.outsider, referral=referral, to_organisation_id=personas.council.pk, body="Hi")
    view = selectors.referral_view(actor=personas.council_worker, referral_id=referral.pk)
    assert [m.body for m in view.messages] == ["Could Morag come in on Tuesday?"]


def test_a_gap_in_provision_holds_no_client_data(personas):
    gap = s.gap_record(actor=personas.council_worker, description="No childcare-friendly course", need="B_CHILDCARE")
    assert gap.partnership == personas.partnership
    with pytest.raises(InvalidInput) as bad:
        s.gap_record(actor=personas.council_worker, description="", need="NOPE")
    assert set(bad.value.errors) == {"description", "need"}


def test_the_daily_task_escalates(world):
    from ceangal.referrals.tasks import escalate_unanswered_referrals

    referral = _send(world)
    Referral.objects.filter(pk=referral.pk).update(answer_due_on=timezone.localdate() - dt.timedelta(days=1))
    assert escalate_unanswered_referrals.call() == 1
