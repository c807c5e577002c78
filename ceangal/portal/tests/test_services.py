"""Signing in with a code: each refusal, single use, locks, no enumeration, what is sent and audited."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.db import connection
from django.utils import timezone

from ceangal.audit.models import AuditEvent
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.portal import services, sms
from ceangal.portal.models import PortalAccess, SignInCode, SignInThrottle
from ceangal.portal.services import (
    Refusal,
    SignInRefused,
    access_set_up,
    code_verify,
    printed_code_issue,
    printed_code_verify,
)
from ceangal.portal.tests.conftest import EMAIL, MOBILE, Signer, ask, last_emailed_code, last_texted_code
from ceangal.testing.factories import Personas, make_client

pytestmark = pytest.mark.django_db


def _later(monkeypatch: pytest.MonkeyPatch, **delta: float) -> None:
    moved = timezone.now() + dt.timedelta(**delta)
    monkeypatch.setattr(services, "_now", lambda: moved)


def _refusal(identifier: str, code: str) -> Refusal:
    with pytest.raises(SignInRefused) as caught:
        code_verify(identifier, code)
    assert list(caught.value.errors) == ["code"]
    return caught.value.reason


def test_an_emailed_code_signs_the_client_in_once(signer: Signer):
    ask("  Morag.Client@Example.org ")
    code = last_emailed_code()
    assert code_verify(EMAIL, code) == signer.client.pk
    assert _refusal(EMAIL, code) == Refusal.USED


def test_a_texted_code_signs_in_and_the_number_is_normalised(signer: Signer):
    ask("+44 7700 900123")
    assert sms.outbox[-1][0] == "+447700900123"
    assert code_verify("07700900123", last_texted_code()) == signer.client.pk


def test_a_wrong_code_is_refused(signer: Signer):
    ask(EMAIL)
    code = last_emailed_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    assert _refusal(EMAIL, wrong) == Refusal.WRONG
    assert SignInCode.objects.get().used_at is None
    assert SignInCode.objects.get().attempts == 1


def test_an_expired_code_is_refused(signer: Signer, monkeypatch):
    ask(EMAIL)
    code = last_emailed_code()
    _later(monkeypatch, minutes=10, seconds=1)
    assert _refusal(EMAIL, code) == Refusal.EXPIRED


def test_a_new_code_replaces_the_one_before(signer: Signer):
    ask(EMAIL)
    first = last_emailed_code()
    ask(EMAIL)
    second = last_emailed_code()
    if first != second:
        assert _refusal(EMAIL, first) == Refusal.EXPIRED
    assert code_verify(EMAIL, second) == signer.client.pk


def test_five_failures_lock_even_the_right_code_for_fifteen_minutes(signer: Signer, monkeypatch):
    ask(EMAIL)
    code = last_emailed_code()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        assert _refusal(EMAIL, wrong) == Refusal.WRONG
    assert _refusal(EMAIL, code) == Refusal.LOCKED
    # Through the other identifier too: the client is locked, not only the email address.
    ask(MOBILE)
    assert _refusal(MOBILE, last_texted_code()) == Refusal.LOCKED
    _later(monkeypatch, minutes=16)
    ask(EMAIL)
    assert code_verify(EMAIL, last_emailed_code()) == signer.client.pk


def test_an_unknown_identifier_is_answered_exactly_like_a_known_one(signer: Signer):
    ask("nobody@example.org")
    assert mail.outbox == []
    assert SignInCode.objects.count() == 0
    ask(EMAIL)
    known = _error_text(EMAIL, "000000" if last_emailed_code() != "000000" else "111111")
    unknown = _error_text("nobody@example.org", "000000")
    assert known == unknown
    for _ in range(5):
        _error_text("nobody@example.org", "123456")
    with pytest.raises(SignInRefused) as locked:
        code_verify("nobody@example.org", "123456")
    assert locked.value.reason == Refusal.LOCKED
    assert "too many attempts" in str(locked.value)


def _error_text(identifier: str, code: str) -> dict[str, list[str]]:
    with pytest.raises(SignInRefused) as caught:
        code_verify(identifier, code)
    return caught.value.errors


def test_asking_for_codes_is_rate_limited_per_identifier(signer: Signer):
    for _ in range(5):
        ask(EMAIL)
    assert len(mail.outbox) == 5
    ask(EMAIL)
    assert len(mail.outbox) == 5
    assert AuditEvent.objects.filter(action="portal.code_requested", detail__limited=True).count() == 1


def test_the_global_bucket_brakes_requests_across_identifiers(signer: Signer, settings):
    settings.CEANGAL_PORTAL_GLOBAL_PER_MINUTE = 3
    for n in range(3):
        ask(f"someone{n}@example.org")
    ask(EMAIL)
    assert mail.outbox == []


def test_of_two_attempts_with_the_same_code_at_once_only_one_signs_in(signer: Signer, monkeypatch):
    """The second attempt reads the code as unused, then loses the race for the UPDATE."""
    ask(EMAIL)
    code = last_emailed_code()
    real_claim = services._claim
    winners = []

    def claim_after_another_attempt(code_id: int, now: dt.datetime) -> bool:
        monkeypatch.setattr(services, "_claim", real_claim)
        winners.append(code_verify(EMAIL, code))  # the other attempt, arriving first
        return real_claim(code_id, now)

    monkeypatch.setattr(services, "_claim", claim_after_another_attempt)
    with pytest.raises(SignInRefused) as caught:
        code_verify(EMAIL, code)
    assert caught.value.reason == Refusal.USED
    assert winners == [signer.client.pk]


def test_the_email_and_text_hold_only_the_code_and_the_site_name(signer: Signer, settings):
    settings.CEANGAL_PARTNERSHIP_NAME = "Fife Works"
    ask(EMAIL)
    ask(MOBILE)
    message = mail.outbox[-1]
    code = last_emailed_code()
    for text in (f"{message.subject} {message.body}", sms.outbox[-1][1]):
        assert "Fife Works" in text
        for personal in ("Morag", "Client", signer.client.reference, "Fife Council"):
            assert personal not in text
    assert message.to == [EMAIL]
    assert re.sub(r"\D", "", str(message.body).replace(code, "")) == "10"  # only the minutes besides the code


def test_audit_rows_hold_neither_code_nor_identifier(signer: Signer, personas: Personas):
    ask(EMAIL)
    code = last_emailed_code()
    _refusal(EMAIL, "000000" if code != "000000" else "111111")
    code_verify(EMAIL, code)
    ask(MOBILE)
    printed = printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    printed_code_verify(printed.code)
    rows = AuditEvent.objects.filter(action__startswith="portal.")
    actions = set(rows.values_list("action", flat=True))
    assert {
        "portal.access_set_up",
        "portal.code_requested",
        "portal.sign_in_refused",
        "portal.signed_in",
        "portal.printed_code_issued",
    } <= actions
    dumped = json.dumps(list(rows.values("object_id", "detail", "fields"))).lower()
    for secret in (code, EMAIL, "7700900123", printed.code.replace("-", "").lower(), printed.code.lower()):
        assert secret.lower() not in dumped
    # Nor in the database's stored columns.
    assert not SignInCode.objects.filter(code_hash__contains=code).exists()


def test_printed_code_signs_in_once_typed_any_way(signer: Signer, personas: Personas):
    printed = printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", printed.code)
    assert printed_code_verify(" " + printed.code.replace("-", " ").lower()) == signer.client.pk
    with pytest.raises(SignInRefused) as caught:
        printed_code_verify(printed.code)
    assert caught.value.reason == Refusal.USED


def test_a_new_printed_code_stops_the_old_one(signer: Signer, personas: Personas):
    old = printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    new = printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    with pytest.raises(SignInRefused) as caught:
        printed_code_verify(old.code)
    assert caught.value.reason == Refusal.EXPIRED
    assert printed_code_verify(new.code) == signer.client.pk


def test_a_printed_code_expires_after_fourteen_days(signer: Signer, personas: Personas, monkeypatch):
    printed = printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    _later(monkeypatch, days=14, seconds=1)
    with pytest.raises(SignInRefused) as caught:
        printed_code_verify(printed.code)
    assert caught.value.reason == Refusal.EXPIRED


@pytest.mark.parametrize("typed", ["", "K7QM-9XRT", "K7QM-9XRT-2HV0"])
def test_a_malformed_printed_code_names_the_field(db, typed):
    with pytest.raises(InvalidInput) as caught:
        printed_code_verify(typed)
    assert list(caught.value.errors) == ["code"]


def test_a_made_up_printed_code_is_wrong(db):
    with pytest.raises(SignInRefused) as caught:
        printed_code_verify("K7QM-9XRT-2HVD")
    assert caught.value.reason == Refusal.WRONG


def test_switched_off_access_refuses_a_printed_code(signer: Signer, personas: Personas):
    printed = printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    PortalAccess.objects.filter(client_id=signer.client.pk).update(active=False)
    with pytest.raises(SignInRefused) as caught:
        printed_code_verify(printed.code)
    assert caught.value.reason == Refusal.WRONG


@pytest.mark.parametrize(
    ("email", "mobile", "fields"),
    [
        ("", "", ["email"]),
        ("not-an-email", "", ["email"]),
        ("", "01592 123456", ["mobile"]),
        ("bad@", "07700", ["email", "mobile"]),
    ],
)
def test_set_up_names_each_bad_field_and_saves_nothing(personas: Personas, email, mobile, fields):
    client = make_client(personas.council_worker)
    with pytest.raises(InvalidInput) as caught:
        access_set_up(actor=personas.council_worker, client_id=client.pk, email=email, mobile=mobile)
    assert sorted(caught.value.errors) == fields
    assert not PortalAccess.objects.exists()
    assert not AuditEvent.objects.filter(action="portal.access_set_up").exists()


def test_set_up_stores_the_contact_encrypted_and_normalised(signer: Signer):
    access = PortalAccess.objects.get(client_id=signer.client.pk)
    assert access.mobile == "+447700900123"
    assert access.email == EMAIL
    with connection.cursor() as cursor:
        cursor.execute("SELECT email, mobile FROM portal_portalaccess WHERE id = %s", [access.pk])
        stored = cursor.fetchone()
    assert EMAIL not in stored[0]
    assert "7700900123" not in stored[1]


def test_another_client_cannot_take_the_same_email(signer: Signer, personas: Personas):
    other = make_client(personas.council_worker, given_name="Other")
    with pytest.raises(InvalidInput) as caught:
        access_set_up(actor=personas.council_worker, client_id=other.pk, email=EMAIL.upper())
    assert list(caught.value.errors) == ["email"]


@pytest.mark.parametrize("persona", ["outsider", "college_worker"])
def test_other_organisations_cannot_set_up_or_print(signer: Signer, personas: Personas, persona):
    actor = getattr(personas, persona)
    with pytest.raises(NotFound):
        access_set_up(actor=actor, client_id=signer.client.pk, email="x@example.org")
    with pytest.raises(NotFound):
        printed_code_issue(actor=actor, client_id=signer.client.pk)


@pytest.mark.parametrize("persona", ["analyst", "council_dpo", "council_admin", "untrained"])
def test_roles_without_casework_cannot_set_up_or_print(signer: Signer, personas: Personas, persona):
    actor = getattr(personas, persona)
    with pytest.raises(NotPermitted):
        printed_code_issue(actor=actor, client_id=signer.client.pk)
    assert not SignInCode.objects.exists()


class _BrokenSms:
    def send(self, to: str, text: str) -> None:
        raise ConnectionError("provider down")


def test_a_failing_provider_does_not_show_a_known_identifier(signer: Signer, settings, monkeypatch):
    """An error only a known identifier could cause would give the person away: it is logged."""
    monkeypatch.setattr(services, "sms_backend", _BrokenSms)
    ask(MOBILE)
    assert SignInCode.objects.count() == 1


def test_switching_off_ends_codes_and_is_audited(signer: Signer, personas: Personas):
    printed = printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    ask(EMAIL)
    emailed = last_emailed_code()
    services.access_switch_off(actor=personas.council_leader, client_id=signer.client.pk)
    with pytest.raises(SignInRefused):
        printed_code_verify(printed.code)
    assert _refusal(EMAIL, emailed) == Refusal.WRONG
    assert AuditEvent.objects.filter(action="portal.access_switched_off", client_id=signer.client.pk).exists()
    with pytest.raises(InvalidInput) as again:
        services.access_switch_off(actor=personas.council_leader, client_id=signer.client.pk)
    assert list(again.value.errors) == ["action"]


def test_a_made_up_printed_code_leaves_no_throttle_row(db):
    for _ in range(3):
        with pytest.raises(SignInRefused):
            printed_code_verify("K7QM-9XRT-2HVD")
    assert list(SignInThrottle.objects.values_list("bucket", flat=True)) == ["global"]


def test_housekeeping_deletes_old_codes_and_passed_throttles_only(signer: Signer, personas: Personas):
    printed_code_issue(actor=personas.council_worker, client_id=signer.client.pk)
    ask(EMAIL)
    for _ in range(5):
        with pytest.raises(SignInRefused):
            code_verify("nobody@example.org", "123456")
    now = timezone.now()
    assert services.sign_in_housekeeping(now=now) == (0, 0)
    codes, throttles = services.sign_in_housekeeping(now=now + dt.timedelta(days=16))
    assert codes == 2
    assert throttles >= 2
    assert not SignInCode.objects.exists()
    assert not SignInThrottle.objects.exists()
