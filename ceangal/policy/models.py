"""Break-glass grants: access without consent for vital interests or safeguarding.

Narrow (one client, chosen categories), short-lived, given only with a reason, never silent: the
DPO reviews every one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ceangal.clients.models import Client
from ceangal.partners.models import StaffMember


class BreakGlassGround(models.TextChoices):
    VITAL_INTERESTS = "vital_interests", _("Vital interests: someone's life or safety is at risk")
    SAFEGUARDING = "safeguarding", _("Safeguarding a child or an adult at risk")


class ReviewOutcome(models.TextChoices):
    JUSTIFIED = "justified", _("Justified")
    NOT_JUSTIFIED = "not_justified", _("Not justified: followed up with the staff member")


class BreakGlassGrant(models.Model):
    staff = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="break_glass_grants")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="break_glass_grants")
    categories = models.JSONField()
    ground = models.CharField(max_length=20, choices=BreakGlassGround.choices)
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(max_length=15, choices=ReviewOutcome.choices, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["client", "staff", "expires_at"])]

    def __str__(self) -> str:
        return f"Break-glass {self.pk}"
