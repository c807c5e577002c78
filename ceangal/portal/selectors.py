"""What a key worker sees about a client's sign-in: which contacts are set up, never the codes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from ceangal.partners.models import StaffMember
from ceangal.portal.models import Channel, PortalAccess, SignInCode
from ceangal.portal.services import caseworker_client


@dataclass(frozen=True)
class AccessStatus:
    reference: str
    email: str
    mobile: str
    set_up_at: dt.datetime | None
    active: bool
    printed_code_until: dt.datetime | None


def _masked_email(value: str) -> str:
    local, _at, domain = value.partition("@")
    return f"{local[:1]}•••@{domain}" if value else ""


def _masked_mobile(value: str) -> str:
    return f"•••• ••• {value[-3:]}" if value else ""


def access_status(*, actor: StaffMember, client_id: object) -> AccessStatus:
    """The client's sign-in set-up, for a key worker or team leader working with them. The contacts
    are shown in part: enough to check with the client, no more."""
    client = caseworker_client(actor, client_id)
    access = PortalAccess.objects.filter(client_id=client.pk).first()
    printed = (
        SignInCode.objects.filter(
            client_id=client.pk, channel=Channel.PRINTED, used_at__isnull=True, expires_at__gt=timezone.now()
        )
        .values_list("expires_at", flat=True)
        .first()
    )
    return AccessStatus(
        reference=client.reference,
        email=_masked_email(access.email) if access else "",
        mobile=_masked_mobile(access.mobile) if access else "",
        set_up_at=access.set_up_at if access else None,
        active=access.active if access else False,
        printed_code_until=printed,
    )
