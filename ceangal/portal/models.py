"""How a client signs in to their own pages: the contact they chose, one-time codes, throttles.

Codes are never stored, only their keyed hash (ceangal.crypto.blind_index), so a copy of the
database does not let anyone sign in. The contact is stored encrypted with a blind index to find it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ceangal.crypto import EncryptedTextField


class PortalAccess(models.Model):
    """One per client: the verified email and/or mobile the client chose, with their key worker,
    for signing in."""

    client = models.OneToOneField("clients.Client", on_delete=models.CASCADE, related_name="portal_access")
    email = EncryptedTextField(blank=True)
    email_index = models.CharField(max_length=64, blank=True, db_index=True)
    mobile = EncryptedTextField(blank=True, help_text="Normalised to +447…")
    mobile_index = models.CharField(max_length=64, blank=True, db_index=True)
    set_up_by = models.ForeignKey(
        "partners.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    set_up_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "portal access"

    def __str__(self) -> str:
        return f"Portal access {self.pk}"


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("Text message")
    PRINTED = "printed", _("Printed code from a key worker")


class SignInCode(models.Model):
    client = models.ForeignKey("clients.Client", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=8, choices=Channel.choices)
    # HMAC-SHA256 of the code (never the code itself).
    code_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.channel} code {self.pk}"


class SignInThrottle(models.Model):
    """Failed attempts and code requests in a window, for one bucket: a looked-up identifier's
    hash, a client, or the global bucket."""

    bucket = models.CharField(max_length=80, unique=True)
    window_started_at = models.DateTimeField()
    failures = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.bucket
