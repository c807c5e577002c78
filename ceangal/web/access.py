"""Who may open a staff page, and how service errors become pages.

Every staff page needs a signed-in person who is a staff member of a partner organisation: the
`staff_page` decorator finds that StaffMember (the actor every selector and service takes) and
hands it to the view. A signed-in person without one gets 403. NotFound from a selector or service
becomes the ordinary 404 page, the same for a client that does not exist and one the actor may not
see; NotPermitted becomes the 403 page with its message.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Concatenate

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils.translation import gettext as _

from ceangal.errors import NotFound, NotPermitted
from ceangal.partners.models import StaffMember
from ceangal.partners.roles import CASEWORK_ROLES, Role

type StaffView[**P] = Callable[Concatenate[HttpRequest, StaffMember, P], HttpResponseBase]
type PageView[**P] = Callable[Concatenate[HttpRequest, P], HttpResponseBase]


def staff_member_for(request: HttpRequest) -> StaffMember | None:
    """The signed-in person's staff membership, loaded once per request."""
    cached: StaffMember | None = getattr(request, "_ceangal_staff", None)
    if cached is not None:
        return cached
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    member = (
        StaffMember.objects.select_related("user", "organisation", "organisation__partnership")
        .filter(user_id=user.pk)
        .first()
    )
    request._ceangal_staff = member  # type: ignore[attr-defined]
    return member


def can_change_records(member: StaffMember | None) -> bool:
    """Whether to offer Register, Edit and Add: the services decide, this only avoids offering a
    form that would be refused."""
    return member is not None and Role(member.role) in CASEWORK_ROLES


def staff_page[**P](view: StaffView[P]) -> PageView[P]:
    @wraps(view)
    def wrapper(request: HttpRequest, /, *args: P.args, **kwargs: P.kwargs) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        actor = staff_member_for(request)
        if actor is None:
            raise PermissionDenied(
                _(
                    "Your account is not linked to a partner organisation, so it cannot open staff pages. "
                    "Ask your organisation admin to add you as a member of staff."
                )
            )
        try:
            return view(request, actor, *args, **kwargs)
        except NotFound as exc:
            raise Http404(str(exc)) from exc
        except NotPermitted as exc:
            raise PermissionDenied(str(exc)) from exc

    return wrapper
