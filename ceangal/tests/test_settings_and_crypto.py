from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured

from ceangal.crypto import blind_index, decrypt, encrypt
from ceangal.env import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parents[2]


def test_env_helpers_fail_loudly(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_BOOL"):
        env_bool("X_BOOL", False)
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="X_INT"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", "a.example, b.example,")
    assert env_list("X_LIST", []) == ["a.example", "b.example"]


def _import_settings(**env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CEANGAL_", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL"))
    }
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='ceangal.settings'; django.setup()",
        ],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_refuses_to_start_without_its_secrets():
    result = _import_settings(CEANGAL_ENV="production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_the_development_field_key():
    result = _import_settings(CEANGAL_ENV="production", SECRET_KEY="x" * 60, ALLOWED_HOSTS="ceangal.example.org")
    assert result.returncode != 0
    assert "CEANGAL_FIELD_KEY" in result.stderr


def test_encryption_round_trip_is_randomised_and_tamper_evident():
    first, second = encrypt("AB123456C"), encrypt("AB123456C")
    assert first != second
    assert decrypt(first) == decrypt(second) == "AB123456C"
    tampered = first[:-4] + ("AAAA" if not first.endswith("AAAA") else "BBBB")
    with pytest.raises((InvalidTag, ValueError)):
        decrypt(tampered)


def test_blind_index_is_stable_and_keyed():
    assert blind_index("AB123456C") == blind_index("AB123456C")
    assert blind_index("AB123456C") != blind_index("AB123456D")
    assert "AB123456C" not in blind_index("AB123456C")
