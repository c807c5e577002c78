"""Every portal page by name, and an address for each, for the permission matrices."""

from __future__ import annotations

import uuid

from django.urls import URLPattern, reverse

from ceangal.portal import urls as portal_urls

PAGES = [p.name for p in portal_urls.urlpatterns if isinstance(p, URLPattern) and p.name]
# Made-up values for a page's parts: a guard must answer before anything is looked up.
_EXAMPLES = {"kind": "access", "event_id": 1, "fmt": "json", "document_id": 1}


def portal_url(name: str, **kwargs: object) -> str:
    """The page's address, with made-up ids for any part not given."""
    pattern = next(p for p in portal_urls.urlpatterns if isinstance(p, URLPattern) and p.name == name)
    for part in pattern.pattern.converters:
        kwargs.setdefault(part, _EXAMPLES.get(part, uuid.uuid4()))
    return reverse(f"portal:{name}", kwargs=kwargs)
