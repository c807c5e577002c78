"""Logging a rights request and each step the DPO takes: who may, what each step changes, the
clock's pauses and extension, bad input (nothing saved) and the audit trail."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.clients import models as cm
from ceangal.clients.services import engagement_open
from ceangal.errors import EditConflict, InvalidInput, NotFound, NotPermitted
from ceangal.rights import selectors, services
from ceangal.rights.clock import add_months
from ceangal.rights.models import RequestStatus, RightsRequest, RightsRequestEvent
from ceangal.rights.tests.factories import backdate_events, log_request
from ceangal.testing.factories import Personas, make_client, make_organisation, make_partnership, make_staff

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


@pytest.fixture
def client(personas: Personas) -> cm.Client:
    return make_client(personas.council_worker)


def _audits(request: RightsRequest) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="rights_request", object_id=str(request.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


# -- logging --------------------------------------------------------------------------------------


def test_a_key_worker_logs_a_request_for_their_client(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk, received_on=TODAY() - dt.timedelta(days=2))
    assert request.status == RequestStatus.RECEIVED
    assert request.client_id == client.pk
    assert request.partnership_id == personas.partnership.pk
    assert request.received_by_id == personas.council.pk
    assert request.logged_by_id == personas.council_worker.pk
    assert [e.kind for e in request.events.all()] == ["logged"]
    audit = AuditEvent.objects.get(action="rights_request.logged")
    assert audit.client_id == client.pk
    assert audit.detail["kind"] == "access"
    # What the client said stays out of the audit log.
    assert "copy of everything" not in str(audit.detail)


def test_the_dpo_logs_a_request_for_any_client_of_the_partnership_by_reference(
    personas: Personas, client: cm.Client
) -> None:
    request = services.request_log(
        actor=personas.college_dpo,
        client=client.reference.lower(),
        kind="erasure",
        channel="email",
        received_on=TODAY(),
    )
    assert request.client_id == client.pk


@pytest.mark.parametrize("client_id", [uuid.uuid4(), "CG-NOSUCH", "not-an-id"])
def test_a_client_that_does_not_exist_is_not_found_and_nothing_is_saved(personas: Personas, client_id: object) -> None:
    with pytest.raises(NotFound, match=r"^No such client\.$"):
        log_request(personas.council_dpo, client_id)
    assert not RightsRequest.objects.exists()
    assert not AuditEvent.objects.filter(object_type="rights_request").exists()


def test_a_client_the_organisation_does_not_work_with_looks_the_same_as_none(
    personas: Personas, client: cm.Client
) -> None:
    with pytest.raises(NotFound, match=r"^No such client\.$"):
        log_request(personas.college_worker, client.pk)
    assert not RightsRequest.objects.exists()


def test_another_partnerships_dpo_cannot_log_for_our_client(client: cm.Client) -> None:
    elsewhere = make_organisation(make_partnership("Elsewhere"), "Elsewhere Council")
    with pytest.raises(NotFound):
        log_request(make_staff(elsewhere, "dpo"), client.pk)


@pytest.mark.parametrize("who", ["council_admin", "analyst", "untrained", "inactive"])
def test_only_trained_caseworkers_and_the_dpo_may_log(personas: Personas, client: cm.Client, who: str) -> None:
    with pytest.raises(NotPermitted):
        log_request(getattr(personas, who), client.pk)
    assert not RightsRequest.objects.exists()


def test_bad_input_names_every_field_and_saves_nothing(personas: Personas, client: cm.Client) -> None:
    with pytest.raises(InvalidInput) as exc:
        services.request_log(
            actor=personas.council_worker,
            client=str(client.pk),
            kind="gossip",
            channel="portal",
            received_on=TODAY() + dt.timedelta(days=1),
            details="x" * 5000,
        )
    assert set(exc.value.errors) == {"kind", "channel", "received_on", "details"}
    assert "future" in exc.value.errors["received_on"][0]
    with pytest.raises(InvalidInput) as exc:
        services.request_log(actor=personas.council_worker, client="", kind="access", channel="letter", received_on="")
    assert set(exc.value.errors) == {"client", "received_on"}
    with pytest.raises(InvalidInput, match="real date"):
        services.request_log(
            actor=personas.council_worker, client=str(client.pk), kind="access", channel="letter", received_on="31 2"
        )
    assert not RightsRequest.objects.exists()


# -- who works it ---------------------------------------------------------------------------------


def test_only_the_partnerships_dpo_takes_steps(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk)
    for who in ("council_worker", "council_leader", "council_admin"):
        with pytest.raises(NotPermitted, match="data protection officer"):
            services.request_complete(actor=getattr(personas, who), request=request, note="Sent.")
    elsewhere = make_staff(make_organisation(make_partnership("Elsewhere"), "Elsewhere Council"), "dpo")
    with pytest.raises(NotPermitted):
        services.request_complete(actor=elsewhere, request=request, note="Sent.")
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED
    assert _audits(request) == ["rights_request.logged"]


def test_who_sees_which_requests(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk)
    assert selectors.request_for(actor=personas.council_dpo, request_id=request.pk) == request
    assert selectors.request_for(actor=personas.college_dpo, request_id=request.pk) == request
    assert selectors.request_for(actor=personas.council_leader, request_id=request.pk) == request
    for who in ("college_worker", "outsider", "council_admin", "analyst"):
        with pytest.raises(NotFound, match="No such rights request"):
            selectors.request_for(actor=getattr(personas, who), request_id=request.pk)
    with pytest.raises(NotFound):
        selectors.dpo_queue(actor=personas.council_worker, today=TODAY())
    assert [r.id for r in selectors.requests_list(actor=personas.council_worker, today=TODAY())] == [request.pk]
    assert selectors.requests_list(actor=personas.college_worker, today=TODAY()) == []


# -- the steps and the clock ----------------------------------------------------------------------


def test_identity_pause_moves_the_due_date_by_the_days_waited(personas: Personas, client: cm.Client) -> None:
    received = TODAY() - dt.timedelta(days=20)
    request = log_request(personas.council_worker, client.pk, received_on=received)
    dpo = personas.council_dpo
    services.request_await_identity(actor=dpo, request=request, note="Asked for photo ID.")
    backdate_events(request, awaiting_identity=received + dt.timedelta(days=2))
    paused = selectors.request_detail(actor=dpo, request_id=request.pk, today=TODAY())
    assert paused.clock.paused
    assert request.status == RequestStatus.AWAITING_IDENTITY
    services.request_verify_identity(actor=dpo, request=request, method="photo_id", note="Passport seen.")
    backdate_events(request, identity_verified=received + dt.timedelta(days=12))
    detail = selectors.request_detail(actor=dpo, request_id=request.pk, today=TODAY())
    assert detail.clock.due_on == add_months(received, 1) + dt.timedelta(days=10)
    assert not detail.clock.paused
    assert "paused 10 days awaiting identity" in detail.clock.explanation
    assert request.identity_method == "photo_id"
    marks = list(RightsRequestEvent.objects.filter(request=request).exclude(pause="").values_list("pause", flat=True))
    assert marks == ["start", "end"]
    assert _audits(request) == [
        "rights_request.logged",
        "rights_request.awaiting_identity",
        "rights_request.identity_verified",
    ]


def test_clarification_pause_and_resume(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk, received_on=TODAY() - dt.timedelta(days=5))
    dpo = personas.council_dpo
    with pytest.raises(InvalidInput) as exc:
        services.request_await_clarification(actor=dpo, request=request, question="  ")
    assert set(exc.value.errors) == {"question"}
    services.request_await_clarification(actor=dpo, request=request, question="Which years do you mean?")
    assert request.status == RequestStatus.AWAITING_CLARIFICATION
    before = selectors.request_detail(actor=dpo, request_id=request.pk, today=TODAY()).clock
    later = selectors.request_detail(actor=dpo, request_id=request.pk, today=TODAY() + dt.timedelta(days=4)).clock
    # While paused the days left stand still.
    assert before.paused
    assert later.days_left == before.days_left
    services.request_resume(actor=dpo, request=request, note="They told us: 2024 and 2025.")
    assert request.status == RequestStatus.IN_PROGRESS
    assert not selectors.request_detail(actor=dpo, request_id=request.pk, today=TODAY()).clock.paused


def test_extension_within_the_first_month(personas: Personas, client: cm.Client) -> None:
    received = TODAY() - dt.timedelta(days=3)
    request = log_request(personas.council_worker, client.pk, received_on=received)
    dpo = personas.council_dpo
    with pytest.raises(InvalidInput) as exc:
        services.request_extend(actor=dpo, request=request, months=3, reason="")
    assert set(exc.value.errors) == {"months", "reason"}
    services.request_extend(actor=dpo, request=request, months=2, reason="it spans six partners' records")
    request.refresh_from_db()
    assert request.status == RequestStatus.EXTENDED
    assert (request.extension_months, request.extended_on) == (2, TODAY())
    detail = selectors.request_detail(actor=dpo, request_id=request.pk, today=TODAY())
    assert detail.clock.due_on == add_months(received, 3)
    assert "extended by 2 months on" in detail.clock.explanation
    assert "because it spans six partners' records" in detail.clock.explanation
    with pytest.raises(InvalidInput, match="cannot be extended"):
        services.request_extend(actor=dpo, request=request, months=1, reason="More.")


def test_extension_after_the_first_month_is_refused(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk, received_on=TODAY() - dt.timedelta(days=40))
    with pytest.raises(InvalidInput, match="within the first month"):
        services.request_extend(actor=personas.council_dpo, request=request, months=1, reason="Complex.")
    request.refresh_from_db()
    assert request.status == RequestStatus.RECEIVED
    assert request.extension_months is None
    assert _audits(request) == ["rights_request.logged"]


def test_a_complaint_cannot_be_extended_and_is_acknowledged(personas: Personas, client: cm.Client) -> None:
    request = log_request(
        personas.council_worker, client.pk, kind="complaint", received_on=TODAY() - dt.timedelta(days=31)
    )
    dpo = personas.council_dpo
    queue = selectors.dpo_queue(actor=dpo, today=TODAY())
    assert queue[0].overdue
    assert queue[0].due_on == TODAY() - dt.timedelta(days=1)
    with pytest.raises(InvalidInput, match="complaint cannot be extended"):
        services.request_extend(actor=dpo, request=request, months=1, reason="Complex.")
    services.complaint_acknowledge(actor=dpo, request=request, note="Letter sent.")
    request.refresh_from_db()
    assert request.acknowledged_on == TODAY()
    assert request.status == RequestStatus.IN_PROGRESS
    with pytest.raises(InvalidInput, match="acknowledged on"):
        services.complaint_acknowledge(actor=dpo, request=request)
    row = selectors.dpo_queue(actor=dpo, today=TODAY())[0]
    assert (row.due_on, row.overdue) == (None, False)


def test_only_a_complaint_is_acknowledged(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk)
    with pytest.raises(InvalidInput, match="not a complaint"):
        services.complaint_acknowledge(actor=personas.council_dpo, request=request)


def test_complete_and_refuse(personas: Personas, client: cm.Client) -> None:
    dpo = personas.council_dpo
    done = log_request(personas.council_worker, client.pk)
    with pytest.raises(InvalidInput) as exc:
        services.request_complete(actor=dpo, request=done, note="")
    assert set(exc.value.errors) == {"note"}
    services.request_complete(actor=dpo, request=done, note="Pack sent by recorded delivery.")
    done.refresh_from_db()
    assert (done.status, done.completed_on) == (RequestStatus.COMPLETED, TODAY())
    with pytest.raises(InvalidInput, match="completed cannot be refused"):
        services.request_refuse(actor=dpo, request=done, exemption="manifestly_excessive", note="No.")

    refused = log_request(personas.council_worker, client.pk, kind="erasure")
    with pytest.raises(InvalidInput) as exc:
        services.request_refuse(actor=dpo, request=refused, exemption="compelling_grounds", note="")
    assert set(exc.value.errors) == {"exemption", "note"}
    services.request_refuse(
        actor=dpo, request=refused, exemption="public_task_erasure", note="We must keep it for the funder."
    )
    refused.refresh_from_db()
    assert (refused.status, refused.exemption) == (RequestStatus.REFUSED, "public_task_erasure")
    assert AuditEvent.objects.get(action="rights_request.refused").detail["exemption"] == "public_task_erasure"
    # Closed requests leave the queue.
    assert selectors.dpo_queue(actor=dpo, today=TODAY()) == []
    assert len(selectors.dpo_queue(actor=dpo, today=TODAY(), status="refused")) == 1


def test_a_step_on_a_stale_version_is_a_conflict(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk)
    stale = RightsRequest.objects.get(pk=request.pk)
    services.request_await_identity(actor=personas.council_dpo, request=request, expected_version=1)
    with pytest.raises(EditConflict):
        services.request_complete(actor=personas.council_dpo, request=stale, note="Sent.", expected_version=1)
    request.refresh_from_db()
    assert request.status == RequestStatus.AWAITING_IDENTITY


def test_steps_from_the_wrong_status_are_refused(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk)
    with pytest.raises(InvalidInput, match="received cannot be resumed"):
        services.request_resume(actor=personas.council_dpo, request=request)
    services.request_await_identity(actor=personas.council_dpo, request=request)
    with pytest.raises(InvalidInput, match="cannot be completed"):
        services.request_complete(actor=personas.council_dpo, request=request, note="Sent.")
    assert services.allowed_steps(personas.council_dpo, request, today=TODAY()) == (
        "verify_identity",
        "refuse",
        "withdraw",
    )
    assert services.allowed_steps(personas.council_worker, request, today=TODAY()) == ()


def test_the_queue_puts_overdue_first_then_by_days_left(personas: Personas, client: cm.Client) -> None:
    soon = log_request(personas.council_worker, client.pk, received_on=TODAY() - dt.timedelta(days=27))
    late = log_request(personas.council_worker, client.pk, kind="erasure", received_on=TODAY() - dt.timedelta(days=45))
    fresh = log_request(personas.council_worker, client.pk, kind="objection", received_on=TODAY())
    rows = selectors.dpo_queue(actor=personas.council_dpo, today=TODAY())
    assert [r.id for r in rows] == [late.pk, soon.pk, fresh.pk]
    assert rows[0].overdue
    assert rows[0].days_left is not None
    assert rows[0].days_left < 0
    assert rows[1].due_soon
    assert not rows[1].overdue
    assert not rows[2].due_soon
    assert rows[0].client_reference == client.reference
    assert [r.id for r in selectors.dpo_queue(actor=personas.council_dpo, today=TODAY(), kind="erasure")] == [late.pk]


def test_the_client_withdraws_a_paused_request(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk)
    dpo = personas.council_dpo
    services.request_await_clarification(actor=dpo, request=request, question="Which partner?")
    with pytest.raises(InvalidInput) as exc:
        services.request_withdraw(actor=dpo, request=request, note="")
    assert set(exc.value.errors) == {"note"}
    services.request_withdraw(actor=dpo, request=request, note="She rang to say she no longer needs it.")
    request.refresh_from_db()
    assert (request.status, request.completed_on) == (RequestStatus.WITHDRAWN, TODAY())
    assert list(request.events.exclude(pause="").values_list("pause", flat=True)) == ["start", "end"]
    assert selectors.dpo_queue(actor=dpo, today=TODAY()) == []
    assert _audits(request)[-1] == "rights_request.withdrawn"


def test_lapsed_training_sees_no_requests(personas: Personas, client: cm.Client) -> None:
    request = log_request(personas.council_worker, client.pk)
    personas.council_dpo.training_expires_on = TODAY() - dt.timedelta(days=1)
    personas.council_dpo.save(update_fields=["training_expires_on"])
    with pytest.raises(NotPermitted, match="training"):
        selectors.dpo_queue(actor=personas.council_dpo, today=TODAY())
    with pytest.raises(NotPermitted, match="training"):
        services.request_complete(actor=personas.council_dpo, request=request, note="Sent.")
    with pytest.raises(NotFound):
        selectors.request_for(actor=personas.untrained, request_id=request.pk)


def test_another_partner_sees_where_a_request_stands_not_what_it_says(personas: Personas, client: cm.Client) -> None:
    """The college works with the client too: its key worker sees the request and its clock, but
    not what the client said to the council, nor what the DPO told them."""
    engagement_open(actor=personas.college_worker, client=client)
    request = log_request(personas.council_worker, client.pk, details="My ex-partner must not see this.")
    services.request_extend(actor=personas.council_dpo, request=request, months=1, reason="the records are long")
    college = selectors.request_detail(actor=personas.college_worker, request_id=request.pk, today=TODAY())
    assert not college.full
    assert all(entry.note == "" for entry in college.timeline)
    assert "because" not in college.clock.explanation
    council = selectors.request_detail(actor=personas.council_worker, request_id=request.pk, today=TODAY())
    assert council.full
    assert "because the records are long" in council.clock.explanation
