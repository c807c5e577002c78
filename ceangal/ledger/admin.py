"""The ledger in the Django admin: read-only, and for superusers only (the DPO has its own pages)."""

from __future__ import annotations

from django.contrib import admin

from ceangal.ledger.models import LedgerChainHead, LedgerEntry


class _ReadOnlyForSuperusers:
    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: object, obj: object = None) -> bool:
        return bool(getattr(getattr(request, "user", None), "is_superuser", False))


@admin.register(LedgerEntry)
class LedgerEntryAdmin(_ReadOnlyForSuperusers, admin.ModelAdmin[LedgerEntry]):
    list_display = ["at", "channel", "purpose", "organisation_id", "actor_staff_id", "client_id", "shard", "seq"]
    list_filter = ["channel"]
    date_hierarchy = "at"
    show_full_result_count = False


@admin.register(LedgerChainHead)
class LedgerChainHeadAdmin(_ReadOnlyForSuperusers, admin.ModelAdmin[LedgerChainHead]):
    list_display = ["shard", "last_seq", "last_hash"]
