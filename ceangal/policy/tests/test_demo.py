"""The demo partnership for `make run`: every role, real services, sharing on show, made once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from ceangal.agreements.models import AgreementVersion, PrivacyNotice
from ceangal.audit.models import AuditEvent
from ceangal.clients import models as m
from ceangal.consent.models import ConsentRecord
from ceangal.partners.models import Partnership, StaffMember
from ceangal.partners.roles import Role
from ceangal.policy.management.commands.demo import DEMO_PASSWORD, DEMO_SLUG, STAFF

pytestmark = pytest.mark.django_db


def test_demo_makes_every_role_once_and_a_second_run_keeps_the_data() -> None:
    out = StringIO()
    call_command("demo", "--clients=3", stdout=out)

    partnership = Partnership.objects.get(slug=DEMO_SLUG)
    staff = StaffMember.objects.filter(organisation__partnership=partnership).select_related("user")
    assert {s.role for s in staff} == set(Role.values)
    assert {s.user.email for s in staff} == {p.email for p in STAFF}
    assert all(s.user.check_password(DEMO_PASSWORD) for s in staff)
    assert all(s.user.is_staff == (s.role == Role.ORG_ADMIN) for s in staff)
    assert all(s.training_current(dt.date.today()) for s in staff)
    clients = m.Client.objects.filter(registered_by__partnership=partnership)
    assert clients.count() == 3
    # Made through the services, so audited one change at a time.
    assert AuditEvent.objects.filter(action="client.registered").count() == 3
    printed = out.getvalue()
    assert "keyworker@council.demo" in printed
    assert DEMO_PASSWORD in printed
    assert "/accounts/login/" in printed
    # The sharing core is on show: a notice, two agreements in force, and consents to look at.
    assert PrivacyNotice.objects.filter(partnership=partnership, status="published").count() == 1
    assert AgreementVersion.objects.filter(agreement__partnership=partnership, status="active").count() == 2
    assert ConsentRecord.objects.filter(client__registered_by__partnership=partnership).exists()
    events = AuditEvent.objects.count()

    again = StringIO()
    call_command("demo", stdout=again)

    assert "already here" in again.getvalue()
    assert "keyworker@council.demo" in again.getvalue()
    assert clients.count() == 3
    assert AuditEvent.objects.count() == events


@override_settings(PRODUCTION=True)
def test_demo_refuses_production_without_force() -> None:
    with pytest.raises(CommandError, match="production"):
        call_command("demo", stdout=StringIO())
    assert not Partnership.objects.exists()
