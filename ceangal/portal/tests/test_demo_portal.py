"""`make run` shows the client's side: a client who can sign in, whom the college has read, and
their request for a copy waiting in the council DPO's queue."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ceangal.ledger.models import LedgerEntry
from ceangal.policy.subject import subject_disclosures
from ceangal.portal.models import PortalAccess
from ceangal.portal.services import printed_code_verify
from ceangal.rights.models import RightsRequest

pytestmark = pytest.mark.django_db


def test_the_demo_client_can_sign_in_and_has_something_to_see() -> None:
    with pytest.raises(CommandError):
        call_command("demo_portal", stdout=StringIO())
    call_command("demo", stdout=StringIO())
    call_command("demo_referrals", stdout=StringIO())
    out = StringIO()
    call_command("demo_portal", stdout=out)
    access = PortalAccess.objects.get()
    client_id = access.client_id
    assert LedgerEntry.objects.filter(client_id=client_id).exists()
    assert subject_disclosures(client_id).entries
    request = RightsRequest.objects.get(client_id=client_id)
    assert (request.kind, request.channel) == ("access", "portal")
    code = re.search(r"printed code ([A-Z2-9-]{14})", out.getvalue())
    assert code, out.getvalue()
    assert printed_code_verify(code.group(1)) == client_id

    call_command("demo_portal", stdout=StringIO())
    assert PortalAccess.objects.count() == 1
    assert RightsRequest.objects.count() == 1
