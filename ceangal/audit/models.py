"""The audit trail of writes: one row per change, written in the same transaction as the change.

It records what happened and to which object, never the personal data itself (old and new values
live in each section's own history, under the same access rules as the section). Disclosures
(reads) go to the access ledger, which arrives with the decision point.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    organisation_id = models.BigIntegerField(null=True, blank=True, help_text="The actor's organisation.")
    action = models.CharField(max_length=80, db_index=True, help_text="For example client.registered.")
    object_type = models.CharField(max_length=80)
    object_id = models.CharField(max_length=64)
    client_id = models.UUIDField(null=True, blank=True, db_index=True)
    # Names of the fields changed, never their values.
    fields = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}:{self.object_id}"
