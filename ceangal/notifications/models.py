"""Notifications sent to staff, their preferences, and partner systems' webhook subscriptions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ceangal.crypto import EncryptedTextField
from ceangal.notifications.kinds import NotificationKind
from ceangal.partners.models import Organisation, StaffMember


class NotificationPreference(models.Model):
    """A staff member's choice for one kind. No row: the kind is on (the default)."""

    staff = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    enabled = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["staff", "kind"], name="one_preference_per_staff_and_kind")]

    def __str__(self) -> str:
        return f"{self.staff_id} {self.kind} {'on' if self.enabled else 'off'}"


class Notification(models.Model):
    """One email sent, kept so the recipient can also find it in Ceangal. Holds no client data."""

    kind = models.CharField(max_length=40, choices=NotificationKind.choices)
    recipient = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="notifications")
    subject = models.CharField(max_length=200)
    link_path = models.CharField(max_length=300)
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "-sent_at"], name="notification_recipient_recent")]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient_id} at {self.sent_at:%Y-%m-%d %H:%M}"


class WebhookSubscription(models.Model):
    """A partner system's endpoint that wants to hear about some events of one organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="webhook_subscriptions")
    url = models.URLField(max_length=500)
    events = models.JSONField(default=list, help_text="Event names, from ceangal.notifications.events.")
    description = models.CharField(max_length=200, blank=True)
    # Stored encrypted; shown once, when made or rotated. The receiver keeps it to check signatures.
    secret = EncryptedTextField()
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    deactivated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.url} ({self.organisation_id})"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    DELIVERED = "delivered", _("Delivered")
    FAILED = "failed", _("Failed")


class WebhookDelivery(models.Model):
    """One event for one subscription, with its attempts so far."""

    subscription = models.ForeignKey(WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=60)
    event_id = models.UUIDField(default=uuid.uuid4, help_text="The same for every subscription told of one event.")
    payload = models.JSONField()
    status = models.CharField(max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} to {self.subscription_id}: {self.status}"
