"""The DPO's rights-request pages and logging a request from a client's record."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

import pytest
from django.test import Client as Browser
from django.urls import reverse
from django.utils import timezone

from ceangal.clients import models as cm
from ceangal.partners.models import StaffMember
from ceangal.rights.models import RightsRequest
from ceangal.rights.tests.factories import backdate_events, log_request
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db
QUEUE = reverse("web:rights_queue")
NEW = reverse("web:rights_request_new")


def _detail(request: RightsRequest) -> str:
    return reverse("web:rights_request_detail", kwargs={"request_id": request.pk})


def _today_typed(days_ago: int = 0) -> str:
    day = timezone.localdate() - dt.timedelta(days=days_ago)
    return f"{day.day} {day.month} {day.year}"


def test_the_queue_shows_overdue_first_tagged_and_names_no_client(
    personas: Personas, morag: cm.Client, sign_in: Callable[[StaffMember], Browser]
) -> None:
    fresh = log_request(personas.council_worker, morag.pk, kind="objection")
    late = log_request(personas.council_worker, morag.pk, received_on=timezone.localdate() - dt.timedelta(days=40))
    soon = log_request(personas.council_worker, morag.pk, received_on=timezone.localdate() - dt.timedelta(days=26))
    html = sign_in(personas.council_dpo).get(QUEUE).content.decode()
    positions = [html.index(_detail(r)) for r in (late, soon, fresh)]
    assert positions == sorted(positions)
    assert html.count("ds_tag--red") == 1
    assert ">Overdue<" in html
    assert ">Due soon<" in html
    assert morag.reference in html
    assert "Morag" not in html
    assert "Macleod" not in html


def test_the_queue_filters_by_kind_and_status(
    personas: Personas, morag: cm.Client, sign_in: Callable[[StaffMember], Browser]
) -> None:
    access = log_request(personas.council_worker, morag.pk)
    erasure = log_request(personas.council_worker, morag.pk, kind="erasure")
    dpo = sign_in(personas.council_dpo)
    html = dpo.get(QUEUE, {"kind": "erasure"}).content.decode()
    assert _detail(erasure) in html
    assert _detail(access) not in html
    assert "No request matches these filters." in dpo.get(QUEUE, {"status": "completed"}).content.decode()


def test_logging_with_errors_names_each_field_then_logs(
    personas: Personas, morag: cm.Client, sign_in: Callable[[StaffMember], Browser]
) -> None:
    dpo = sign_in(personas.council_dpo)
    response = dpo.post(NEW, {"client": "CG-NOSUCH", "kind": "", "channel": "letter", "received_on": "31 2 2027"})
    assert response.status_code == 422
    html = response.content.decode()
    summary = html[html.index("error-summary") : html.index("</ul>", html.index("error-summary"))]
    assert 'href="#f-kind-0"' in summary
    assert 'href="#f-received_on"' in summary
    assert not RightsRequest.objects.exists()
    # A reference no client has is a field error, once the other fields are right.
    response = dpo.post(NEW, {"client": "CG-NOSUCH", "kind": "access", "channel": "letter", "received_on": "1 1 2026"})
    assert response.status_code == 422
    assert "No client in the partnership has this reference" in response.content.decode()
    response = dpo.post(
        NEW,
        {
            "client": morag.reference,
            "kind": "access",
            "channel": "phone",
            "received_on": _today_typed(2),
            "details": "Wants her file.",
        },
    )
    logged = RightsRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail(logged)
    assert (logged.client_id, logged.channel, logged.received_on) == (
        morag.pk,
        "phone",
        timezone.localdate() - dt.timedelta(days=2),
    )


def test_a_key_worker_logs_from_the_clients_record_and_sees_it_read_only(
    personas: Personas, morag: cm.Client, kirsty: Browser
) -> None:
    record = kirsty.get(reverse("web:client_record", kwargs={"client_id": morag.pk})).content.decode()
    url = reverse("web:rights_request_new_for_client", kwargs={"client_id": morag.pk})
    assert url in record
    form = kirsty.get(url).content.decode()
    assert 'name="client"' not in form
    response = kirsty.post(url, {"kind": "rectification", "channel": "in_person", "received_on": _today_typed()})
    logged = RightsRequest.objects.get()
    assert response["Location"] == _detail(logged)
    page = kirsty.get(_detail(logged)).content.decode()
    assert "data protection officer works on this request" in page
    assert 'name="step"' not in page
    # Posting a step anyway is refused, and changes nothing.
    assert kirsty.post(_detail(logged), {"step": "complete", "note": "Done."}).status_code == 403
    logged.refresh_from_db()
    assert logged.status == "received"


def test_the_dpo_extends_a_request_and_the_clock_is_explained(
    personas: Personas, morag: cm.Client, sign_in: Callable[[StaffMember], Browser]
) -> None:
    received = timezone.localdate() - dt.timedelta(days=5)
    request = log_request(personas.council_worker, morag.pk, received_on=received)
    dpo = sign_in(personas.council_dpo)
    page = dpo.get(_detail(request)).content.decode()
    assert 'value="extend"' in page
    response = dpo.post(_detail(request), {"step": "extend", "version": "1", "months": "", "reason": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'href="#f-extend-months-0"' in html
    assert 'href="#f-extend-reason"' in html
    response = dpo.post(
        _detail(request), {"step": "extend", "version": "1", "months": "2", "reason": "it spans six partners"}
    )
    assert response.status_code == 302
    page = dpo.get(_detail(request)).content.decode()
    assert "extended by 2 months on" in page
    assert "because it spans six partners" in page
    # The old version is a conflict, not an overwrite.
    response = dpo.post(_detail(request), {"step": "complete", "version": "1", "note": "Sent."})
    assert response.status_code == 422
    assert "changed by someone else" in response.content.decode()


def test_a_pause_is_explained_in_words(
    personas: Personas, morag: cm.Client, sign_in: Callable[[StaffMember], Browser]
) -> None:
    received = timezone.localdate() - dt.timedelta(days=20)
    request = log_request(personas.council_worker, morag.pk, received_on=received)
    dpo = sign_in(personas.council_dpo)
    dpo.post(_detail(request), {"step": "await_identity", "version": "1", "note": "Asked for ID."})
    dpo.post(_detail(request), {"step": "verify_identity", "version": "2", "method": "photo_id"})
    backdate_events(
        request,
        awaiting_identity=received + dt.timedelta(days=1),
        identity_verified=received + dt.timedelta(days=11),
    )
    page = dpo.get(_detail(request)).content.decode()
    assert re.search(r"paused 10 days awaiting identity", page)
    assert "clock stopped" in page
    assert "clock restarted" in page


def test_the_dpo_dashboard_links_to_the_queue(personas: Personas, sign_in: Callable[[StaffMember], Browser]) -> None:
    html = sign_in(personas.council_dpo).get(reverse("web:dpo_dashboard")).content.decode()
    assert QUEUE in html
    assert NEW in html
