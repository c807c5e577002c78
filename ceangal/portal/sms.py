"""Text messages for sign-in codes, through a backend named by the CEANGAL_SMS_BACKEND setting.

A backend is any class with `send(to: str, text: str) -> None`, `to` in international form
(+447…). Ceangal ships three: the console backend for development (prints and logs the message),
a no-op backend that production uses until a provider is configured (it logs that a message could
not be sent, never its content), and an in-memory one for tests. A real provider (GOV.UK Notify,
Twilio, …) is a small class in the partnership's own package: docs/portal.md shows one.
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Development only: the message (which holds a sign-in code) goes to the console."""

    def send(self, to: str, text: str) -> None:
        print(f"SMS to {to}: {text}")


class NoSmsBackend:
    """No provider configured: nothing is sent. Logged without the number or the text."""

    def send(self, to: str, text: str) -> None:
        log.error("A sign-in text message was not sent: set CEANGAL_SMS_BACKEND to a provider's backend.")


# Messages the in-memory backend has "sent", for tests: (to, text).
outbox: list[tuple[str, str]] = []


class LocmemSmsBackend:
    def send(self, to: str, text: str) -> None:
        outbox.append((to, text))


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.CEANGAL_SMS_BACKEND)()
    return backend
