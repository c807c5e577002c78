"""The referral pages, secure messages and gaps in provision, through the test browser: every page
and step, errors that name the field and save nothing, what each organisation may see."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from ceangal.clients.services import engagement_open
from ceangal.directory.tests.factories import make_service
from ceangal.ledger.models import LedgerEntry
from ceangal.referrals import services as s
from ceangal.referrals.models import EventKind, Message, ProvisionGap, Referral, ReferralStatus
from ceangal.referrals.tests.world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(personas):
    return make_world(personas)


@pytest.fixture
def calum(sign_in, personas):
    """The college's key worker."""
    return sign_in(personas.college_worker)


def _draft(world, **extra):
    options = {"reason": "Morag wants a college course in care."} | extra
    return s.referral_draft(
        actor=world.personas.council_worker, client_id=world.client.pk, service_id=world.service.pk, **options
    )


def _sent(world):
    return s.referral_send(actor=world.personas.council_worker, referral=_draft(world))


def _url(referral):
    return reverse("web:referral_detail", kwargs={"referral_id": referral.pk})


def _post(browser, referral, action, **data):
    return browser.post(_url(referral), {"action": action, "version": str(referral.version)} | data)


def _page(response):
    return response.content.decode()


# -- refer a client ---------------------------------------------------------------------------------


def test_the_record_links_to_refer_referrals_and_messages(kirsty, world):
    page = _page(kirsty.get(reverse("web:client_record", kwargs={"client_id": world.client.pk})))
    assert reverse("web:referral_new", kwargs={"client_id": world.client.pk}) in page
    assert reverse("web:referral_list") + f"?client={world.client.pk}" in page
    assert reverse("web:client_messages", kwargs={"client_id": world.client.pk}) in page


def test_the_services_page_offers_refer_for_partners_services_only(kirsty, world, personas):
    own = make_service(personas.council_leader, name="Council Hub")
    page = _page(kirsty.get(reverse("web:client_services", kwargs={"client_id": world.client.pk})))
    refer = reverse("web:referral_new", kwargs={"client_id": world.client.pk})
    assert f"{refer}?service={world.service.pk}" in page
    assert f"{refer}?service={own.pk}" not in page


def test_choosing_a_service_then_saving_a_draft(kirsty, world):
    url = reverse("web:referral_new", kwargs={"client_id": world.client.pk})
    page = _page(kirsty.get(url))
    assert world.service.name in page
    assert 'method="get"' in page
    page = _page(kirsty.get(url + f"?service={world.service.pk}"))
    assert "Why are you referring the client?" in page
    assert 'value="health" checked' in page
    response = kirsty.post(
        url,
        {
            "service_id": world.service.pk,
            "reason": "Wants a care course.",
            "categories": ["identity", "qualifications"],
        },
    )
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _url(referral)
    assert referral.status == ReferralStatus.DRAFT
    assert referral.categories == ["identity", "qualifications"]
    assert referral.reason == "Wants a care course."


def test_a_referral_without_a_reason_names_the_field_and_saves_nothing(kirsty, world):
    url = reverse("web:referral_new", kwargs={"client_id": world.client.pk})
    response = kirsty.post(url, {"service_id": world.service.pk, "reason": "  ", "categories": ["identity"]})
    assert response.status_code == 422
    page = _page(response)
    assert "There is a problem" in page
    assert 'href="#f-reason"' in page
    assert "Why are you referring the client?: Say why you are referring the client" in page
    assert not Referral.objects.exists()


def test_an_unknown_service_is_an_error_on_the_service(kirsty, world, personas):
    own = make_service(personas.council_leader, name="Council Hub")
    url = reverse("web:referral_new", kwargs={"client_id": world.client.pk})
    response = kirsty.post(url, {"service_id": own.pk, "reason": "Why not."})
    assert response.status_code == 422
    assert 'href="#f-service_id-0"' in _page(response)
    assert not Referral.objects.exists()


def test_another_organisation_cannot_refer_a_client_it_does_not_work_with(sign_in, world, personas):
    outsider = sign_in(personas.outsider)
    url = reverse("web:referral_new", kwargs={"client_id": world.client.pk})
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"service_id": world.service.pk, "reason": "x"}).status_code == 404
    assert not Referral.objects.exists()


# -- the draft: preview and send ------------------------------------------------------------------


def test_the_draft_shows_the_packet_as_the_college_will_see_it(kirsty, world, personas):
    referral = _draft(world)
    page = _page(kirsty.get(_url(referral)))
    assert f"What {personas.college.name} will see" in page
    assert "N5 English" in page
    # Health is needed by the service but the client did not agree: not shared, with the reason
    # and a way to record consent.
    assert "Will not be shared:" in page
    assert "not agreed" in page
    assert reverse("web:consent_new", kwargs={"client_id": world.client.pk}) in page
    assert "Send referral" in page


def test_sending_without_a_note_when_the_service_may_not_take_the_client(kirsty, world, personas):
    world.service.max_age = 18
    world.service.save(update_fields=["max_age"])
    referral = _draft(world)
    page = _page(kirsty.get(_url(referral)))
    assert "This service may not take the client" in page
    assert "Required: this service may not take the client" in page
    response = _post(kirsty, referral, "send", override_note="")
    assert response.status_code == 422
    assert 'href="#f-override_note"' in _page(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
    response = _post(kirsty, referral, "send", override_note="She is 20 but the college agreed on the phone.")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.override_note.startswith("She is 20")


def test_sending_a_withdrawn_draft_says_why_and_changes_nothing(kirsty, world):
    referral = _draft(world)
    page_version = referral.version
    s.referral_withdraw(actor=world.personas.council_worker, referral=referral, reason="Changed our mind.")
    response = kirsty.post(_url(referral), {"action": "send", "version": str(page_version)})
    assert response.status_code == 422
    assert "A referral that is withdrawn cannot be sent." in _page(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.WITHDRAWN


def test_accepting_from_a_page_opened_before_a_question_was_answered_is_a_conflict(calum, world, personas):
    referral = _sent(world)
    page_version = referral.version  # the college opened the page now
    referral = s.referral_request_info(actor=personas.college_leader, referral=referral, question="Which course?")
    s.referral_give_info(actor=personas.council_worker, referral=referral, answer="Care, part time.")
    response = calum.post(_url(referral), {"action": "accept", "key_worker": "", "version": str(page_version)})
    assert response.status_code == 409
    page = _page(response)
    assert "Someone else changed this referral while you had it open, so nothing was saved." in page
    assert "Care, part time." in page  # the page now shows the referral as it is
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_a_stale_version_on_a_waiting_referral_is_a_conflict(calum, world):
    referral = _sent(world)
    response = calum.post(_url(referral), {"action": "ask", "question": "Which course?", "version": "1"})
    assert response.status_code == 409
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_withdrawing_a_draft_needs_a_reason(kirsty, world):
    referral = _draft(world)
    response = _post(kirsty, referral, "withdraw", withdraw_reason="")
    assert response.status_code == 422
    assert 'href="#f-withdraw_reason"' in _page(response)
    assert Referral.objects.get().status == ReferralStatus.DRAFT
    response = _post(kirsty, referral, "withdraw", withdraw_reason="Wrong service.")
    assert response.status_code == 302
    assert Referral.objects.get().status == ReferralStatus.WITHDRAWN


def test_a_draft_is_not_found_by_the_recipient_or_an_outsider(calum, sign_in, world, personas):
    referral = _draft(world)
    assert calum.get(_url(referral)).status_code == 404
    outsider = sign_in(personas.outsider)
    assert outsider.get(_url(referral)).status_code == 404
    assert outsider.post(_url(referral), {"action": "send", "version": "1"}).status_code == 404
    assert Referral.objects.get().status == ReferralStatus.DRAFT


# -- the recipient ----------------------------------------------------------------------------------


def test_the_recipient_sees_the_packet_but_not_health(calum, world, personas):
    referral = _sent(world)
    page = _page(calum.get(_url(referral)))
    assert "Morag Macleod" in page
    assert "N5 English" in page
    assert "Morag wants a college course in care." in page
    assert "Accept referral" in page
    assert "Decline referral" in page
    assert "Ask the referrer" in page
    # The service needs health, but the client did not agree to share it: it is not in the packet.
    assert "Health" not in page
    assert "Mental" not in page
    entry = LedgerEntry.objects.filter(actor_staff_id=personas.college_worker.pk).latest("pk")
    assert entry.purpose == "referral"
    assert "health" not in entry.categories


def test_an_outsider_cannot_see_a_sent_referral(sign_in, world, personas):
    referral = _sent(world)
    outsider = sign_in(personas.outsider)
    assert outsider.get(_url(referral)).status_code == 404
    assert outsider.post(_url(referral), {"action": "accept", "version": "2"}).status_code == 404


def test_the_recipient_accepts_with_a_key_worker(sign_in, world, personas):
    referral = _sent(world)
    leader = sign_in(personas.college_leader)
    response = _post(leader, referral, "accept", key_worker=str(personas.college_worker.pk))
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert referral.receiving_key_worker == personas.college_worker
    page = _page(leader.get(_url(referral)))
    assert "Tell us once:" in page
    assert "did not have to give again" in page
    assert reverse("web:client_record", kwargs={"client_id": world.client.pk}) in page
    assert "Mark as started" in page


def test_accepting_for_someone_not_in_the_list_is_refused(calum, world, personas):
    referral = _sent(world)
    response = _post(calum, referral, "accept", key_worker=str(personas.council_worker.pk))
    assert response.status_code == 422
    assert 'href="#f-key_worker"' in _page(response)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_declining_needs_a_reason_then_the_referrer_sees_why(calum, kirsty, world):
    referral = _sent(world)
    response = _post(calum, referral, "decline", decline_reason="", decline_note="")
    assert response.status_code == 422
    page = _page(response)
    assert 'href="#f-decline_reason-0"' in page
    assert "Why are you declining?: Choose why you are declining" in page
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    response = _post(calum, referral, "decline", decline_reason="no_capacity", decline_note="Full until June.")
    assert response.status_code == 302
    page = _page(kirsty.get(_url(referral)))
    assert "No places available: Full until June." in page
    assert "Declined" in page


def test_asking_and_answering_a_question(calum, kirsty, world):
    referral = _sent(world)
    response = _post(calum, referral, "ask", question="")
    assert response.status_code == 422
    assert 'href="#f-question"' in _page(response)
    response = _post(calum, referral, "ask", question="Does she want full time or part time?")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MORE_INFO
    page = _page(kirsty.get(_url(referral)))
    assert "Does she want full time or part time?" in page
    assert "Send answer" in page
    response = _post(kirsty, referral, "answer", answer="")
    assert response.status_code == 422
    assert 'href="#f-answer"' in _page(response)
    response = _post(kirsty, referral, "answer", answer="Part time.")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT


def test_started_and_completed_then_the_referrer_sees_the_closed_loop(calum, kirsty, world):
    referral = _sent(world)
    _post(calum, referral, "accept", key_worker="")
    referral.refresh_from_db()
    response = _post(calum, referral, "start", started_on="31 2 2026")
    assert response.status_code == 422
    assert 'href="#f-started_on"' in _page(response)
    future = timezone.localdate() + dt.timedelta(days=3)
    response = _post(calum, referral, "start", started_on=f"{future.day} {future.month} {future.year}")
    assert response.status_code == 422
    assert "cannot be in the future" in _page(response)
    today = timezone.localdate()
    response = _post(calum, referral, "start", started_on=f"{today.day} {today.month} {today.year}")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.started_on == today
    page = _page(kirsty.get(_url(referral)))
    assert "What happened" in page
    assert "Accepted" in page
    assert "answered after" in page
    assert "Started" in page
    assert "0 days after it was sent" in page
    response = _post(calum, referral, "complete", complete_note="Finished the course.")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    page = _page(kirsty.get(_url(referral)))
    assert "Completed" in page
    assert "Finished the course." in page  # the timeline's note


def test_the_timeline_lists_each_step_with_who_and_time_since(calum, kirsty, world, personas):
    referral = _sent(world)
    _post(calum, referral, "ask", question="Which campus?")
    page = _page(kirsty.get(_url(referral)))
    for label in (EventKind.CREATED.label, EventKind.SENT.label, EventKind.MORE_INFO.label):
        assert str(label) in page
    assert personas.college.name in page
    assert "Which campus?" in page
    assert "less than a minute" in page


# -- the lists ---------------------------------------------------------------------------------------


def test_the_list_shows_received_and_sent_with_waiting_first(calum, kirsty, world, personas):
    referral = _sent(world)
    page = _page(calum.get(reverse("web:referral_list")))
    assert world.client.reference in page
    assert world.service.name in page
    assert personas.council.name in page
    assert _url(referral) in page
    assert "1 referral received" in page
    page = _page(kirsty.get(reverse("web:referral_list") + "?direction=sent"))
    assert "1 referral sent" in page
    assert _url(referral) in page
    page = _page(kirsty.get(reverse("web:referral_list")))
    assert "0 referrals received" in page
    page = _page(kirsty.get(reverse("web:referral_list") + "?direction=sent&status=accepted"))
    assert _url(referral) not in page


def test_an_overdue_referral_is_tagged(calum, world):
    referral = _sent(world)
    Referral.objects.filter(pk=referral.pk).update(answer_due_on=timezone.localdate() - dt.timedelta(days=2))
    page = _page(calum.get(reverse("web:referral_list")))
    assert "Overdue" in page


def test_the_header_counts_referrals_waiting_and_unread_messages(calum, world, personas):
    referral = _sent(world)
    s.message_send(
        actor=personas.council_worker, body="Hello", to_organisation_id=personas.college.pk, referral=referral
    )
    page = _page(calum.get(reverse("web:caseload")))
    assert "Referrals (1 waiting)" in page
    assert "Messages (1 unread)" in page


def test_the_list_for_one_client(kirsty, world):
    referral = _sent(world)
    page = _page(kirsty.get(reverse("web:referral_list") + f"?client={world.client.pk}"))
    assert _url(referral) in page
    assert "Showing only the referrals of one client" in page
    page = _page(kirsty.get(reverse("web:referral_list") + f"?client={uuid.uuid4()}"))
    assert _url(referral) not in page


# -- messages ------------------------------------------------------------------------------------------


def test_a_message_on_a_referral_is_read_by_the_other_side_and_marked_read(calum, kirsty, world):
    referral = _sent(world)
    response = _post(kirsty, referral, "message", body="")
    assert response.status_code == 422
    assert 'href="#f-body"' in _page(response)
    assert not Message.objects.exists()
    response = _post(kirsty, referral, "message", body="She prefers mornings.")
    assert response.status_code == 302
    assert response["Location"].endswith("#messages")
    inbox = _page(calum.get(reverse("web:messages")))
    assert "Unread" in inbox
    assert "She prefers mornings." not in inbox  # no bodies in the list
    assert _url(referral) + "#messages" in inbox
    assert "She prefers mornings." in _page(calum.get(_url(referral)))
    assert Message.objects.get().read_at is not None
    assert "Unread" not in _page(calum.get(reverse("web:messages")))


def test_no_message_about_a_draft_the_other_organisation_does_not_know_of(kirsty, world):
    referral = _draft(world)
    response = _post(kirsty, referral, "message", body="Expect a referral soon.")
    assert response.status_code == 422
    assert "The referral is still a draft" in _page(response)
    assert not Message.objects.exists()


def test_messages_about_a_client_go_to_an_organisation_working_with_them(calum, kirsty, world, personas):
    engagement_open(actor=personas.college_worker, client=world.client)
    url = reverse("web:client_messages", kwargs={"client_id": world.client.pk})
    page = _page(kirsty.get(url))
    assert personas.college.name in page
    response = kirsty.post(url, {"to_organisation_id": "", "body": ""})
    assert response.status_code == 422
    page = _page(response)
    assert 'href="#f-to_organisation_id-0"' in page
    assert 'href="#f-body"' in page
    assert not Message.objects.exists()
    response = kirsty.post(url, {"to_organisation_id": str(personas.college.pk), "body": "Can we meet?"})
    assert response.status_code == 302
    assert "Can we meet?" in _page(calum.get(url))
    assert Message.objects.get().read_at is not None


def test_client_messages_are_not_found_for_an_organisation_not_working_with_the_client(sign_in, world, personas):
    outsider = sign_in(personas.outsider)
    url = reverse("web:client_messages", kwargs={"client_id": world.client.pk})
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"to_organisation_id": str(personas.council.pk), "body": "Hi"}).status_code == 404
    assert not Message.objects.exists()


# -- gaps in provision --------------------------------------------------------------------------------


def test_recording_a_gap_prefilled_from_the_services_page(kirsty, morag, personas):
    # No service in the directory: nothing is eligible, so the page offers to record the gap.
    services_page = reverse("web:client_services", kwargs={"client_id": morag.pk})
    page = _page(kirsty.get(services_page + "?need=B_CONF&stage=PS2"))
    assert "Record a gap in provision" in page
    assert reverse("web:gap_new") + "?need=B_CONF&amp;stage=PS2" in page
    url = reverse("web:gap_new") + "?need=B_CONF&stage=PS2"
    page = _page(kirsty.get(url))
    assert '<option value="B_CONF" selected>' in page
    assert '<option value="PS2" selected>' in page
    response = kirsty.post(reverse("web:gap_new"), {"description": "", "need": "B_CONF"})
    assert response.status_code == 422
    assert 'href="#f-description"' in _page(response)
    assert not ProvisionGap.objects.exists()
    response = kirsty.post(reverse("web:gap_new"), {"description": "", "need": "NOPE"})
    assert 'href="#f-need"' in _page(response)
    response = kirsty.post(
        reverse("web:gap_new"), {"description": "Evening confidence course", "need": "B_CONF", "stage": "PS2"}
    )
    assert response.status_code == 302
    gap = ProvisionGap.objects.get()
    assert gap.need == "B_CONF"
    assert gap.organisation == personas.council
    page = _page(kirsty.get(reverse("web:gap_list")))
    assert "Evening confidence course" in page
    assert _page(kirsty.get(reverse("web:gap_list") + "?need=B_TRANSPORT")).count("Evening confidence course") == 0


def test_any_staff_member_sees_the_partnerships_gaps_but_only_caseworkers_record_them(sign_in, kirsty, personas):
    kirsty.post(reverse("web:gap_new"), {"description": "No ESOL in Levenmouth"})
    analyst = sign_in(personas.analyst)
    assert "No ESOL in Levenmouth" in _page(analyst.get(reverse("web:gap_list")))
    assert analyst.get(reverse("web:gap_new")).status_code == 403
    assert analyst.post(reverse("web:gap_new"), {"description": "x"}).status_code == 403
    assert ProvisionGap.objects.count() == 1
