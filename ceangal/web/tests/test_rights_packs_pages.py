"""The DPO's pack page: generating a copy, its progress, deciding flags (errors named by field),
release refused while flags wait, preview and download, and who may open it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client as Browser
from django.urls import reverse

from ceangal.partners.models import StaffMember
from ceangal.rights.models import AccessPack, PackStatus, RightsRequest
from ceangal.rights.tests.factories import log_request
from ceangal.rights.tests.packs_world import CONTACT_NOTE, PackWorld, make_pack_world, ready_request
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def pw(personas: Personas) -> PackWorld:
    return make_pack_world(personas)


def _page(request: RightsRequest) -> str:
    return reverse("web:rights_pack", kwargs={"request_id": request.pk})


def _generate(browser: Browser, request: RightsRequest, capture: Any) -> AccessPack:
    with capture(execute=True):
        response = browser.post(_page(request), {"action": "generate"})
    assert response.status_code == 302
    return AccessPack.objects.get(request=request)


def test_the_dpo_generates_reviews_and_releases_a_copy(
    personas: Personas,
    pw: PackWorld,
    sign_in: Callable[[StaffMember], Browser],
    django_capture_on_commit_callbacks: Any,
) -> None:
    request = ready_request(personas, pw.client)
    dana = sign_in(personas.council_dpo)
    detail = dana.get(reverse("web:rights_request_detail", kwargs={"request_id": request.pk})).content.decode()
    assert "Make a copy" in detail
    assert "Gather the client\u2019s information" in dana.get(_page(request)).content.decode()
    pack = _generate(dana, request, django_capture_on_commit_callbacks)
    html = dana.get(_page(request)).content.decode()
    assert "Items that may reveal another person" in html
    assert CONTACT_NOTE in html
    # Release before every flag is decided: refused, with the first flag linked from the summary.
    first = pack.flags.order_by("pk").first()
    assert first is not None
    refused = dana.post(_page(request), {"action": "release"})
    assert refused.status_code == 422
    assert f'href="#flag-{first.pk}"' in refused.content.decode()
    # A decision without a choice or reason names both fields.
    bad = dana.post(_page(request), {"action": "decide", "flag": first.pk, "decision": "", "reason": ""})
    assert bad.status_code == 422
    body = bad.content.decode()
    assert f'href="#f-flag-{first.pk}-decision' in body
    assert f'href="#f-flag-{first.pk}-reason"' in body
    for flag in pack.flags.all():
        decision = "redact" if flag.text == CONTACT_NOTE else "release"
        response = dana.post(
            _page(request), {"action": "decide", "flag": flag.pk, "decision": decision, "reason": "Checked."}
        )
        assert response.status_code == 302
    preview = dana.get(_page(request) + "?file=html")
    assert preview.status_code == 200
    assert CONTACT_NOTE not in preview.content.decode()
    assert "[Withheld: would reveal information about another person]" in preview.content.decode()
    assert dana.post(_page(request), {"action": "release", "complete": "true"}).status_code == 302
    pack.refresh_from_db()
    assert pack.status == PackStatus.RELEASED
    pdf = dana.get(_page(request) + "?file=pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert "Released on" in dana.get(_page(request)).content.decode()


def test_progress_is_shown_while_gathering(
    personas: Personas, pw: PackWorld, sign_in: Callable[[StaffMember], Browser]
) -> None:
    request = ready_request(personas, pw.client)
    dana = sign_in(personas.council_dpo)
    # Without running the task (no on-commit callbacks here), the pack waits.
    dana.post(_page(request), {"action": "generate"})
    AccessPack.objects.filter(request=request).update(
        status=PackStatus.GATHERING, done=2, total=4, step="Gathering from organisation 3 of 3"
    )
    html = dana.get(_page(request)).content.decode()
    assert "Gathering from organisation 3 of 3" in html
    assert "2 of 4 steps done" in html
    assert "Check progress" in html
    assert 'http-equiv="refresh"' not in html


def test_bad_input_is_shown_on_the_page(
    personas: Personas,
    pw: PackWorld,
    sign_in: Callable[[StaffMember], Browser],
    django_capture_on_commit_callbacks: Any,
) -> None:
    dana = sign_in(personas.council_dpo)
    unverified = log_request(personas.council_dpo, pw.client.pk)
    response = dana.post(_page(unverified), {"action": "generate"})
    assert response.status_code == 422
    assert "Verify the client&#x27;s identity before gathering their information." in response.content.decode()
    assert not AccessPack.objects.exists()
    request = ready_request(personas, pw.client)
    _generate(dana, request, django_capture_on_commit_callbacks)
    unknown = dana.get(_page(request) + "?file=docx")
    assert unknown.status_code == 422
    assert "Choose one of these formats" in unknown.content.decode()


def test_only_the_dpo_opens_the_page(
    personas: Personas, pw: PackWorld, sign_in: Callable[[StaffMember], Browser]
) -> None:
    request = ready_request(personas, pw.client)
    for member in (personas.council_worker, personas.council_leader, personas.council_admin, personas.outsider):
        browser = sign_in(member)
        assert browser.get(_page(request)).status_code == 404
        assert browser.post(_page(request), {"action": "generate"}).status_code == 404
    assert not AccessPack.objects.exists()
    # A request of another kind has no copy.
    erasure = log_request(personas.council_dpo, pw.client.pk, kind="erasure")
    assert sign_in(personas.council_dpo).get(_page(erasure)).status_code == 404
