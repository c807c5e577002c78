"""Consent records: what a client agreed to share, with whom, for what, how, and until when.

A record is fixed once given; its life is a chain of events (pending evidence, given, renewed,
refused, withdrawn, expired, invalidated). The one later write to a record is the scan of a signed
paper form, attached once to a record awaiting it and never replaced. A withdrawal may cover the
whole record or some of its scope rows. The decision point reads the events every time, so a
withdrawal takes effect for the very next read.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ceangal.agreements.models import PrivacyNotice
from ceangal.clients.models import Client
from ceangal.partners.models import Organisation, OrganisationType, StaffMember
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose


class ConsentMethod(models.TextChoices):
    PAPER_FORM = "paper_form", _("Signed paper form")
    VERBAL_WITNESSED = "verbal_witnessed", _("Verbal, with a witness")
    ONLINE = "online", _("Online, by the client")


class ExpressedBy(models.TextChoices):
    CLIENT = "client", _("The client")
    GUARDIAN = "guardian", _("A parent or guardian")
    APPOINTEE = "appointee", _("An appointee or attorney")


class ConsentRecord(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consent_records")
    notice = models.ForeignKey(PrivacyNotice, on_delete=models.PROTECT, related_name="consents")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    method = models.CharField(max_length=20, choices=ConsentMethod.choices)
    witness_name = models.CharField(max_length=200, blank=True)
    expressed_by = models.CharField(max_length=12, choices=ExpressedBy.choices, default=ExpressedBy.CLIENT)
    language = models.CharField(max_length=10, default="en")
    valid_from = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    until_support_ends = models.BooleanField(default=False)
    evidence = models.FileField(upload_to="consent/%Y/%m/", blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_content_type = models.CharField(max_length=100, blank=True)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Consent {self.pk}"


class ConsentScope(models.Model):
    """One row of what was agreed: recipient (a named partner or a kind of partner), purpose and category."""

    record = models.ForeignKey(ConsentRecord, on_delete=models.CASCADE, related_name="scopes")
    recipient_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recipient_type = models.CharField(max_length=30, choices=OrganisationType.choices, blank=True)
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    category = models.CharField(max_length=20, choices=DataCategory.choices)

    class Meta:
        ordering = ["record", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(recipient_organisation__isnull=False) & models.Q(recipient_type=""))
                | (models.Q(recipient_organisation__isnull=True) & ~models.Q(recipient_type="")),
                name="scope_names_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient_organisation or self.recipient_type} / {self.purpose} / {self.category}"


class EventKind(models.TextChoices):
    # Consent on a signed paper form recorded before its scan is attached. It does not count for
    # any decision (only given and renewed do); attaching the scan appends a "given" event.
    PENDING = "pending", _("Awaiting the signed form")
    GIVEN = "given", _("Given")
    RENEWED = "renewed", _("Renewed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    EXPIRED = "expired", _("Expired")
    INVALIDATED = "invalidated", _("Invalidated")


class ConsentEvent(models.Model):
    record = models.ForeignKey(ConsentRecord, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField()
    recorded_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    by_client = models.BooleanField(default=False, help_text="The client acted themselves (online).")
    note = models.TextField(blank=True)
    # For a renewal: the new end of validity.
    valid_until = models.DateField(null=True, blank=True)
    # Empty for the whole record; otherwise the rows a partial withdrawal covers.
    scopes = models.ManyToManyField(ConsentScope, blank=True, related_name="events")

    class Meta:
        ordering = ["record", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} at {self.at:%Y-%m-%d %H:%M}"
