"""The client's session and the guard on every portal page.

A signed-in client is `request.session["ceangal_portal_client"]`, set after the session key is
cycled (no fixation). It is separate from Django's user: a client session never opens a staff page
(those check request.user), and a signed-in member of staff gets 403 on every portal page, so one
browser is never both at once. A client idle for CEANGAL_PORTAL_IDLE_MINUTES is signed out, and so
is one whose sign-in their key worker has switched off.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Concatenate

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from ceangal.errors import NotFound
from ceangal.partners.models import StaffMember
from ceangal.portal.services import client_can_sign_in

SESSION_CLIENT = "ceangal_portal_client"
SESSION_SEEN = "ceangal_portal_seen"
# The email or mobile a code was asked for, kept between the two sign-in steps.
SESSION_IDENTIFIER = "ceangal_portal_identifier"

type ClientView[**P] = Callable[Concatenate[HttpRequest, uuid.UUID, P], HttpResponseBase]
type PageView[**P] = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def refuse_staff(request: HttpRequest) -> None:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and StaffMember.objects.filter(user_id=user.pk).exists():
        raise PermissionDenied(
            _("These pages are for clients. Sign out of your staff account to use them, or use a private window.")
        )


def client_sign_in(request: HttpRequest, client_id: uuid.UUID) -> None:
    request.session.cycle_key()
    request.session.pop(SESSION_IDENTIFIER, None)
    request.session[SESSION_CLIENT] = str(client_id)
    request.session[SESSION_SEEN] = time.time()


def client_sign_out(request: HttpRequest) -> None:
    request.session.flush()


def signed_in_client(request: HttpRequest) -> uuid.UUID | None:
    """The signed-in client, or None (signing out one who was idle too long or switched off)."""
    raw = request.session.get(SESSION_CLIENT)
    if not raw:
        return None
    seen = float(request.session.get(SESSION_SEEN, 0))
    idle = settings.CEANGAL_PORTAL_IDLE_MINUTES * 60
    client_id = uuid.UUID(raw)
    if time.time() - seen > idle or not client_can_sign_in(client_id):
        client_sign_out(request)
        messages.info(request, _("You have been signed out. Sign in again to carry on."))
        return None
    request.session[SESSION_SEEN] = time.time()
    return client_id


def portal_page[**P](view: PageView[P]) -> PageView[P]:
    """A sign-in page: anyone but signed-in staff; never cached."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        refuse_staff(request)
        response = view(request, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        return response

    return wrapper


def client_page[**P](view: ClientView[P]) -> PageView[P]:
    """A page for the signed-in client, who is handed to the view; others go to sign in."""

    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        refuse_staff(request)
        client_id = signed_in_client(request)
        if client_id is None:
            return redirect("portal:sign_in")
        try:
            response = view(request, client_id, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        response["Cache-Control"] = "no-store"
        return response

    return wrapper
