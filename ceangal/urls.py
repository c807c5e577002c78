from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("ceangal.api.urls")),
    path("my/", include("ceangal.portal.urls")),
    path("", include("ceangal.web.urls")),
]
