from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core import mail
from django.test import Client as Browser
from django.test import TestCase
from django.urls import reverse

from ceangal.clients import models as cm
from ceangal.consent.models import ConsentRecord
from ceangal.portal import sms
from ceangal.portal.services import access_set_up, code_request, printed_code_issue
from ceangal.testing.factories import Personas, make_client
from ceangal.testing.worlds import sharing_world

EMAIL = "morag.client@example.org"
MOBILE = "07700 900123"
PURPOSE = "support_coordination"


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


@dataclass
class SharedWorld:
    """A client the council registered (qualifications and health recorded), whom Fife College
    also supports, with a consent letting the college see their name and qualifications; the
    client's printed code is ready to sign in with."""

    client: cm.Client
    consent: ConsentRecord
    code: str


def shared_world(personas: Personas, *, given_name: str = "Eilidh", family_name: str = "Synthetic") -> SharedWorld:
    world = sharing_world(personas, given_name=given_name, family_name=family_name)
    code = printed_code_issue(actor=personas.council_worker, client_id=world.client.pk).code
    return SharedWorld(client=world.client, consent=world.consent, code=code)


def printed_sign_in(code: str) -> Browser:
    browser = Browser()
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = browser.post(reverse("portal:sign_in_printed"), {"code": code})
    assert response.status_code == 302, response.content.decode()
    return browser
