from __future__ import annotations

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ceangal.portal"
    label = "portal"
    verbose_name = "Client portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ceangal.portal import receivers  # noqa: F401  (connects the erasure receivers)
