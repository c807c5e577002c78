"""Absolute links back into Ceangal, for emails and webhook payloads (which leave the site)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings


def site_url() -> str:
    return str(getattr(settings, "CEANGAL_SITE_URL", "http://127.0.0.1:8000")).rstrip("/")


def sign_in_url(link_path: str) -> str:
    """An absolute link to sign in and then land on link_path."""
    return f"{site_url()}/accounts/login/?{urlencode({'next': link_path})}"
