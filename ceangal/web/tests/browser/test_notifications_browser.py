"""Notification choices and webhooks in a real browser, every page scanned with axe-core: a key
worker switches an email off; an organisation admin adds a webhook (after fixing a mistake), sees
its secret once, sends a test ping and sees the delivery listed."""

from __future__ import annotations

import socket

import pytest
from playwright.sync_api import Locator, Page, expect

from ceangal.notifications.models import NotificationPreference, WebhookDelivery, WebhookSubscription
from ceangal.testing import browser as b
from ceangal.testing.factories import PASSWORD, Personas

pytestmark = pytest.mark.browser


def _main(page: Page) -> Locator:
    return page.get_by_role("main")


def _toggle(control: Locator) -> None:
    # The design system draws its own box over the real input: click the input's label, as a person does.
    control.evaluate("input => input.labels[0].click()")


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/hook"


def test_choices_and_webhooks(page: Page, base_url: str, people: Personas) -> None:
    b.sign_in(page, base_url, people.council_worker.user.email, PASSWORD)
    b.follow(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Notifications"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your notifications")
    b.follow(page, _main(page).get_by_role("link", name="Choose which emails you get"))
    box = page.get_by_role("checkbox", name="You have a new secure message")
    expect(box).to_be_checked()
    _toggle(box)
    expect(box).not_to_be_checked()
    b.submit(page, _main(page).get_by_role("button", name="Save my choices"))
    expect(page.get_by_role("checkbox", name="You have a new secure message")).not_to_be_checked()
    assert NotificationPreference.objects.get(staff=people.council_worker, kind="new_message").enabled is False

    page.context.clear_cookies()
    b.sign_in(page, base_url, people.council_admin.user.email, PASSWORD)
    b.follow(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Webhooks"))
    b.follow(page, _main(page).get_by_role("link", name="Add a webhook"))
    b.field_by_label(page, "Address to send events to").fill(_closed_port_url())
    b.submit(page, _main(page).get_by_role("button", name="Add the webhook"))
    expect(page.get_by_role("alert")).to_contain_text("Events to send: Choose at least one event")
    assert not WebhookSubscription.objects.exists()

    _toggle(page.get_by_role("group", name="Events to send").get_by_label("referral.created", exact=False))
    page.get_by_label("Description (optional)", exact=True).fill("Our case system")
    b.submit(page, _main(page).get_by_role("button", name="Add the webhook"))
    subscription = WebhookSubscription.objects.get()
    expect(page.locator("#webhook-secret")).to_have_text(subscription.secret)
    b.follow(page, _main(page).get_by_role("link", name="I have copied it: go to the webhook"))
    expect(_main(page)).not_to_contain_text(subscription.secret)

    b.submit(page, _main(page).get_by_role("button", name="Send a test ping"))
    expect(page.get_by_role("status")).to_contain_text("A test ping is on its way")
    expect(_main(page).get_by_role("table")).to_contain_text("ping")
    assert WebhookDelivery.objects.get().event == "ping"
    b.visit(page, f"{base_url}/organisation/webhooks/")
    expect(_main(page)).to_contain_text("Our case system")
