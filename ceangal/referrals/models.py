"""Referrals between partners, their events, secure messages and gaps in provision.

A referral asks another organisation's service to work with a client. It carries only its packet:
the categories the service needs that the decision point lets the recipient have for the purpose
"referral" (see policy.packets). The referral row itself holds no client data beyond the link to
the client; the packet is read through the decision point each time, so a withdrawal of consent
takes effect at once.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ceangal.clients.models import Client
from ceangal.crypto import EncryptedTextField
from ceangal.directory.models import Service
from ceangal.partners.models import Organisation, Partnership, StaffMember


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    MORE_INFO = "more_info", _("More information requested")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    COMPLETED = "completed", _("Completed")


# Waiting for the recipient to answer, or for the referrer to answer their question.
PENDING = (ReferralStatus.SENT, ReferralStatus.MORE_INFO)
# Not yet ended: a draft, a pending one, or one accepted and under way.
OPEN = (ReferralStatus.DRAFT, *PENDING, ReferralStatus.ACCEPTED)
ENDED = (ReferralStatus.DECLINED, ReferralStatus.WITHDRAWN, ReferralStatus.COMPLETED)


class DeclineReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("The client is not eligible")
    NO_CAPACITY = "no_capacity", _("No places available")
    NOT_SUITABLE = "not_suitable", _("The service does not suit the client's needs")
    CLIENT_DECLINED = "client_declined", _("The client did not want to take part")
    NO_CONTACT = "no_contact", _("We could not contact the client")
    DUPLICATE = "duplicate", _("The client is already referred or working with us")
    OTHER = "other", _("Another reason")


class Referral(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="referrals")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="referrals")
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_sent")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_received")
    created_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="referrals_made")
    # Why the client is referred: what they want from this service (the referral's purpose).
    reason = models.TextField()
    status = models.CharField(max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    # The packet: data categories the referral carries (the service's needs ∩ what policy allows).
    categories = models.JSONField(default=list, blank=True)
    # Eligibility and capacity as checked when sent, and the sender's note when sent anyway.
    flags = models.JSONField(default=list, blank=True)
    override_note = models.TextField(blank=True)
    decline_reason = models.CharField(max_length=20, choices=DeclineReason.choices, blank=True)
    decline_note = models.TextField(blank=True)
    receiving_key_worker = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    answer_due_on = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    started_on = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # "Tell us once": filled-in fields the recipient could read on accepting, not asked again.
    fields_not_asked_again = models.PositiveIntegerField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["to_organisation", "status"]),
            models.Index(fields=["from_organisation", "status"]),
            models.Index(fields=["status", "answer_due_on"]),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} to {self.service_id}"


class EventKind(models.TextChoices):
    CREATED = "created", _("Drafted")
    SENT = "sent", _("Sent")
    MORE_INFO = "more_info", _("More information requested")
    INFO_GIVEN = "info_given", _("More information given")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    STARTED = "started", _("Started")
    COMPLETED = "completed", _("Completed")
    ESCALATED = "escalated", _("Escalated: no answer in time")


class ReferralEvent(models.Model):
    """One step in a referral's life: who took it, when, and how long since the step before."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # Free text the parties wrote (a reason, a question, an answer). May be about the client: kept encrypted.
    note = EncryptedTextField(blank=True)
    since_previous = models.DurationField(null=True, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"


class Message(models.Model):
    """A secure message between partners about a referral or a client, visible only to the parties."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    referral = models.ForeignKey(Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="messages")
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    to_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    sent_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField()
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        indexes = [models.Index(fields=["to_organisation", "read_at"])]

    def __str__(self) -> str:
        return f"Message {self.pk}"


class ProvisionGap(models.Model):
    """A need no service in the directory met, recorded for the partnership. No client data: the
    need, the stage, the council area and who noticed."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="provision_gaps")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    need = models.CharField(max_length=20, blank=True, help_text="barrier code")
    stage = models.CharField(max_length=5, blank=True, help_text="pipeline_stage code")
    local_authority = models.CharField(max_length=9, blank=True)
    description = models.TextField()
    # What was found instead: the services looked at and why none fitted.
    services_considered = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"Gap in provision {self.pk}"
