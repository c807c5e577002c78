from __future__ import annotations

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from ceangal.partners.roles import Role


class Partnership(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    local_authority = models.CharField(max_length=9, blank=True, help_text="GSS code of the council area.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class OrganisationType(models.TextChoices):
    LOCAL_AUTHORITY = "local_authority", _("Local authority")
    COLLEGE = "college", _("College")
    THIRD_SECTOR = "third_sector", _("Third sector")
    SDS = "sds", _("Skills Development Scotland")
    JOBCENTRE_PLUS = "jobcentre_plus", _("Jobcentre Plus")
    HEALTH = "health", _("Health")
    HOUSING = "housing", _("Housing")
    JUSTICE = "justice", _("Justice")
    EMPLOYER = "employer", _("Employer")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    """A partner: a data controller (often joint) in the partnership."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="organisations")
    name = models.CharField(max_length=200)
    slug = models.SlugField()
    org_type = models.CharField(max_length=30, choices=OrganisationType.choices)
    local_authority = models.CharField(
        max_length=9, blank=True, help_text="GSS code, for a local authority or a service tied to one council area."
    )
    ico_registration = models.CharField(max_length=20, blank=True)
    contact_email = models.EmailField(
        blank=True, help_text="The data protection contact clients and partners write to."
    )
    contact_phone = models.CharField(max_length=20, blank=True)
    address = models.TextField(blank=True, help_text="Postal address, as given on privacy notices and receipts.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["partnership", "slug"], name="unique_org_slug_in_partnership")]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Staff details (organisation, role, training) live on StaffMember."""

    email = models.EmailField(_("email address"), unique=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class StaffMember(models.Model):
    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="staff")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="staff")
    role = models.CharField(max_length=20, choices=Role.choices)
    job_title = models.CharField(max_length=120, blank=True)
    training_completed_on = models.DateField(
        null=True, blank=True, help_text="Date of the last data-protection training."
    )
    training_expires_on = models.DateField(null=True, blank=True)
    active = models.BooleanField(default=True)
    # A service account acts for a partner system through an API key.
    is_service_account = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"

    @property
    def display_name(self) -> str:
        return str(self.user)

    def training_current(self, on: dt.date) -> bool:
        return self.training_expires_on is not None and self.training_expires_on >= on


class ApiKey(models.Model):
    """A partner system's key. Only a SHA-256 of the secret is stored; the secret is shown once."""

    staff_member = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True, help_text="Shown to tell keys apart.")
    secret_hash = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
