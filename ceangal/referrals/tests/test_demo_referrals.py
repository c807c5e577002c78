"""`make run` shows referrals: one waiting for the college, one draft for the council to preview."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ceangal.partners.models import StaffMember
from ceangal.referrals import selectors, services
from ceangal.referrals.models import Referral, ReferralStatus

pytestmark = pytest.mark.django_db


def test_demo_referrals_are_made_once_and_carry_what_the_client_agreed() -> None:
    with pytest.raises(CommandError):
        call_command("demo_referrals", stdout=StringIO())
    call_command("demo", stdout=StringIO())
    call_command("demo_referrals", stdout=StringIO())
    sent = Referral.objects.get(status=ReferralStatus.SENT)
    draft = Referral.objects.get(status=ReferralStatus.DRAFT)
    assert sent.categories == ["identity", "contact", "qualifications"]
    college = StaffMember.objects.get(user__email="keyworker@college.demo")
    view = selectors.referral_view(actor=college, referral_id=sent.pk)
    assert view.packet
    assert view.client_name != sent.client.reference
    council = StaffMember.objects.get(user__email="keyworker@council.demo")
    packet = services.preview(actor=council, referral=draft)
    needs = next(c for c in packet.categories if c.category == "support_needs")
    assert not needs.shared
    assert needs.consent_missing
    call_command("demo_referrals", stdout=StringIO())
    assert Referral.objects.count() == 2
