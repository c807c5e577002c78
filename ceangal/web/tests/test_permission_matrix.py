"""Every staff page, generated from the URL configuration, for every kind of visitor.

A page added to ceangal/web/urls.py without its arguments in _world() fails here, so no page can
be added without saying who may open it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client as Browser
from django.urls import URLPattern, reverse

from ceangal.clients.holds import hold_place
from ceangal.clients.services import document_upload, item_add
from ceangal.consent.services import ScopeChoice, consent_give
from ceangal.directory.tests.factories import make_service
from ceangal.notifications.webhooks import subscription_create
from ceangal.partners.roles import Role
from ceangal.policy.breakglass import break_glass_open
from ceangal.portal import urls as portal_urls
from ceangal.portal.tests.pages import portal_url
from ceangal.referrals.services import referral_draft
from ceangal.rights.tests.factories import log_request
from ceangal.testing.factories import Personas, make_agreement, make_client, make_notice, make_staff
from ceangal.web import urls as web_urls

pytestmark = pytest.mark.django_db

PUBLIC = {"accessibility", "privacy"}
# "/" only redirects to the caseload, which then applies the rules below.
REDIRECT_ONLY = {"home"}
# Pages only a data protection officer may open; everyone else gets "not found".
DPO_ONLY = {
    "agreement_new",
    "dpo_dashboard",
    "dpo_break_glass_queue",
    "dpo_break_glass_review",
    "ledger_search",
    "ledger_export",
    "dpo_consent_list",
    "dpo_consent_record",
    "dpo_consent_evidence",
    "rights_queue",
    "rights_request_new",
    "rights_pack",
    "rights_actions",
    "rights_rectify",
    "rights_erasure",
    "legal_holds",
    "legal_hold_detail",
}
# Break-glass is for reaching a client one cannot see yet: any trained key worker may open the
# form, which shows nothing about the client (tested below and in test_sharing_breakglass).
ANY_CASEWORKER = {"break_glass"}
# Publishing and changing a directory service: the owning organisation's admin or team leader;
# everyone else is refused (403) before a form is shown. The service itself is not a secret.
SERVICE_MANAGERS_ONLY = {"directory_new", "directory_edit"}
# Merging duplicate records: team leaders only; other roles are refused (403) once the client is
# found to be one their organisation works with (others get "not found", like every client page).
TEAM_LEADER_ONLY = {"client_merge"}
# An organisation's webhooks: its organisation admins only; other roles are refused (403), and
# another organisation's subscription is "not found".
ORG_ADMIN_ONLY = {"webhook_list", "webhook_new", "webhook_detail"}
# Setting up a client's sign-in to their own pages and printing them a code: key workers and team
# leaders of an organisation working with the client; other roles are refused (403).
CASEWORK_ONLY = {"portal_access"}


@dataclass
class World:
    personas: Personas
    kwargs: dict[str, dict[str, Any]]


def _world(personas: Personas) -> World:
    client = make_client(personas.council_worker, given_name="Matrix", family_name="Synthetic")
    qualification = item_add(
        actor=personas.council_worker,
        client=client,
        section_key="qualifications",
        data={
            "title": "N5 Maths",
            "scqf_level": "SCQF05",
            "achieved_on": (dt.date.today() - dt.timedelta(days=400)).isoformat(),
        },
    )
    document = document_upload(
        actor=personas.council_worker,
        client=client,
        title="Letter",
        kind="letter",
        upload=SimpleUploadedFile("letter.pdf", b"%PDF-1.4\n%%EOF\n"),
    )
    engagement = client.engagements.get()
    notice = make_notice(personas.council_dpo)
    agreement = make_agreement([personas.council_dpo, personas.college_dpo])
    consent = consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[ScopeChoice("support_coordination", "qualifications", personas.college)],
        method="verbal_witnessed",
        witness_name="Tam",
        valid_until=dt.date.today() + dt.timedelta(days=365),
    )
    paper = consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[ScopeChoice("support_coordination", "qualifications", personas.college)],
        method="paper_form",
        evidence=SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n%%EOF\n"),
        valid_until=dt.date.today() + dt.timedelta(days=365),
    )
    pending = consent_give(
        actor=personas.council_worker,
        client=client,
        notice=notice,
        scopes=[ScopeChoice("support_coordination", "qualifications", personas.college)],
        method="paper_form",
        valid_until=dt.date.today() + dt.timedelta(days=365),
    )
    grant = break_glass_open(
        actor=personas.council_worker,
        client_id=client.pk,
        categories=["contact"],
        ground="safeguarding",
        reason="A synthetic emergency for the permission matrix.",
    )
    service = make_service(personas.council_admin)
    # A draft referral of the client to the college's service: the referrer's own until sent.
    referral = referral_draft(
        actor=personas.council_worker,
        client_id=client.pk,
        service_id=make_service(personas.college_leader, name="College Access").pk,
        reason="A synthetic referral for the permission matrix.",
    )
    webhook, _secret = subscription_create(
        actor=personas.council_admin, url="https://crm.example.org/hook", events=["referral.created"]
    )
    rights_request = log_request(personas.council_worker, client.pk)
    rectification = log_request(personas.council_worker, client.pk, kind="rectification")
    erasure = log_request(personas.council_worker, client.pk, kind="erasure")
    hold = hold_place(actor=personas.council_dpo, client=client, reason="A synthetic claim.", reference="X/1")
    c = {"client_id": client.pk}
    r = c | {"record_id": consent.pk}
    return World(
        personas,
        {
            "home": {},
            "caseload": {},
            "client_find": {},
            "client_register": {},
            "client_record": c,
            "document_upload": c,
            "document_download": c | {"document_id": document.pk},
            "engagement_edit": c | {"engagement_id": engagement.pk},
            "section_edit": c | {"section_key": "contact"},
            "item_add": c | {"section_key": "qualifications"},
            "section_history": c | {"section_key": "identity"},
            "item_edit": c | {"section_key": "qualifications", "item_id": qualification.pk},
            "item_history": c | {"section_key": "qualifications", "item_id": qualification.pk},
            "consent_list": c,
            "consent_new": c,
            "consent_form": c,
            "consent_receipt": r,
            "consent_export": r | {"fmt": "iso27560"},
            "consent_withdraw": r,
            "consent_evidence": c | {"record_id": pending.pk},
            "consent_evidence_download": c | {"record_id": paper.pk},
            "dpo_consent_list": {},
            "dpo_consent_record": {"record_id": consent.pk},
            "dpo_consent_evidence": {"record_id": paper.pk},
            "break_glass": c,
            "client_services": c,
            "client_check": {},
            "client_discoverable": c,
            "client_merge": c,
            "agreement_list": {},
            "agreement_new": {},
            "agreement_detail": {"version_id": agreement.pk},
            "notice_list": {},
            "notice_detail": {"notice_id": notice.pk},
            "dpo_dashboard": {},
            "dpo_break_glass_queue": {},
            "dpo_break_glass_review": {"grant_id": grant.pk},
            "ledger_search": {},
            "ledger_export": {},
            "directory_list": {},
            "directory_new": {},
            "directory_export": {},
            "directory_detail": {"service_id": service.pk},
            "directory_edit": {"service_id": service.pk},
            "notification_list": {},
            "notification_preferences": {},
            "webhook_list": {},
            "webhook_new": {},
            "webhook_detail": {"webhook_id": webhook.pk},
            "referral_new": c,
            "client_messages": c,
            "rights_request_new_for_client": c,
            "rights_queue": {},
            "rights_request_new": {},
            "rights_request_detail": {"request_id": rights_request.pk},
            "rights_actions": {"request_id": rights_request.pk},
            "rights_rectify": {"request_id": rectification.pk},
            "rights_erasure": {"request_id": erasure.pk},
            "legal_holds": {},
            "legal_hold_detail": {"hold_id": hold.pk},
            "recipient_notices": {},
            "rights_pack": {"request_id": rights_request.pk},
            "portal_access": c,
            "referral_list": {},
            "referral_detail": {"referral_id": referral.pk},
            "gap_list": {},
            "gap_new": {},
            "messages": {},
            "accessibility": {},
            "privacy": {},
        },
    )


ALL_PAGES = [p.name for p in web_urls.urlpatterns if isinstance(p, URLPattern) and p.name]
PAGES = [name for name in ALL_PAGES if name not in REDIRECT_ONLY]
CLIENT_PAGES = [
    name
    for name in PAGES
    if "client_id" in str(next(p.pattern for p in web_urls.urlpatterns if getattr(p, "name", None) == name))
]


def test_home_redirects_to_the_caseload():
    response = Browser().get(reverse("web:home"))
    assert response.status_code == 302
    assert response["Location"] == reverse("web:caseload")


def test_every_page_is_in_the_matrix(personas):
    world = _world(personas)
    assert set(ALL_PAGES) == set(world.kwargs), "Add the new page's arguments to _world() in this test"


def _url(world: World, name: str) -> str:
    return reverse(f"web:{name}", kwargs=world.kwargs[name])


@pytest.mark.parametrize("name", PAGES)
def test_anonymous(personas, name):
    world = _world(personas)
    response = Browser().get(_url(world, name))
    if name in PUBLIC:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("name", PAGES)
def test_permitted_key_worker(personas, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(personas.council_worker.user)
    response = browser.get(_url(world, name))
    if name in DPO_ONLY:
        assert response.status_code == 404, name
        return
    if name in SERVICE_MANAGERS_ONLY:
        assert response.status_code == 403, name
        return
    if name in ORG_ADMIN_ONLY:
        assert response.status_code == 403, name
        return
    if name in TEAM_LEADER_ONLY:
        assert response.status_code == 403, name
        return
    assert response.status_code in (200, 302), name
    if response.status_code == 302:
        assert not response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["council_dpo", "college_dpo"])
@pytest.mark.parametrize("name", sorted(DPO_ONLY))
def test_dpo_pages_open_for_dpos(personas, persona, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, name)).status_code == 200


@pytest.mark.parametrize("name", sorted(TEAM_LEADER_ONLY))
def test_team_leader_pages_open_for_the_team_leader(personas, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(personas.council_leader.user)
    assert browser.get(_url(world, name)).status_code == 200


@pytest.mark.parametrize("persona", ["council_dpo", "council_admin", "analyst"])
@pytest.mark.parametrize("name", sorted(TEAM_LEADER_ONLY))
def test_team_leader_pages_are_refused_to_other_roles(personas, persona, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, name)).status_code == 403


@pytest.mark.parametrize("persona", ["council_admin", "council_leader"])
@pytest.mark.parametrize("name", sorted(SERVICE_MANAGERS_ONLY))
def test_service_forms_open_for_the_owning_organisations_admin_and_leader(personas, persona, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, name)).status_code == 200


@pytest.mark.parametrize("name", sorted(ORG_ADMIN_ONLY))
def test_webhook_pages_open_for_the_organisations_admin(personas, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(personas.council_admin.user)
    assert browser.get(_url(world, name)).status_code == 200


@pytest.mark.parametrize("persona", ["council_leader", "council_dpo", "analyst", "outsider"])
@pytest.mark.parametrize("name", sorted(ORG_ADMIN_ONLY))
def test_webhook_pages_are_refused_to_other_roles(personas, persona, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, name)).status_code == 403
    assert browser.post(_url(world, name), {"action": "deactivate"}).status_code == 403


def test_another_organisations_admin_does_not_find_the_webhook(personas):
    world = _world(personas)
    browser = Browser()
    browser.force_login(make_staff(personas.college, Role.ORG_ADMIN, first_name="Cara").user)
    assert browser.get(_url(world, "webhook_detail")).status_code == 404
    assert browser.post(_url(world, "webhook_detail"), {"action": "deactivate"}).status_code == 404
    assert "crm.example.org" not in browser.get(_url(world, "webhook_list")).content.decode()


@pytest.mark.parametrize("persona", ["outsider", "college_worker"])
def test_a_draft_referral_is_not_found_by_other_organisations(personas, persona):
    """A draft is the referrer's own: the organisation it will go to does not know of it yet."""
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, "referral_detail")).status_code == 404
    assert browser.post(_url(world, "referral_detail"), {"action": "send", "version": "1"}).status_code == 404


@pytest.mark.parametrize("persona", ["analyst", "council_dpo", "council_admin"])
def test_referral_pages_are_refused_to_roles_without_casework(personas, persona):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    for name in ("referral_list", "referral_detail", "messages", "gap_new"):
        assert browser.get(_url(world, name)).status_code == 403, name
    assert browser.get(_url(world, "gap_list")).status_code == 200


@pytest.mark.parametrize("persona", ["college_leader", "council_dpo", "outsider"])
def test_service_edit_is_refused_to_other_organisations_and_roles(personas, persona):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, "directory_edit")).status_code == 403
    assert browser.post(_url(world, "directory_edit"), {"name": "Changed"}).status_code == 403


@pytest.mark.parametrize("persona", ["outsider", "college_worker"])
@pytest.mark.parametrize("name", sorted(ANY_CASEWORKER))
def test_break_glass_form_reveals_nothing_to_other_organisations(personas, persona, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    response = browser.get(_url(world, name))
    assert response.status_code == 200
    assert "Matrix" not in response.content.decode()
    assert "Synthetic" not in response.content.decode()
    assert browser.post(_url(world, name), {"given_name": "Changed"}).status_code == 422


@pytest.mark.parametrize("persona", ["outsider", "college_worker"])
@pytest.mark.parametrize("name", [n for n in CLIENT_PAGES if n not in ANY_CASEWORKER])
def test_other_organisations_get_not_found(personas, persona, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, name)).status_code == 404
    assert browser.post(_url(world, name), {"given_name": "Changed"}).status_code == 404


@pytest.mark.parametrize("name", CLIENT_PAGES)
def test_expired_training_is_refused(personas, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(personas.untrained.user)
    assert browser.get(_url(world, name)).status_code == 403


@pytest.mark.parametrize("name", [n for n in PAGES if n not in PUBLIC])
def test_signed_in_without_a_staff_record(personas, name):
    world = _world(personas)
    user = get_user_model().objects.create_user(username="nostaff", email="nostaff@example.org", password="x" * 16)
    browser = Browser()
    browser.force_login(user)
    assert browser.get(_url(world, name)).status_code == 403


@pytest.mark.parametrize("name", [n for n in PAGES if n not in PUBLIC])
def test_deactivated_staff_are_signed_out(personas, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(personas.inactive.user)
    response = browser.get(_url(world, name))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", ["council_worker", "council_leader"])
@pytest.mark.parametrize("name", sorted(CASEWORK_ONLY))
def test_casework_pages_open_for_key_workers_and_team_leaders(personas, persona, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, name)).status_code == 200


@pytest.mark.parametrize("persona", ["council_dpo", "council_admin", "analyst"])
@pytest.mark.parametrize("name", sorted(CASEWORK_ONLY))
def test_casework_pages_are_refused_to_other_roles(personas, persona, name):
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, name)).status_code == 403
    assert browser.post(_url(world, name), {"action": "print"}).status_code == 403


PORTAL_PAGES = [p.name for p in portal_urls.urlpatterns if isinstance(p, URLPattern) and p.name]


@pytest.mark.parametrize(
    "persona", ["council_worker", "council_leader", "council_dpo", "council_admin", "analyst", "outsider", "untrained"]
)
@pytest.mark.parametrize("name", PORTAL_PAGES)
def test_staff_of_every_role_get_403_on_the_client_portal(personas, persona, name):
    """The client's own pages (/my/) are for clients: a signed-in member of staff is refused."""
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(portal_url(name)).status_code == 403
    assert browser.post(portal_url(name), {"code": "123456"}).status_code == 403


@pytest.mark.parametrize("persona", ["outsider", "college_worker", "council_admin", "analyst"])
def test_a_rights_request_is_not_found_by_those_who_may_not_see_it(personas, persona):
    """The request page opens for the DPO and (read only) for the organisations working with the
    client; to anyone else it is "not found", and a step posted to it changes nothing."""
    world = _world(personas)
    browser = Browser()
    browser.force_login(getattr(personas, persona).user)
    assert browser.get(_url(world, "rights_request_detail")).status_code == 404
    response = browser.post(_url(world, "rights_request_detail"), {"step": "complete", "note": "Done."})
    assert response.status_code == 404
