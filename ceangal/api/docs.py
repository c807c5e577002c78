"""The interactive reference at /api/v1/docs: Swagger UI, served entirely from this host.

ninja's stock Swagger page loads Swagger UI from a CDN unless "ninja" is in INSTALLED_APPS; our
Content Security Policy (scripts and styles from 'self' only) and partners' closed networks block
the CDN. This renderer always uses ninja's own bundled copy: through the static files app when
"ninja" is installed (whitenoise then serves it, cached), and otherwise through `docs_asset`, a
small view that streams the same files from the installed ninja package, so the version always
matches the installed ninja and nothing is vendored into the repository.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from ninja.openapi.docs import Swagger

from ceangal.api.errors import not_found_view

if TYPE_CHECKING:
    from ninja import NinjaAPI

NINJA_STATIC = Path(ninja.__file__).resolve().parent / "static" / "ninja"
DOCS_ASSETS: dict[str, str] = {
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "swagger-ui.css": "text/css",
    "favicon.svg": "image/svg+xml",
}
ASSET_URL_NAME = "api_docs_asset"


def asset_url(name: str) -> str:
    if "ninja" in settings.INSTALLED_APPS:
        return static(f"ninja/{name}")
    return reverse(ASSET_URL_NAME, kwargs={"name": name})


def docs_asset(request: HttpRequest, name: str) -> HttpResponse | FileResponse:
    """One of Swagger UI's files from the installed ninja package (a fixed list: no paths)."""
    content_type = DOCS_ASSETS.get(name)
    if content_type is None:
        return not_found_view(request)
    response = FileResponse((NINJA_STATIC / name).open("rb"), content_type=content_type)
    response["Cache-Control"] = "public, max-age=86400"
    return response


class LocalSwagger(Swagger):
    template = "api/docs.html"

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        # The validator badge would send the schema to validator.swagger.io: never.
        super().__init__({"validatorUrl": None, "defaultModelsExpandDepth": 0, **(settings or {})})

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        openapi_url = self.get_openapi_url(api, kwargs)
        context = {
            "api": api,
            "openapi_url": openapi_url,
            "swagger_settings": {**self.settings, "url": openapi_url},
            # Session auth checks CSRF on writes; the init script adds the token to "Try it out".
            "add_csrf": any(getattr(auth, "csrf", False) for auth in (api.auth or ())),  # type: ignore[union-attr]
            "assets": {
                "css": asset_url("swagger-ui.css"),
                "icon": asset_url("favicon.svg"),
                "bundle": asset_url("swagger-ui-bundle.js"),
                "init": asset_url("swagger-ui-init.js"),
            },
        }
        return render(request, self.template, context)
