from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver, include, path, re_path

from ceangal.api.api import api
from ceangal.api.docs import ASSET_URL_NAME, docs_asset
from ceangal.api.errors import method_not_allowed, not_found_view

View = Callable[..., HttpResponseBase]


def _method_not_allowed_as_problem(view: View) -> View:
    """ninja answers a method a path does not have with a bare 405; make it a problem like the rest."""

    @functools.wraps(view)  # keeps ninja's csrf_exempt mark
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            return method_not_allowed(request, allowed=response["Allow"])
        return response

    return wrapped


def _api_patterns() -> tuple[list[URLPattern | URLResolver], str]:
    patterns, app_name, _namespace = api.urls
    wrapped: list[URLPattern | URLResolver] = [
        URLPattern(p.pattern, _method_not_allowed_as_problem(p.callback), p.default_args, p.name)
        if isinstance(p, URLPattern)
        else p
        for p in patterns
    ]
    return wrapped, app_name


urlpatterns: list[URLPattern | URLResolver] = [
    path("docs/assets/<str:name>", docs_asset, name=ASSET_URL_NAME),
    path("", include(_api_patterns(), namespace=api.urls_namespace)),
    # Anything else under /api/v1/ is a problem document too, never the HTML 404 page.
    re_path(r"^.*$", not_found_view),
]
