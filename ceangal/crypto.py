"""Field encryption (AES-256-GCM) and a keyed blind index for looking encrypted values up.

Special-category details and identifiers are stored encrypted, so a copy of the database alone
does not reveal them. The blind index (HMAC-SHA256 of the normalised value) lets the service find
an exact match without decrypting every row, and says nothing to someone without the key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

_VERSION = b"v1"


@cache
def _keys(master_b64: str) -> tuple[bytes, bytes]:
    try:
        master = base64.b64decode(master_b64, validate=True)
    except ValueError:
        raise ImproperlyConfigured("CEANGAL_FIELD_KEY must be base64.") from None
    if len(master) != 32:
        raise ImproperlyConfigured("CEANGAL_FIELD_KEY must decode to 32 bytes (make one with `make key`).")

    def derive(info: bytes) -> bytes:
        return HKDF(algorithm=SHA256(), length=32, salt=None, info=info).derive(master)

    return derive(b"ceangal field encryption"), derive(b"ceangal blind index")


def _encryption_key() -> bytes:
    return _keys(settings.FIELD_ENCRYPTION_KEY)[0]


def encrypt(plaintext: str) -> str:
    nonce = os.urandom(12)
    sealed = AESGCM(_encryption_key()).encrypt(nonce, plaintext.encode(), _VERSION)
    return (_VERSION + b":" + base64.b64encode(nonce + sealed)).decode()


def decrypt(token: str) -> str:
    version, _, body = token.encode().partition(b":")
    if version != _VERSION:
        raise ValueError("Unknown encryption version.")
    raw = base64.b64decode(body)
    return AESGCM(_encryption_key()).decrypt(raw[:12], raw[12:], _VERSION).decode()


def blind_index(value: str) -> str:
    """HMAC-SHA256 of an already-normalised value."""
    return hmac.new(_keys(settings.FIELD_ENCRYPTION_KEY)[1], value.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):  # type: ignore[type-arg]
    """A text field stored as AES-GCM ciphertext. It cannot be filtered on; use a blind index."""

    description = "Encrypted text"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(str(value))
