"""notify(): who gets an email, what it says, when it goes, and what is kept."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import transaction

from ceangal.audit.models import AuditEvent
from ceangal.errors import InvalidInput
from ceangal.notifications.kinds import NotificationKind
from ceangal.notifications.models import Notification
from ceangal.notifications.services import notify, preferences_of, preferences_set
from ceangal.testing.factories import Personas

pytestmark = pytest.mark.django_db


def test_each_active_recipient_gets_their_own_email_with_a_sign_in_link_after_commit(
    personas: Personas, django_capture_on_commit_callbacks: object, settings: object
) -> None:
    settings.CEANGAL_SITE_URL = "https://ceangal.example.org"  # type: ignore[attr-defined]
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        sent = notify(
            NotificationKind.NEW_REFERRAL,
            staff=[personas.college_leader, personas.college_worker, personas.inactive],
            link_path="/referrals/42/",
            context={"from_organisation": personas.council.name},
        )
        assert sent == 2
        assert mail.outbox == [], "nothing is sent before the transaction commits"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [personas.college_leader.user.email, personas.college_worker.user.email]
    )
    message = mail.outbox[0]
    assert message.subject == "Ceangal: you have a new referral"
    assert "https://ceangal.example.org/accounts/login/?next=%2Freferrals%2F42%2F" in message.body
    assert "Fife Council Employability has sent a new referral to Fife College" in message.body
    kept = Notification.objects.get(recipient=personas.college_leader)
    assert (kept.kind, kept.link_path, kept.subject) == ("new_referral", "/referrals/42/", message.subject)
    assert not Notification.objects.filter(recipient=personas.inactive).exists()


def test_a_rolled_back_transaction_sends_nothing(
    personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    mail.outbox.clear()

    def referral_fails() -> None:
        with transaction.atomic():
            notify(NotificationKind.NEW_MESSAGE, staff=[personas.council_worker], link_path="/caseload/")
            raise RuntimeError("the referral failed")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):  # type: ignore[operator]
        referral_fails()
    assert mail.outbox == []
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "context",
    [
        {"client_name": "Morag Macpherson"},
        {"given_name": "Morag"},
        {"status": "Morag has epilepsy"},
        {"count": "three"},
        {"from_organisation": {"name": "Fife College", "client": "Morag"}},
    ],
)
def test_a_context_with_anything_but_the_allowed_variables_is_refused(
    personas: Personas, context: dict[str, object]
) -> None:
    with pytest.raises(ValueError):
        notify(NotificationKind.NEW_REFERRAL, staff=[personas.college_leader], link_path="/caseload/", context=context)


@pytest.mark.parametrize("link", ["https://evil.example/", "//evil.example/", "caseload/"])
def test_a_link_that_leaves_the_site_is_refused(personas: Personas, link: str) -> None:
    with pytest.raises(ValueError, match="link_path"):
        notify(NotificationKind.NEW_MESSAGE, staff=[personas.council_worker], link_path=link)


def test_a_kind_switched_off_is_not_sent_and_the_change_is_audited(
    personas: Personas, django_capture_on_commit_callbacks: object
) -> None:
    worker = personas.council_worker
    preferences_set(actor=worker, choices={"new_message": False})
    assert AuditEvent.objects.filter(action="notification_preferences.changed", object_id=str(worker.pk)).exists()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        assert notify(NotificationKind.NEW_MESSAGE, staff=[worker], link_path="/caseload/") == 0
        assert notify(NotificationKind.NEW_REFERRAL, staff=[worker], link_path="/caseload/") == 1
    assert [m.subject for m in mail.outbox] == ["Ceangal: you have a new referral"]
    shown = {p.kind: p.enabled for p in preferences_of(worker)}
    assert shown[NotificationKind.NEW_MESSAGE] is False
    assert shown[NotificationKind.NEW_REFERRAL] is True


def test_required_kinds_cannot_be_switched_off_and_unknown_kinds_are_named(personas: Personas) -> None:
    with pytest.raises(InvalidInput) as caught:
        preferences_set(
            actor=personas.council_dpo, choices={"break_glass_used": False, "new_message": False, "gossip": True}
        )
    assert set(caught.value.errors) == {"preferences.break_glass_used", "preferences.gossip"}
    # Nothing was saved, not even the valid choice.
    assert {p.kind: p.enabled for p in preferences_of(personas.council_dpo)}[NotificationKind.NEW_MESSAGE] is True
    assert not AuditEvent.objects.filter(action="notification_preferences.changed").exists()
