"""The service directory: the provisions each partner organisation publishes.

A service says who it is for (stages, needs, eligibility), how full it is (places, waiting time),
how to refer and what a referral must carry (data categories). It is partnership information,
not client data. Codes are stored as in the code lists (pipeline_stage, barrier, local_authority,
benefit) so that labels follow the list's edition. Every change is written through
`directory.services` with its audit event; there are no versions, the audit trail says who
changed what and when.
"""

from __future__ import annotations

import uuid

from django.db import models

from ceangal.partners.models import Organisation


class Service(models.Model):
    # The identifier used in Open Referral UK / HSDS files, stable across exports and imports.
    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=200)
    description = models.TextField()
    stages = models.JSONField(default=list, blank=True, help_text="pipeline_stage codes served.")
    needs = models.JSONField(default=list, blank=True, help_text="barrier codes the service helps with.")
    min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    local_authorities = models.JSONField(
        default=list, blank=True, help_text="GSS codes of the council areas served; empty means anywhere."
    )
    postcode_areas = models.JSONField(
        default=list, blank=True, help_text='Postcode areas ("KY") or districts ("KY1"); empty means anywhere.'
    )
    benefits = models.JSONField(
        default=list, blank=True, help_text="benefit codes, one of which the client must receive; empty means any."
    )
    other_criteria = models.TextField(blank=True)
    places_available = models.PositiveIntegerField(null=True, blank=True, help_text="Empty: not limited.")
    waiting_days = models.PositiveIntegerField(null=True, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    referral_instructions = models.TextField(blank=True)
    categories_needed = models.JSONField(
        default=list, blank=True, help_text="Data categories a referral to this service needs."
    )
    active = models.BooleanField(default=True)
    # Counts the changes, so that an editor who loaded an older one is told, not overwritten.
    version = models.PositiveIntegerField(default=1)
    retired_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class ServiceLocation(models.Model):
    """Where a service is delivered (an HSDS location, linked by service_at_location)."""

    hsds_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(max_length=200)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name
