"""The notifications pages and an organisation admin's webhook pages, without JavaScript."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client as Browser
from django.urls import reverse

from ceangal.notifications.models import NotificationPreference, WebhookDelivery, WebhookSubscription
from ceangal.notifications.services import notify
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.testing.factories import Personas, make_staff

pytestmark = pytest.mark.django_db

SignIn = Callable[[StaffMember], Browser]


def test_a_member_switches_an_email_off_and_it_stops(
    sign_in: SignIn, personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    kirsty = sign_in(personas.council_worker)
    url = reverse("web:notification_preferences")
    page = kirsty.get(url).content.decode()
    assert 'value="new_message"' in page
    assert "Break-glass access was used" in page  # listed as always sent, with no box to untick
    assert 'value="break_glass_used"' not in page
    ticked = [k for k in ("new_referral", "referral_updated") if k]
    response = kirsty.post(url, {"kinds": ticked})
    assert response.status_code == 302
    off = set(
        NotificationPreference.objects.filter(staff=personas.council_worker, enabled=False).values_list(
            "kind", flat=True
        )
    )
    assert "new_message" in off
    assert "new_referral" not in off
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        notify("new_message", staff=[personas.council_worker], link_path="/caseload/")
        notify("new_referral", staff=[personas.council_worker], link_path="/caseload/")
    assert [m.subject for m in mail.outbox] == ["Ceangal: you have a new referral"]
    listed = kirsty.get(reverse("web:notification_list")).content.decode()
    assert "Ceangal: you have a new referral" in listed


def test_an_admin_adds_a_webhook_sees_the_secret_once_pings_and_deactivates_it(
    sign_in: SignIn, personas: Personas, settings: object
) -> None:
    ailsa = sign_in(personas.council_admin)
    new = reverse("web:webhook_new")
    assert ailsa.get(new).status_code == 200

    settings.PRODUCTION = True  # type: ignore[attr-defined]
    refused = ailsa.post(new, {"url": "http://crm.example.org/hook", "events": ["referral.created"]})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "There is a problem" in page
    assert 'href="#f-url"' in page
    assert "must start with https://" in page
    assert not WebhookSubscription.objects.exists()

    created = ailsa.post(
        new, {"url": "https://crm.example.org/hook", "events": ["referral.created"], "description": "CRM"}
    )
    assert created.status_code == 200
    subscription = WebhookSubscription.objects.get()
    assert subscription.secret in created.content.decode()
    assert created["Cache-Control"] == "no-store"
    detail = reverse("web:webhook_detail", kwargs={"webhook_id": subscription.pk})
    assert subscription.secret not in ailsa.get(detail).content.decode()
    assert subscription.secret not in ailsa.get(reverse("web:webhook_list")).content.decode()

    settings.PRODUCTION = False  # type: ignore[attr-defined]
    WebhookSubscription.objects.filter(pk=subscription.pk).update(url="http://127.0.0.1:9/hook")
    assert ailsa.post(detail, {"action": "ping"}).status_code == 302
    assert WebhookDelivery.objects.get().event == "ping"
    assert "ping" in ailsa.get(reverse("web:webhook_list")).content.decode()

    rotated = ailsa.post(detail, {"action": "rotate"})
    subscription.refresh_from_db()
    assert subscription.secret in rotated.content.decode()

    assert ailsa.post(detail, {"action": "deactivate"}).status_code == 302
    subscription.refresh_from_db()
    assert not subscription.active


@pytest.mark.parametrize("who", ["council_worker", "council_leader", "council_dpo", "analyst"])
def test_other_roles_are_refused_the_webhook_pages(sign_in: SignIn, personas: Personas, who: str) -> None:
    browser = sign_in(getattr(personas, who))
    assert browser.get(reverse("web:webhook_list")).status_code == 403
    assert (
        browser.post(
            reverse("web:webhook_new"), {"url": "https://x.example.org/", "events": ["referral.created"]}
        ).status_code
        == 403
    )
    assert not WebhookSubscription.objects.exists()


def test_another_organisations_admin_gets_not_found(sign_in: SignIn, personas: Personas) -> None:
    from ceangal.notifications.webhooks import subscription_create

    subscription, _ = subscription_create(
        actor=personas.council_admin, url="https://crm.example.org/hook", events=["referral.created"]
    )
    college_admin = make_staff(personas.college, Role.ORG_ADMIN, first_name="Cara")
    browser = sign_in(college_admin)
    detail = reverse("web:webhook_detail", kwargs={"webhook_id": subscription.pk})
    assert browser.get(detail).status_code == 404
    assert browser.post(detail, {"action": "deactivate"}).status_code == 404
    subscription.refresh_from_db()
    assert subscription.active
    assert "crm.example.org" not in browser.get(reverse("web:webhook_list")).content.decode()
