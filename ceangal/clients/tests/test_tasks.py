from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.management import call_command

from ceangal.clients.services import item_add
from ceangal.clients.tasks import send_follow_up_digests
from ceangal.notifications.tasks import send_training_reminders
from ceangal.testing.factories import make_client

pytestmark = pytest.mark.django_db


def test_follow_up_digest_counts_due_follow_ups_and_names_no_client(personas, django_capture_on_commit_callbacks):
    client = make_client(personas.council_worker, given_name="Shona", family_name="Synthetic")
    start = dt.date.today() - dt.timedelta(weeks=14)
    item_add(
        actor=personas.council_worker,
        client=client,
        section_key="outcomes",
        data={"destination": "D_EMP", "achieved_on": start.isoformat(), "employer_name": "Kirkcaldy Bakery"},
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_follow_up_digests.call() == 1
    [message] = mail.outbox
    assert message.to == [personas.council_worker.user.email]
    assert "2 employment follow-up(s)" in message.body  # 4 and 13 weeks have passed
    for secret in ["Shona", "Synthetic", "Kirkcaldy", client.reference]:
        assert secret not in f"{message.subject} {message.body}"


def test_training_reminder_goes_to_those_expiring_within_30_days(personas, django_capture_on_commit_callbacks):
    personas.college_worker.training_expires_on = dt.date.today() + dt.timedelta(days=10)
    personas.college_worker.save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert send_training_reminders.call() == 2
    recipients = {m.to[0] for m in mail.outbox}
    # The college worker expires soon; Una has never been trained; Ina is inactive and is left alone.
    assert recipients == {personas.college_worker.user.email, personas.untrained.user.email}
    assert personas.council_worker.user.email not in recipients


def test_enqueue_daily_runs_the_tasks(personas, capsys):
    call_command("enqueue_daily")
    out = capsys.readouterr().out
    assert "send_training_reminders" in out
    assert "deliver_due_webhooks" in out
    assert "escalate_unanswered_referrals" in out
