"""Password-less sign-in for clients: the contact they choose, one-time and printed codes.

Security properties (docs/portal.md):
- a code is never stored, only its HMAC (ceangal.crypto.blind_index), and compared in constant time;
- a code works once: it is claimed with UPDATE … WHERE used_at IS NULL, so of two attempts with
  the same code at the same moment only one signs in;
- email and text codes last CEANGAL_PORTAL_CODE_MINUTES, printed codes CEANGAL_PORTAL_PRINTED_CODE_DAYS;
- asking for a code gets the same answer, after the same work, whether or not anyone matched, and
  a wrong identifier is locked after repeated failures exactly like a right one: nothing says
  whether a person is known;
- every request and attempt is audited (action portal.*), with a keyed hash of the identifier,
  never the identifier or the code.
"""

from __future__ import annotations

import datetime as dt
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ceangal.audit.services import audit_record
from ceangal.crypto import blind_index
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role
from ceangal.policy.selectors import client_for_action
from ceangal.portal.models import Channel, PortalAccess, SignInCode, SignInThrottle
from ceangal.portal.sms import sms_backend
from ceangal.reference.purposes import Purpose

# No 0/O or 1/I: a printed code is read off paper and typed on a phone. 32 symbols, 12 of them: 60 bits.
PRINTED_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
PRINTED_LENGTH = 12
GLOBAL_BUCKET = "global"


class Refusal(StrEnum):
    WRONG = "wrong"
    EXPIRED = "expired"
    USED = "used"
    LOCKED = "locked"


def refusal_message(reason: Refusal) -> str:
    if reason == Refusal.EXPIRED:
        return _("That code has expired. Ask for a new code.")
    if reason == Refusal.USED:
        return _("That code has already been used. Ask for a new code.")
    if reason == Refusal.LOCKED:
        return _(
            "There have been too many attempts to sign in. Wait %(minutes)s minutes, then try again, "
            "or ask your key worker for help."
        ) % {"minutes": settings.CEANGAL_PORTAL_LOCK_MINUTES}
    return _("That code is not right. Check it and try again, or ask for a new code.")


class SignInRefused(InvalidInput):
    """A code did not sign anyone in. The message names the field and says what to do; it never
    says whether the email address or mobile number belongs to anyone."""

    problem_type = "sign-in-refused"

    def __init__(self, reason: Refusal, field: str = "code") -> None:
        self.reason = reason
        super().__init__({field: [refusal_message(reason)]})


@dataclass(frozen=True)
class ClientRef:
    pk: uuid.UUID
    reference: str


@dataclass(frozen=True)
class PrintedCode:
    code: str
    expires_at: dt.datetime


# --- identifiers -----------------------------------------------------------------------------------


def normalise_mobile(text: str) -> str | None:
    """A UK mobile number as +447…, or None if it is not one."""
    digits = re.sub(r"[\s\-().]", "", text)
    if re.fullmatch(r"07\d{9}", digits):
        return "+44" + digits[1:]
    if re.fullmatch(r"\+447\d{9}", digits):
        return digits
    if re.fullmatch(r"00447\d{9}", digits):
        return "+" + digits[2:]
    return None


def normalise_email(text: str) -> str | None:
    value = text.strip().lower()
    try:
        validate_email(value)
    except ValidationError:
        return None
    return value


def _identifier(text: str) -> tuple[Channel, str]:
    """The channel and normalised value of what a client typed to sign in, or InvalidInput."""
    if not text.strip():
        raise InvalidInput({"identifier": [_("Enter your email address or mobile number.")]})
    if "@" in text:
        email = normalise_email(text)
        if email is None:
            raise InvalidInput(
                {"identifier": [_("Enter an email address in the right format, like name@example.com.")]}
            )
        return Channel.EMAIL, email
    mobile = normalise_mobile(text)
    if mobile is None:
        raise InvalidInput({"identifier": [_("Enter a UK mobile number, like 07700 900123, or an email address.")]})
    return Channel.SMS, mobile


def identifier_hash(channel: Channel, value: str) -> str:
    """The keyed hash a normalised email or mobile is found by and audited as."""
    return blind_index(f"{channel}:{value}")


def _code_hash(client_id: object, code: str) -> str:
    return blind_index(f"signin:{client_id}:{code}")


def _printed_hash(code: str) -> str:
    return blind_index(f"printed:{code}")


def normalise_printed(text: str) -> str:
    return re.sub(r"[\s\-]", "", text).upper()


def format_printed(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def _now() -> dt.datetime:
    return timezone.now()


# --- setting up ------------------------------------------------------------------------------------


def caseworker_client(actor: StaffMember, client_id: object) -> ClientRef:
    """The client, if the actor is a key worker or team leader whose organisation works with them
    (the decision point: NotFound for anyone else, NotPermitted for expired training)."""
    if Role(actor.role) not in CASEWORK_ROLES:
        raise NotPermitted(_("Only a key worker or team leader can set up a client's sign-in."))
    client = client_for_action(actor=actor, client_id=client_id, purpose=Purpose.SUPPORT_COORDINATION)
    return ClientRef(pk=client.pk, reference=client.reference)


def access_for(client_id: uuid.UUID) -> PortalAccess | None:
    return PortalAccess.objects.filter(client_id=client_id).first()


def access_set_up(*, actor: StaffMember, client_id: object, email: str = "", mobile: str = "") -> PortalAccess:
    """Record the email and/or mobile the client chose for signing in. Replaces what was there."""
    pk = caseworker_client(actor, client_id).pk
    errors: dict[str, list[str]] = {}
    email_value = mobile_value = ""
    if not email.strip() and not mobile.strip():
        errors["email"] = [_("Enter the email address or the mobile number (or both) the client chose.")]
    if email.strip():
        email_value = normalise_email(email) or ""
        if not email_value:
            errors["email"] = [_("Enter an email address in the right format, like name@example.com.")]
    if mobile.strip():
        mobile_value = normalise_mobile(mobile) or ""
        if not mobile_value:
            errors["mobile"] = [_("Enter a UK mobile number starting 07 or +447, like 07700 900123.")]
    email_index = identifier_hash(Channel.EMAIL, email_value) if email_value else ""
    mobile_index = identifier_hash(Channel.SMS, mobile_value) if mobile_value else ""
    others = PortalAccess.objects.exclude(client_id=pk)
    if email_index and others.filter(email_index=email_index).exists():
        errors["email"] = [_("Another client signs in with this email address. Ask the client for one of their own.")]
    if mobile_index and others.filter(mobile_index=mobile_index).exists():
        errors["mobile"] = [_("Another client signs in with this mobile number. Ask the client for one of their own.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        access, _created = PortalAccess.objects.select_for_update().get_or_create(
            client_id=pk, defaults={"set_up_at": _now()}
        )
        access.email, access.email_index = email_value, email_index
        access.mobile, access.mobile_index = mobile_value, mobile_index
        access.set_up_by, access.set_up_at, access.active = actor, _now(), True
        access.save()
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="portal.access_set_up",
            object_type="portal_access",
            object_id=access.pk,
            client_id=pk,
            fields=[name for name, value in (("email", email_value), ("mobile", mobile_value)) if value],
        )
    return access


def access_switch_off(*, actor: StaffMember, client_id: object) -> None:
    """Stop the client signing in: their session ends at its next page, their codes stop working."""
    pk = caseworker_client(actor, client_id).pk
    now = _now()
    with transaction.atomic():
        access = PortalAccess.objects.select_for_update().filter(client_id=pk, active=True).first()
        if access is None:
            raise InvalidInput({"action": [_("The client's sign-in is already switched off.")]})
        access.active = False
        access.save(update_fields=["active"])
        ended = SignInCode.objects.filter(client_id=pk, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="portal.access_switched_off",
            object_type="portal_access",
            object_id=access.pk,
            client_id=pk,
            fields=["active"],
            detail={"codes_ended": ended},
        )


def printed_code_issue(*, actor: StaffMember, client_id: object) -> PrintedCode:
    """A new printed code for the client, shown once. Earlier unused printed codes stop working."""
    pk = caseworker_client(actor, client_id).pk
    code = "".join(secrets.choice(PRINTED_ALPHABET) for _i in range(PRINTED_LENGTH))
    now = _now()
    expires_at = now + dt.timedelta(days=settings.CEANGAL_PORTAL_PRINTED_CODE_DAYS)
    with transaction.atomic():
        PortalAccess.objects.get_or_create(client_id=pk, defaults={"set_up_at": now, "set_up_by": actor})
        replaced = SignInCode.objects.filter(
            client_id=pk, channel=Channel.PRINTED, used_at__isnull=True, expires_at__gt=now
        ).update(expires_at=now)
        issued = SignInCode.objects.create(
            client_id=pk,
            channel=Channel.PRINTED,
            code_hash=_printed_hash(code),
            created_at=now,
            expires_at=expires_at,
        )
        audit_record(
            actor_user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            action="portal.printed_code_issued",
            object_type="sign_in_code",
            object_id=issued.pk,
            client_id=pk,
            detail={"replaced": replaced, "expires_at": expires_at.isoformat()},
        )
    return PrintedCode(code=format_printed(code), expires_at=expires_at)


# --- throttles -------------------------------------------------------------------------------------


def _bucket(name: str, now: dt.datetime, window: dt.timedelta) -> SignInThrottle:
    """The bucket's row, locked for this transaction, its window restarted if it has passed."""
    row, _created = SignInThrottle.objects.select_for_update().get_or_create(
        bucket=name, defaults={"window_started_at": now}
    )
    if row.window_started_at + window <= now and (row.locked_until is None or row.locked_until <= now):
        row.window_started_at, row.failures, row.requests, row.locked_until = now, 0, 0, None
        row.save()
    return row


def _lock_window() -> dt.timedelta:
    return dt.timedelta(minutes=settings.CEANGAL_PORTAL_LOCK_MINUTES)


def _locked(row: SignInThrottle, now: dt.datetime) -> bool:
    return row.locked_until is not None and row.locked_until > now


def _global_over(now: dt.datetime) -> bool:
    """Count one sign-in event in the global bucket; True when the service has had too many."""
    row = _bucket(GLOBAL_BUCKET, now, dt.timedelta(minutes=1))
    SignInThrottle.objects.filter(pk=row.pk).update(requests=F("requests") + 1)
    return row.requests + 1 > settings.CEANGAL_PORTAL_GLOBAL_PER_MINUTE


def _fail(row: SignInThrottle, now: dt.datetime) -> None:
    row.failures += 1
    if row.failures >= settings.CEANGAL_PORTAL_MAX_FAILURES:
        row.locked_until = now + _lock_window()
    row.save()


def _audit_attempt(action: str, *, ident: str, client_id: uuid.UUID | None, **detail: object) -> None:
    audit_record(
        actor_user_id=None,
        organisation_id=None,
        action=action,
        object_type="portal_identifier" if ident else "portal_printed_code",
        object_id=ident[:64] if ident else "-",
        client_id=client_id,
        detail=dict(detail),
    )


# --- asking for a code -----------------------------------------------------------------------------


def code_request(identifier: str) -> None:
    """Send a 6-digit code to the email or mobile if a client chose it for signing in.

    The answer is the same whether or not anyone matched, and the work nearly so: a code and its
    hash are made every time. Only a match stores and sends it (after commit)."""
    channel, value = _identifier(identifier)
    ident = identifier_hash(channel, value)
    now = _now()
    code = f"{secrets.randbelow(1_000_000):06d}"
    sent_to: PortalAccess | None = None
    with transaction.atomic():
        busy = _global_over(now)
        row = _bucket(f"id:{ident}", now, _lock_window())
        field = "email_index" if channel == Channel.EMAIL else "mobile_index"
        access = PortalAccess.objects.filter(**{field: ident}, active=True).first()
        code_hash = _code_hash(access.client_id if access else "-", code)
        limited = busy or _locked(row, now) or row.requests >= settings.CEANGAL_PORTAL_CODE_REQUESTS
        row.requests += 1
        row.save()
        if access is not None and not limited:
            # A new code replaces the ones sent before: only the latest works.
            SignInCode.objects.filter(
                client_id=access.client_id, channel__in=[Channel.EMAIL, Channel.SMS], used_at__isnull=True
            ).update(expires_at=now)
            SignInCode.objects.create(
                client_id=access.client_id,
                channel=channel,
                code_hash=code_hash,
                created_at=now,
                expires_at=now + dt.timedelta(minutes=settings.CEANGAL_PORTAL_CODE_MINUTES),
            )
            sent_to = access
        _audit_attempt(
            "portal.code_requested",
            ident=ident,
            client_id=access.client_id if access else None,
            channel=str(channel),
            matched=access is not None,
            sent=sent_to is not None,
            limited=limited,
        )
    if sent_to is not None:
        # robust: a provider's failure is logged, never turned into an error page that only a
        # known identifier could cause.
        transaction.on_commit(lambda: _send_code(channel, value, code), robust=True)


def _send_code(channel: Channel, to: str, code: str) -> None:
    """The message holds the code and the service's name, nothing about the person."""
    minutes = settings.CEANGAL_PORTAL_CODE_MINUTES
    site = settings.CEANGAL_PARTNERSHIP_NAME
    if channel == Channel.EMAIL:
        send_mail(
            subject=_("Your sign-in code for %(site)s") % {"site": site},
            message=_(
                "Your sign-in code for %(site)s is %(code)s\n\n"
                "It works once, for %(minutes)s minutes. If you did not ask for it, you can ignore this email."
            )
            % {"site": site, "code": code, "minutes": minutes},
            from_email=None,
            recipient_list=[to],
        )
    else:
        sms_backend().send(
            to,
            _("Your sign-in code for %(site)s is %(code)s. It works once, for %(minutes)s minutes.")
            % {"site": site, "code": code, "minutes": minutes},
        )


# --- checking a code -------------------------------------------------------------------------------


def _claim(code_id: int, now: dt.datetime) -> bool:
    """Mark the code used, if nobody has yet: the single-use guarantee, held by the database."""
    return SignInCode.objects.filter(pk=code_id, used_at__isnull=True).update(used_at=now) == 1


def _why_not(rows: list[SignInCode]) -> Refusal:
    """A code that matched a row but cannot be used: used first, then expired."""
    if any(r.used_at is not None for r in rows):
        return Refusal.USED
    return Refusal.EXPIRED


def code_verify(identifier: str, code: str) -> uuid.UUID:
    """The client the emailed or texted code signs in, or SignInRefused."""
    channel, value = _identifier(identifier)
    ident = identifier_hash(channel, value)
    typed = re.sub(r"\s", "", code)
    if not re.fullmatch(r"\d{6}", typed):
        raise InvalidInput({"code": [_("Enter the 6-digit code we sent you.")]})
    now = _now()
    outcome: uuid.UUID | Refusal
    with transaction.atomic():
        busy = _global_over(now)
        row = _bucket(f"id:{ident}", now, _lock_window())
        field = "email_index" if channel == Channel.EMAIL else "mobile_index"
        access = PortalAccess.objects.filter(**{field: ident}, active=True).first()
        client_row = _bucket(f"client:{access.client_id}", now, _lock_window()) if access else None
        wanted = _code_hash(access.client_id if access else "-", typed)
        if busy or _locked(row, now) or (client_row is not None and _locked(client_row, now)):
            outcome = Refusal.LOCKED
        else:
            codes = (
                list(SignInCode.objects.filter(client_id=access.client_id, channel__in=[Channel.EMAIL, Channel.SMS]))
                if access
                else []
            )
            matching = [c for c in codes if hmac.compare_digest(c.code_hash, wanted)]
            live = [c for c in matching if c.used_at is None and c.expires_at > now]
            if live and _claim(live[0].pk, now):
                outcome = live[0].client_id
            elif live:
                outcome = Refusal.USED
            elif matching:
                outcome = _why_not(matching)
            else:
                outcome = Refusal.WRONG
                # The latest code counts the wrong guesses made against it.
                SignInCode.objects.filter(pk__in=[c.pk for c in codes[:1]]).update(attempts=F("attempts") + 1)
        outcome = _record(outcome, row, client_row, now, ident=ident, client_id=access.client_id if access else None)
    if isinstance(outcome, Refusal):
        raise SignInRefused(outcome)
    return outcome


def printed_code_verify(code: str) -> uuid.UUID:
    """The client a printed code from their key worker signs in, or SignInRefused."""
    typed = normalise_printed(code)
    if not typed:
        raise InvalidInput({"code": [_("Enter the code your key worker gave you.")]})
    if len(typed) != PRINTED_LENGTH or any(ch not in PRINTED_ALPHABET for ch in typed):
        raise InvalidInput(
            {"code": [_("Enter the code exactly as printed: 12 letters and numbers, like K7QM-9XRT-2HVD.")]}
        )
    now = _now()
    wanted = _printed_hash(typed)
    outcome: uuid.UUID | Refusal
    with transaction.atomic():
        busy = _global_over(now)
        # The code is the identifier here: its own bucket locks repeated tries of one code, the
        # global bucket brakes guessing across many (60 bits make guessing hopeless anyway).
        matching = list(SignInCode.objects.filter(code_hash=wanted, channel=Channel.PRINTED))
        # No row for a code that never existed: guesses must not fill the table.
        row = _bucket(f"printed:{wanted}", now, _lock_window()) if matching else None
        client_id = matching[0].client_id if matching else None
        client_row = _bucket(f"client:{client_id}", now, _lock_window()) if client_id else None
        active = client_id is not None and PortalAccess.objects.filter(client_id=client_id, active=True).exists()
        if busy or (row is not None and _locked(row, now)) or (client_row is not None and _locked(client_row, now)):
            outcome = Refusal.LOCKED
        elif not matching or not active:
            outcome = Refusal.WRONG
        else:
            live = [c for c in matching if c.used_at is None and c.expires_at > now]
            if live and hmac.compare_digest(live[0].code_hash, wanted) and _claim(live[0].pk, now):
                outcome = live[0].client_id
            elif live:
                outcome = Refusal.USED
            else:
                outcome = _why_not(matching)
        outcome = _record(outcome, row, client_row, now, ident="", client_id=client_id)
    if isinstance(outcome, Refusal):
        raise SignInRefused(outcome)
    return outcome


def _record(
    outcome: uuid.UUID | Refusal,
    row: SignInThrottle | None,
    client_row: SignInThrottle | None,
    now: dt.datetime,
    *,
    ident: str,
    client_id: uuid.UUID | None,
) -> uuid.UUID | Refusal:
    """Count a failure (or clear the identifier's count on success) and audit the attempt."""
    if isinstance(outcome, Refusal):
        if outcome != Refusal.LOCKED:
            for bucket in (row, client_row):
                if bucket is not None:
                    _fail(bucket, now)
        _audit_attempt("portal.sign_in_refused", ident=ident, client_id=client_id, reason=str(outcome))
        return outcome
    if row is not None:
        SignInThrottle.objects.filter(pk=row.pk).update(failures=0)
    _audit_attempt("portal.signed_in", ident=ident, client_id=outcome)
    return outcome


def client_can_sign_in(client_id: uuid.UUID) -> bool:
    """Whether the client's sign-in is still switched on: a session ends when it is not."""
    return PortalAccess.objects.filter(client_id=client_id, active=True).exists()


def sign_in_housekeeping(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Delete codes a day past their end and throttle rows whose window and lock have passed:
    neither is evidence (the audit trail is), and unknown identifiers' rows would pile up."""
    now = now or _now()
    codes, _detail = SignInCode.objects.filter(expires_at__lt=now - dt.timedelta(days=1)).delete()
    stale = now - _lock_window() - dt.timedelta(minutes=1)
    throttles, _detail = (
        SignInThrottle.objects.filter(window_started_at__lt=stale)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .delete()
    )
    return codes, throttles


__all__ = [
    "PrintedCode",
    "Refusal",
    "SignInRefused",
    "access_for",
    "access_set_up",
    "access_switch_off",
    "caseworker_client",
    "client_can_sign_in",
    "code_request",
    "code_verify",
    "own_page_viewed",
    "printed_code_issue",
    "printed_code_verify",
    "sign_in_housekeeping",
]


def own_page_viewed(client_id: uuid.UUID, page: str, **detail: object) -> None:
    """A client reading their own pages is not a disclosure (nothing goes to the access ledger),
    but it is audited like every other read of the record."""
    with transaction.atomic():
        audit_record(
            actor_user_id=None,
            organisation_id=None,
            action="portal.page_viewed",
            object_type="client",
            object_id=client_id,
            client_id=client_id,
            detail={"page": page, **detail},
        )
