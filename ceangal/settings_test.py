"""Test settings: the base, with speed knobs only.

CEANGAL_TEST_DATABASE_URL chooses the database (SQLite in memory when unset), so the same suite
runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import dj_database_url

from ceangal.settings import *  # noqa: F403
from ceangal.settings import DATABASES

_url = os.environ.get("CEANGAL_TEST_DATABASE_URL", "")
if _url:
    DATABASES["default"] = dj_database_url.parse(_url, conn_max_age=60)
else:
    DATABASES["default"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": ":memory:",
        "OPTIONS": {"transaction_mode": "IMMEDIATE"},
        "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"ceangal-test-{os.getpid()}.sqlite3")},
    }

# Speed knobs: a fast hasher, tasks run inline.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": tempfile.mkdtemp(prefix="ceangal-documents-")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
ACCOUNT_RATE_LIMITS = False
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="ceangal-static-"))
