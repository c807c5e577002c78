"""Break-glass access from the staff pages, and the DPO's review of it."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from ceangal.partners.roles import Role
from ceangal.policy.models import BreakGlassGrant
from ceangal.testing.factories import make_client, make_organisation, make_partnership, make_staff

pytestmark = pytest.mark.django_db

REASON = "Client phoned in crisis and said they would harm themselves tonight."


def _open(browser, client_id, **overrides):
    data = {"categories": ["contact"], "ground": "vital_interests", "reason": REASON} | overrides
    return browser.post(reverse("web:break_glass", kwargs={"client_id": client_id}), data)


def test_the_form_warns_that_it_is_reviewed(kirsty, morag):
    html = kirsty.get(reverse("web:break_glass", kwargs={"client_id": morag.pk})).content.decode()
    assert "reviewed by your data protection officer" in html


def test_break_glass_opens_access_and_the_dpo_reviews_it(sign_in, personas, morag, django_capture_on_commit_callbacks):
    oscar = sign_in(personas.outsider)
    record_url = reverse("web:client_record", kwargs={"client_id": morag.pk})
    assert oscar.get(record_url).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = _open(oscar, morag.pk)

    assert response.status_code == 302
    assert response["Location"] == record_url
    grant = BreakGlassGrant.objects.get()
    assert grant.staff == personas.outsider
    assert grant.categories == ["contact"]
    assert len(mail.outbox) == 2  # one to each DPO of the partnership
    followed = oscar.get(record_url, follow=True)
    assert "Break-glass access is open until" in followed.content.decode()

    dana = sign_in(personas.council_dpo)
    dashboard = dana.get(reverse("web:dpo_dashboard")).content.decode()
    assert "1 use of break-glass access waits for your review" in dashboard
    queue = dana.get(reverse("web:dpo_break_glass_queue")).content.decode()
    assert reverse("web:dpo_break_glass_review", kwargs={"grant_id": grant.pk}) in queue
    review_url = reverse("web:dpo_break_glass_review", kwargs={"grant_id": grant.pk})
    assert REASON in dana.get(review_url).content.decode()

    refused = dana.post(review_url, {"outcome": "", "review_note": ""})
    assert refused.status_code == 422
    assert 'href="#f-outcome-0"' in refused.content.decode()
    assert 'href="#f-review_note"' in refused.content.decode()

    response = dana.post(review_url, {"outcome": "not_justified", "review_note": "No emergency; spoken to Oscar."})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.review_outcome == "not_justified"
    assert grant.reviewed_by == personas.council_dpo
    assert "0 uses of break-glass access wait" in dana.get(reverse("web:dpo_dashboard")).content.decode()


def test_a_short_reason_and_no_categories_are_refused(kirsty, morag):
    response = _open(kirsty, morag.pk, categories=[], reason="urgent")
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#f-categories-0"' in html
    assert 'href="#f-reason"' in html
    assert not BreakGlassGrant.objects.exists()


def test_staff_who_may_not_use_break_glass_are_refused(sign_in, personas, morag):
    for persona in ("untrained", "analyst", "council_dpo"):
        browser = sign_in(getattr(personas, persona))
        assert browser.get(reverse("web:break_glass", kwargs={"client_id": morag.pk})).status_code == 403, persona


@pytest.mark.parametrize("persona", ["council_worker", "college_worker", "council_leader", "analyst", "council_admin"])
@pytest.mark.parametrize("name", ["dpo_dashboard", "dpo_break_glass_queue"])
def test_dpo_pages_are_not_found_for_anyone_else(sign_in, personas, persona, name):
    assert sign_in(getattr(personas, persona)).get(reverse(f"web:{name}")).status_code == 404


def test_the_review_page_is_not_found_for_anyone_else(sign_in, personas, morag):
    from ceangal.policy.breakglass import break_glass_open

    grant = break_glass_open(
        actor=personas.council_worker, client_id=morag.pk, categories=["contact"], ground="safeguarding", reason=REASON
    )
    url = reverse("web:dpo_break_glass_review", kwargs={"grant_id": grant.pk})
    assert sign_in(personas.council_worker).get(url).status_code == 404
    assert sign_in(personas.council_worker).post(url, {"outcome": "justified", "review_note": "x"}).status_code == 404
    assert sign_in(personas.college_dpo).get(url).status_code == 200


def test_another_partnerships_client_is_not_found(kirsty):
    """Break-glass never reaches across partnerships, and says no more than for an unknown client."""
    elsewhere = make_staff(make_organisation(make_partnership("Another partnership"), "Far Council"), Role.KEY_WORKER)
    far_client = make_client(elsewhere)
    foreign = _open(kirsty, far_client.pk)
    unknown = _open(kirsty, uuid.uuid4())
    assert foreign.status_code == unknown.status_code == 404
    assert far_client.reference not in foreign.content.decode()
    assert not BreakGlassGrant.objects.exists()
