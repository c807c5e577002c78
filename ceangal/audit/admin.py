from __future__ import annotations

from django.contrib import admin

from ceangal.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    list_display = ["at", "action", "object_type", "object_id", "actor"]
    list_filter = ["action"]
    search_fields = ["object_id", "action"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: object, obj: object = None) -> bool:
        return bool(getattr(getattr(request, "user", None), "is_superuser", False))
