"""Every error the API returns is an RFC 9457 problem: application/problem+json with a stable `type`.

Service errors (ceangal.errors) carry their own type, title and status, so the web pages and the
API say the same thing. A client that may not be seen gets the same 404 body as one that does not
exist. Anything unexpected is logged here and answered with a 500 that holds no internals.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from ceangal.errors import EditConflict, InvalidInput, ServiceError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://ceangal.scot/problems/"

# Problem types the API adds to those of ceangal.errors.ServiceError subclasses. Each is listed,
# with when it happens, in docs/api.md; the strings are part of the API and do not change.
AUTHENTICATION_REQUIRED = "authentication-required"
CSRF_FAILED = "csrf-failed"
INVALID_JSON = "invalid-json"
NOT_FOUND = "not-found"
TOO_MANY_REQUESTS = "too-many-requests"
SERVER_ERROR = "server-error"


def problem_type_uri(problem_type: str) -> str:
    return problem_type if problem_type == "about:blank" else PROBLEM_BASE + problem_type


def problem_response(
    *,
    status: int,
    problem_type: str,
    title: str,
    detail: str,
    extra: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": problem_type_uri(problem_type),
        "title": title,
        "status": status,
        "detail": detail,
        **(extra or {}),
    }
    response = HttpResponse(json.dumps(body), status=status, content_type=PROBLEM_CONTENT_TYPE)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


class CsrfRejected(Exception):
    """A session-authenticated write without a valid CSRF token."""


class AuthenticationFailed(AuthenticationError):
    """Credentials were sent but are not good: says which, so the caller can fix it."""

    def __init__(self, message: str) -> None:
        super().__init__(status_code=401, message=message)


def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    extra: dict[str, Any] = {}
    if isinstance(exc, InvalidInput):
        extra["errors"] = exc.errors
    if isinstance(exc, EditConflict):
        extra["expected_version"] = exc.expected_version
        extra["current_version"] = exc.current_version
    return problem_response(
        status=exc.status, problem_type=exc.problem_type, title=exc.title, detail=str(exc), extra=extra
    )


def _field_name(loc: tuple[Any, ...] | list[Any]) -> str:
    """A ninja error location as a field path: ("body", "body", "data", "title") -> "data.title".

    Every operation in this API names its JSON body parameter `body`, so the first two parts of a
    body location are dropped; query and path locations keep their source ("query.scope").
    """
    parts = [str(part) for part in loc]
    if parts[:2] == ["body", "body"]:
        parts = parts[2:]
    return ".".join(parts) or "body"


def _request_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(str(error.get("msg", "Not valid.")))
    return _service_error(request, InvalidInput(errors))


def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    detail = (
        exc.message
        if isinstance(exc, AuthenticationFailed)
        else "Sign in, or send an API key in the header 'Authorization: Bearer cgl_...'."
    )
    return problem_response(
        status=401,
        problem_type=AUTHENTICATION_REQUIRED,
        title="Authentication is required",
        detail=detail,
        headers={"WWW-Authenticate": 'Bearer realm="ceangal"'},
    )


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return _authentication_error(request, exc)
    if isinstance(exc, Throttled):
        return problem_response(
            status=429,
            problem_type=TOO_MANY_REQUESTS,
            title="Too many requests",
            detail="Too many requests; wait and try again.",
        )
    if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
        # ninja wraps the JSON parser's error (json.JSONDecodeError is a ValueError).
        return problem_response(
            status=400,
            problem_type=INVALID_JSON,
            title="The request body is not valid JSON",
            detail="The request body is not valid JSON; send a JSON object with Content-Type: application/json.",
        )
    status = HTTPStatus(exc.status_code)
    return problem_response(status=status.value, problem_type="about:blank", title=status.phrase, detail=str(exc))


def _csrf_rejected(request: HttpRequest, exc: CsrfRejected) -> HttpResponse:
    return problem_response(
        status=403,
        problem_type=CSRF_FAILED,
        title="The CSRF check failed",
        detail=(
            "A change made with a signed-in browser session needs the CSRF token in the X-CSRFToken header. "
            "Partner systems should use an API key instead of a session."
        ),
    )


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return problem_response(
        status=404, problem_type=NOT_FOUND, title="Not found", detail="There is nothing at this address."
    )


def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in API %s %s", request.method, request.path, exc_info=exc)
    return problem_response(
        status=500,
        problem_type=SERVER_ERROR,
        title="Something went wrong on our side",
        detail=(
            "The request could not be completed because of an error in Ceangal. The error has been logged; "
            "try again later, and tell your organisation admin if it keeps happening."
        ),
    )


def problem_for_exception(request: HttpRequest, exc: Exception | type[Exception]) -> HttpResponse:
    """The problem response for anything an operation (or its authentication) raised."""
    if isinstance(exc, ServiceError):
        return _service_error(request, exc)
    if isinstance(exc, ValidationError):
        return _request_validation_error(request, exc)
    if isinstance(exc, HttpError):
        return _http_error(request, exc)
    if isinstance(exc, CsrfRejected):
        return _csrf_rejected(request, exc)
    if isinstance(exc, Http404):
        return _not_found(request, exc)
    if isinstance(exc, Exception):
        return _unexpected(request, exc)
    return _unexpected(request, exc())


def install_problem_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers (looked up by class): every error becomes a problem."""
    for exc_class in (ServiceError, ValidationError, HttpError, CsrfRejected, Http404, Exception):
        api.add_exception_handler(exc_class, problem_for_exception)


def method_not_allowed(request: HttpRequest, *, allowed: str) -> HttpResponse:
    return problem_response(
        status=405,
        problem_type="about:blank",
        title="Method Not Allowed",
        detail=f"{request.method} is not allowed here; allowed: {allowed}.",
        headers={"Allow": allowed},
    )


def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """For addresses under /api/v1/ that match no operation: a problem, not an HTML page."""
    return _not_found(request, Http404())
