"""Errors that services raise and that the web pages and the API turn into words for people.

Every service validates all of its input before it writes anything, and raises one of these with
every problem found, so a caller can show them all at once and nothing is half-saved.
"""

from __future__ import annotations

from collections.abc import Mapping


class ServiceError(Exception):
    """Base for errors a person can act on."""

    problem_type = "about:blank"
    status = 400
    title = "The request could not be completed"


class InvalidInput(ServiceError):
    """One or more fields are wrong. `errors` maps field name to messages that say how to fix it."""

    problem_type = "validation-error"
    status = 422
    title = "Some of the information given is not valid"

    def __init__(self, errors: Mapping[str, list[str] | str]) -> None:
        self.errors: dict[str, list[str]] = {
            field: [messages] if isinstance(messages, str) else list(messages) for field, messages in errors.items()
        }
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in self.errors.items())
        super().__init__(summary)


class EditConflict(ServiceError):
    """Someone else saved the same record since this editor loaded it."""

    problem_type = "edit-conflict"
    status = 409
    title = "Someone else has changed this since you opened it"

    def __init__(self, *, what: str, expected_version: int, current_version: int) -> None:
        self.what = what
        self.expected_version = expected_version
        self.current_version = current_version
        super().__init__(
            f"{what} was changed by someone else after you opened it (you had version {expected_version}, "
            f"it is now version {current_version}). Your changes have not been saved: reload the page, "
            "check their changes, and make yours again."
        )


class NotPermitted(ServiceError):
    """The actor may not do this. Shown as 'not found' where saying more would leak a client's existence."""

    problem_type = "not-permitted"
    status = 403
    title = "You do not have permission to do this"


class NotFound(ServiceError):
    problem_type = "not-found"
    status = 404
    title = "Not found"
