"""What the portal does when a client's information is erased in full (clients.erasure): their
sign-in, with the email address and mobile number it holds, and any codes waiting, are deleted.
When some organisations keep their data under an exemption the sign-in stays: the client may
still see what those organisations hold."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from ceangal.clients.signals import client_erased, client_erasure_planned
from ceangal.portal.models import PortalAccess, SignInCode


@receiver(client_erasure_planned, dispatch_uid="portal.client_erasure_planned")
def on_erasure_planned(sender: object, *, client: Any, full: bool, **kwargs: Any) -> list[tuple[None, str, int]]:
    return [(None, "portal_access", PortalAccess.objects.filter(client=client).count())] if full else []


@receiver(client_erased, dispatch_uid="portal.client_erased")
def on_client_erased(sender: object, *, client: Any, full: bool, **kwargs: Any) -> list[tuple[None, str, int]]:
    if not full:
        return []
    SignInCode.objects.filter(client=client).delete()
    return [(None, "portal_access", PortalAccess.objects.filter(client=client).delete()[0])]
