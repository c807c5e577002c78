from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.test import TestCase

from ceangal.clients import models as cm
from ceangal.portal import sms
from ceangal.portal.services import access_set_up, code_request
from ceangal.testing.factories import Personas, make_client

EMAIL = "morag.client@example.org"
MOBILE = "07700 900123"


@dataclass
class Signer:
    """A client whose key worker has set up their sign-in with an email and a mobile."""

    client: cm.Client
    email: str = EMAIL
    mobile: str = MOBILE


@pytest.fixture(autouse=True)
def _sms_in_memory(settings: pytest.FixtureRequest) -> None:
    settings.CEANGAL_SMS_BACKEND = "ceangal.portal.sms.LocmemSmsBackend"  # type: ignore[attr-defined]
    sms.outbox.clear()


@pytest.fixture
def signer(personas: Personas) -> Signer:
    client = make_client(personas.council_worker, given_name="Morag", family_name="Client")
    access_set_up(actor=personas.council_worker, client_id=client.pk, email=EMAIL, mobile=MOBILE)
    return Signer(client)


def last_emailed_code() -> str:
    match = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body))
    assert match, mail.outbox[-1].body
    return match.group(1)


def last_texted_code() -> str:
    match = re.search(r"\b(\d{6})\b", sms.outbox[-1][1])
    assert match, sms.outbox[-1]
    return match.group(1)


def ask(identifier: str) -> None:
    """Ask for a code the way a request does: the message goes out once the transaction commits."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        code_request(identifier)
