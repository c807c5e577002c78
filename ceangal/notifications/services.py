"""Sending notifications to staff, and their preferences.

notify() is the one way Ceangal emails staff. It sends nothing but what the kind's templates say,
filled in from ALLOWED_VARIABLES (no client data can reach it), to active staff who have not
switched the kind off, and only after the surrounding transaction commits: a referral that is
rolled back sends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from ceangal.audit.services import audit_record
from ceangal.errors import InvalidInput
from ceangal.notifications.kinds import (
    CALLER_VARIABLES,
    KIND_INFO,
    STATUS_WORDS,
    NotificationKind,
    body_template,
    subject_template,
)
from ceangal.notifications.links import sign_in_url
from ceangal.notifications.models import Notification, NotificationPreference
from ceangal.notifications.webhooks import emit
from ceangal.partners.models import StaffMember

# emit (webhooks) and NotificationKind are here too, so that callers need one import for both.
__all__ = ["NotificationKind", "emit", "notify", "preferences_of", "preferences_set", "render_notification"]

logger = logging.getLogger(__name__)

SUBJECT_LIMIT = 200


def _check_link_path(link_path: str) -> None:
    # A path on this site only: an absolute or protocol-relative URL would make the email a lure.
    if not link_path.startswith("/") or link_path.startswith("//") or "\\" in link_path:
        raise ValueError(f"link_path must be a path on this site, such as /caseload/, not {link_path!r}.")


def _check_context(context: Mapping[str, object]) -> dict[str, object]:
    """Only the variables a notification may carry, of the shapes they may have."""
    unknown = sorted(set(context) - CALLER_VARIABLES)
    if unknown:
        raise ValueError(
            f"A notification may not carry {', '.join(unknown)}: emails name no client. "
            f"Allowed: {', '.join(sorted(CALLER_VARIABLES))}."
        )
    checked: dict[str, object] = {}
    for name, value in context.items():
        if name == "count":
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError("count must be a whole number.")
        elif name == "status":
            if value not in STATUS_WORDS:
                raise ValueError(f"status must be one of {sorted(STATUS_WORDS)}.")
        elif not isinstance(value, str) or len(value) > 200:
            raise ValueError(f"{name} must be a short text.")
        checked[name] = value
    return checked


def render_notification(kind: str, context: Mapping[str, object]) -> tuple[str, str]:
    """The subject (one line) and the plain-text body of a kind, for this context."""
    subject = " ".join(render_to_string(subject_template(kind), dict(context)).split())[:SUBJECT_LIMIT]
    body = render_to_string(body_template(kind), dict(context)).strip() + "\n"
    return subject, body


def wants(staff: StaffMember, kind: NotificationKind) -> bool:
    if not KIND_INFO[kind].optional:
        return True
    chosen = NotificationPreference.objects.filter(staff=staff, kind=kind).values_list("enabled", flat=True).first()
    return True if chosen is None else bool(chosen)


@dataclass(frozen=True)
class _Outgoing:
    staff_id: int
    email: str
    subject: str
    body: str


def notify(
    kind: NotificationKind | str,
    *,
    staff: Iterable[StaffMember],
    link_path: str,
    context: Mapping[str, object] | None = None,
) -> int:
    """Email each of `staff` who is active and has not switched `kind` off, after commit.

    Returns how many will be sent. Raises ValueError, before anything is queued, for a context
    that holds anything but the allowed variables or a link that leaves the site.
    """
    kind = NotificationKind(kind)
    _check_link_path(link_path)
    checked = _check_context(context or {})
    url = sign_in_url(link_path)
    outgoing: list[_Outgoing] = []
    for member in staff:
        if not member.active or member.is_service_account or not member.user.email or not wants(member, kind):
            continue
        subject, body = render_notification(
            kind,
            {
                **checked,
                "recipient_name": member.display_name,
                "partnership_name": member.organisation.partnership.name,
                "organisation_name": member.organisation.name,
                "sign_in_url": url,
            },
        )
        outgoing.append(_Outgoing(member.pk, member.user.email, subject, body))
    if outgoing:
        transaction.on_commit(lambda: _send(kind, outgoing, link_path))
    return len(outgoing)


def _send(kind: NotificationKind, outgoing: list[_Outgoing], link_path: str) -> None:
    for message in outgoing:
        try:
            send_mail(subject=message.subject, message=message.body, from_email=None, recipient_list=[message.email])
        except OSError:
            # One unreachable mailbox must not stop the others; the page list still shows it.
            logger.exception("Could not send a %s notification to staff member %s", kind, message.staff_id)
        Notification.objects.create(
            kind=kind,
            recipient_id=message.staff_id,
            subject=message.subject,
            link_path=link_path,
            sent_at=timezone.now(),
        )


# Preferences ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PreferenceView:
    kind: NotificationKind
    label: str
    description: str
    optional: bool
    enabled: bool


def preferences_of(staff: StaffMember) -> list[PreferenceView]:
    chosen = dict(NotificationPreference.objects.filter(staff=staff).values_list("kind", "enabled"))
    return [
        PreferenceView(
            kind=kind,
            label=str(kind.label),
            description=KIND_INFO[kind].description,
            optional=KIND_INFO[kind].optional,
            enabled=True if not KIND_INFO[kind].optional else chosen.get(kind.value, True),
        )
        for kind in NotificationKind
    ]


def preferences_set(*, actor: StaffMember, choices: Mapping[str, bool]) -> list[PreferenceView]:
    """Switch kinds on or off for the actor. Kinds not named keep their setting."""
    errors: dict[str, list[str]] = {}
    for name, enabled in choices.items():
        if name not in NotificationKind.values:
            errors[f"preferences.{name}"] = [
                f"There is no notification called {name!r}; choose from {', '.join(NotificationKind.values)}."
            ]
        elif not isinstance(enabled, bool):
            errors[f"preferences.{name}"] = ["Give true to receive it or false to stop it."]
        elif not enabled and not KIND_INFO[NotificationKind(name)].optional:
            errors[f"preferences.{name}"] = [
                f"“{NotificationKind(name).label}” is always sent and cannot be switched off."
            ]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        before = dict(NotificationPreference.objects.filter(staff=actor).values_list("kind", "enabled"))
        changed: dict[str, bool] = {}
        for name, enabled in choices.items():
            if before.get(name, True) == enabled:
                continue
            NotificationPreference.objects.update_or_create(staff=actor, kind=name, defaults={"enabled": enabled})
            changed[name] = enabled
        if changed:
            audit_record(
                actor_user_id=actor.user_id,
                organisation_id=actor.organisation_id,
                action="notification_preferences.changed",
                object_type="partners.staffmember",
                object_id=actor.pk,
                detail={"changed": changed},
            )
    return preferences_of(actor)


def recent_notifications(staff: StaffMember, limit: int = 50) -> list[Notification]:
    return list(Notification.objects.filter(recipient=staff)[:limit])
