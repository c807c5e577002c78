"""The DPO's pages for acting on rights requests (restriction, objection, correction, erasure,
legal holds) and the recipients' notice list: bad input names the field (422) and changes nothing;
good input does what the services say and comes back to the request."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client as Browser
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from ceangal.clients import models as cm
from ceangal.clients.holds import hold_place
from ceangal.partners.models import StaffMember
from ceangal.policy.selectors import client_record
from ceangal.rights.models import RightsRequest
from ceangal.rights.tests.test_actions import World, make_world, request_of
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db

SignIn = Callable[[StaffMember], Browser]


@pytest.fixture
def world(personas: Personas) -> World:
    return make_world(personas)


def _url(name: str, rq: RightsRequest) -> str:
    return reverse(f"web:{name}", kwargs={"request_id": rq.pk})


def test_the_request_page_shows_the_panel_to_the_dpo_only(world: World, personas: Personas, sign_in: SignIn) -> None:
    rq = request_of(world, "restriction")
    html = sign_in(personas.council_dpo).get(_url("rights_request_detail", rq)).content.decode()
    assert "Processing is not restricted." in html
    assert _url("rights_actions", rq) in html
    worker = sign_in(personas.council_worker).get(_url("rights_request_detail", rq)).content.decode()
    assert _url("rights_actions", rq) not in worker


def test_restricting_and_lifting_from_the_page(world: World, personas: Personas, sign_in: SignIn) -> None:
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose="support_coordination")
    rq = request_of(world, "restriction")
    browser = sign_in(personas.council_dpo)
    bad = browser.post(_url("rights_actions", rq), {"action": "restrict", "reason": " "})
    assert bad.status_code == 422
    assert 'href="#f-reason"' in bad.content.decode()
    assert not cm.ProcessingRestriction.objects.exists()
    done = browser.post(_url("rights_actions", rq), {"action": "restrict", "reason": "Accuracy contested."})
    assert done.status_code == 302
    assert cm.Client.objects.get(pk=world.client.pk).processing_restricted
    assert cm.RecipientNotice.objects.filter(kind="restriction", organisation=personas.college).exists()
    bad = browser.post(_url("rights_actions", rq), {"action": "lift", "client_told_on": ""})
    assert bad.status_code == 422
    assert 'href="#f-client_told_on"' in bad.content.decode()
    assert cm.Client.objects.get(pk=world.client.pk).processing_restricted
    today = timezone.localdate()
    told = f"{today.day} {today.month} {today.year}"
    assert browser.post(_url("rights_actions", rq), {"action": "lift", "client_told_on": told}).status_code == 302
    assert not cm.Client.objects.get(pk=world.client.pk).processing_restricted


def test_an_objection_and_its_compelling_grounds_from_the_page(
    world: World, personas: Personas, sign_in: SignIn
) -> None:
    rq = request_of(world, "objection")
    browser = sign_in(personas.council_dpo)
    assert browser.post(_url("rights_actions", rq), {"action": "object", "purpose": ""}).status_code == 422
    assert browser.post(_url("rights_actions", rq), {"action": "object", "purpose": "evaluation"}).status_code == 302
    assert cm.Client.objects.get(pk=world.client.pk).objected_purposes == ["evaluation"]
    objection = cm.Objection.objects.get()
    page = browser.get(_url("rights_actions", rq)).content.decode()
    assert "Record compelling grounds" in page
    post = {"action": "compelling_grounds", "objection": str(objection.pk), "compelling_grounds": "Statutory duty."}
    assert browser.post(_url("rights_actions", rq), post).status_code == 302
    assert cm.Client.objects.get(pk=world.client.pk).objected_purposes == []


def test_correcting_an_item_from_the_page(world: World, personas: Personas, sign_in: SignIn) -> None:
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose="support_coordination")
    rq = request_of(world, "rectification")
    browser = sign_in(personas.council_dpo)
    item = f"qualifications:{world.qualification.pk}"
    page = browser.get(_url("rights_rectify", rq), {"item": item}).content.decode()
    assert "N5 Mathematics" not in page  # choosing what to correct shows no values
    assert 'name="title"' in page
    bad = browser.post(_url("rights_rectify", rq), {"item": item, "version": "1", "scqf_level": "NOT-A-LEVEL"})
    assert bad.status_code == 422
    assert 'href="#f-scqf_level"' in bad.content.decode()
    assert not cm.RecipientNotice.objects.exists()
    good = browser.post(_url("rights_rectify", rq), {"item": item, "version": "1", "title": "N5 Lifeskills Maths"})
    assert good.status_code == 302
    assert cm.Qualification.objects.get(pk=world.qualification.pk).title == "N5 Lifeskills Maths"
    assert cm.RecipientNotice.objects.get().organisation_id == personas.college.pk


def test_the_rectify_page_says_why_nothing_can_be_done_before_identity_is_verified(
    world: World, personas: Personas, sign_in: SignIn
) -> None:
    from ceangal.rights.tests.factories import log_request

    rq = log_request(personas.council_worker, world.client.pk, kind="rectification")
    page = sign_in(personas.council_dpo).get(_url("rights_rectify", rq))
    assert page.status_code == 200
    assert "verify the client" in page.content.decode()


def test_the_erasure_page_plans_refuses_under_a_hold_and_erases(
    world: World, personas: Personas, sign_in: SignIn
) -> None:
    rq = request_of(world, "erasure")
    browser = sign_in(personas.council_dpo)
    hold = hold_place(actor=personas.council_dpo, client=world.client, reason="Claim", reference="ET/1")
    page = browser.get(_url("rights_erasure", rq)).content.decode()
    assert "ET/1" in page
    assert "Erase the information" not in page
    refused = browser.post(_url("rights_erasure", rq), {"confirm": "true"})
    assert refused.status_code == 422
    assert cm.IdentitySection.objects.filter(client=world.client).exists()
    browser.post(reverse("web:legal_hold_detail", kwargs={"hold_id": hold.pk}), {"note": "Settled."})
    page = browser.get(_url("rights_erasure", rq)).content.decode()
    assert "Fife College" in page
    assert "Erase the information" in page
    unconfirmed = browser.post(_url("rights_erasure", rq), {})
    assert unconfirmed.status_code == 422
    assert 'href="#f-confirm"' in unconfirmed.content.decode()
    with TestCase.captureOnCommitCallbacks(execute=True):
        done = browser.post(_url("rights_erasure", rq), {"confirm": "true"})
    assert done.status_code == 302
    assert cm.Client.objects.get(pk=world.client.pk).erased_at is not None
    assert not cm.IdentitySection.objects.filter(client=world.client).exists()


def test_placing_and_lifting_a_legal_hold(world: World, personas: Personas, sign_in: SignIn) -> None:
    browser = sign_in(personas.council_dpo)
    holds = reverse("web:legal_holds")
    bad = browser.post(holds, {"client": "CG-NOPE00", "reason": "Claim"})
    assert bad.status_code == 422
    assert 'href="#f-client"' in bad.content.decode()
    missing_reason = browser.post(holds, {"client": world.client.reference, "reason": ""})
    assert missing_reason.status_code == 422
    assert not cm.LegalHold.objects.exists()
    done = browser.post(holds, {"client": world.client.reference, "reason": "Tribunal", "reference": "ET/9"})
    assert done.status_code == 302
    hold = cm.LegalHold.objects.get()
    assert hold.reference == "ET/9"
    assert world.client.reference in browser.get(holds).content.decode()
    assert browser.post(reverse("web:legal_hold_detail", kwargs={"hold_id": hold.pk}), {}).status_code == 302
    assert cm.LegalHold.objects.get().lifted_at is not None
    assert world.client.reference not in browser.get(holds).content.decode()


def test_recipients_see_their_own_notices_and_mark_them_read(world: World, personas: Personas, sign_in: SignIn) -> None:
    client_record(actor=personas.college_worker, client_id=world.client.pk, purpose="support_coordination")
    rq = request_of(world, "rectification")
    dpo = sign_in(personas.council_dpo)
    item = f"qualifications:{world.qualification.pk}"
    dpo.post(_url("rights_rectify", rq), {"item": item, "version": "1", "title": "N5 Lifeskills Maths"})
    notices = reverse("web:recipient_notices")
    college = sign_in(personas.college_leader)
    page = college.get(notices).content.decode()
    assert world.client.reference in page
    assert "Qualifications: Qualification" in page
    assert "Lifeskills" not in page
    council = sign_in(personas.council_worker).get(notices).content.decode()
    assert world.client.reference not in council
    notice = cm.RecipientNotice.objects.get()
    assert sign_in(personas.council_worker).post(notices, {"notice": notice.pk}).status_code == 404
    assert cm.RecipientNotice.objects.get().read_at is None
    assert college.post(notices, {"notice": notice.pk}).status_code == 302
    assert cm.RecipientNotice.objects.get().read_by_id == personas.college_leader.pk


def test_a_request_from_the_clients_pages_starts_the_dpo_where_the_client_pointed(
    world: World, personas: Personas, sign_in: SignIn
) -> None:
    from ceangal.rights.services import request_resume, request_verify_identity
    from ceangal.rights.subject import request_from_client

    browser = sign_in(personas.council_dpo)
    made = {}
    for kind, extra in (("rectification", {"section": "qualifications"}), ("objection", {"purpose": "evaluation"})):
        rq = request_from_client(client_id=world.client.pk, kind=kind, details="As I said on the phone.", **extra)
        rq = request_verify_identity(actor=personas.council_dpo, request=rq, method="signed_in")
        made[kind] = request_resume(actor=personas.council_dpo, request=rq)
    detail = browser.get(_url("rights_request_detail", made["rectification"])).content.decode()
    assert "Part of the record said to be wrong" in detail
    assert "Qualifications" in detail
    rectify = browser.get(_url("rights_rectify", made["rectification"])).content.decode()
    assert "The client says this part of their record is wrong: <strong>Qualifications</strong>" in rectify
    assert rectify.index("Qualifications:") < rectify.index("</select>")
    objection = browser.get(_url("rights_actions", made["objection"])).content.decode()
    assert 'type="radio" value="evaluation" checked' in objection
    detail = browser.get(_url("rights_request_detail", made["objection"])).content.decode()
    assert "Purpose objected to" in detail
    assert "As I said on the phone." in detail
