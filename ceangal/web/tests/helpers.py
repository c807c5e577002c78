"""Helpers for the staff-page tests."""

from __future__ import annotations

import re


def without_tokens(html: str) -> str:
    """Page HTML without the per-render CSRF token, so two renders can be compared."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
