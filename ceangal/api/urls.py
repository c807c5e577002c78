from __future__ import annotations

from django.urls import URLPattern, URLResolver, path, re_path

from ceangal.api.api import api
from ceangal.api.docs import ASSET_URL_NAME, docs_asset
from ceangal.api.errors import not_found_view

urlpatterns: list[URLPattern | URLResolver] = [
    path("docs/assets/<str:name>", docs_asset, name=ASSET_URL_NAME),
    path("", api.urls),
    # Anything else under /api/v1/ is a problem document too, never the HTML 404 page.
    re_path(r"^.*$", not_found_view),
]
