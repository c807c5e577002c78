"""Who is calling: an API key (partner systems) or a signed-in browser session (staff).

Both resolve to the StaffMember the request acts as, which ninja puts on `request.auth`. A person
without a staff record, a deactivated account and an unknown, revoked or expired key all get 401.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from ceangal.api.errors import AuthenticationFailed, CsrfRejected
from ceangal.partners.models import StaffMember
from ceangal.partners.services import api_key_authenticate


class ApiKeyAuth(HttpBearer):
    """`Authorization: Bearer cgl_...`, checked by partners.services.api_key_authenticate."""

    openapi_description = (
        "An API key issued by your organisation admin, sent as 'Authorization: Bearer cgl_...'. "
        "The key acts as the staff member (usually a service account) it was issued to."
    )
    openapi_bearerFormat = "cgl_<prefix>_<secret>"  # ninja reads openapi_* attributes by name

    def authenticate(self, request: HttpRequest, token: str) -> StaffMember:
        staff = api_key_authenticate(token.strip())
        if staff is None:
            # A key that was sent but is not good fails outright, rather than falling through to a
            # browser session that happens to be open: the caller meant to use the key.
            raise AuthenticationFailed("The API key is not valid: it is unknown, revoked or expired.")
        return staff


class SessionStaffAuth(SessionAuth):
    """A signed-in staff member's browser session. Unsafe methods need the CSRF token."""

    openapi_description = "A signed-in browser session (for the staff pages and the docs page)."

    def __call__(self, request: HttpRequest) -> Any:
        # No signed-in user means the cookie proves nothing, so there is nothing for CSRF to
        # protect: answer 401 (not a CSRF 403) and let the caller sign in or use a key.
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)

    def _get_key(self, request: HttpRequest) -> str | None:
        if self.csrf and not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise CsrfRejected()
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> StaffMember:
        user = request.user
        staff: StaffMember | None = getattr(user, "staff", None)
        if staff is None:
            raise AuthenticationFailed("This account is not a staff member of any organisation.")
        if not staff.active or not user.is_active:
            raise AuthenticationFailed("This staff account is not active.")
        return staff


def actor_of(request: HttpRequest) -> StaffMember:
    """The staff member the request acts as (set by one of the auth classes above)."""
    staff = getattr(request, "auth", None)
    if not isinstance(staff, StaffMember):
        raise AssertionError("The operation ran without an authenticated staff member.")
    return staff
