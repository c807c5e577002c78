"""The daily reminder: each DPO is told how many requests are overdue or due within 7 days, and
nothing about who they are from."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import pytest
from django.core import mail
from django.utils import timezone

from ceangal.rights.tasks import rights_clock_reminders
from ceangal.rights.tests.factories import log_request
from ceangal.testing.factories import Personas, make_client, make_organisation, make_partnership, make_staff

pytestmark = pytest.mark.django_db


def test_each_dpo_gets_the_count_and_no_client(
    personas: Personas, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    client = make_client(personas.council_worker, given_name="Shona", family_name="Synthetic")
    today = timezone.localdate()
    log_request(personas.council_worker, client.pk, received_on=today - dt.timedelta(days=40))  # overdue
    log_request(personas.council_worker, client.pk, received_on=today - dt.timedelta(days=26))  # due soon
    log_request(personas.council_worker, client.pk, received_on=today)  # a month to go
    # Another partnership's DPO, with nothing due, hears nothing.
    other_dpo = make_staff(make_organisation(make_partnership("Elsewhere"), "Elsewhere Council"), "dpo")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert rights_clock_reminders.call() == 2
    assert {m.to[0] for m in mail.outbox} == {personas.council_dpo.user.email, personas.college_dpo.user.email}
    assert other_dpo.user.email not in {m.to[0] for m in mail.outbox}
    message = mail.outbox[0]
    assert "2 rights request(s)" in message.body
    assert "/dpo/rights/" in unquote(str(message.body))
    for secret in ["Shona", "Synthetic", client.reference, "copy of everything"]:
        assert secret not in f"{message.subject} {message.body}"


def test_nothing_due_sends_nothing(personas: Personas, django_capture_on_commit_callbacks: Callable[..., Any]) -> None:
    client = make_client(personas.council_worker)
    log_request(personas.council_worker, client.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert rights_clock_reminders.call() == 0
    assert mail.outbox == []
