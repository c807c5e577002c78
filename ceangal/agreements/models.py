"""Information sharing agreements (ISAs) and privacy notices.

An agreement says which partners may share which categories, for which purposes, on which lawful
basis, how often, for how long and what happens at the end. It changes only by a new version:
once a version leaves draft its terms are fixed, and only its status moves (active, suspended,
ended). A privacy notice is the text clients are given; a consent can never be wider than it.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ceangal.partners.models import Organisation, Partnership, StaffMember
from ceangal.reference.purposes import Purpose


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", _("Consent (Article 6(1)(a))")
    PUBLIC_TASK = "public_task", _("Public task (Article 6(1)(e))")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation (Article 6(1)(c))")
    LEGITIMATE_INTERESTS = "legitimate_interests", _("Legitimate interests (Article 6(1)(f))")
    VITAL_INTERESTS = "vital_interests", _("Vital interests (Article 6(1)(d))")


class Article9Condition(models.TextChoices):
    EXPLICIT_CONSENT = "A9-2-a", _("Explicit consent (Article 9(2)(a))")
    EMPLOYMENT_SOCIAL_SECURITY = "A9-2-b", _("Employment, social security and social protection (Article 9(2)(b))")
    VITAL_INTERESTS = "A9-2-c", _("Vital interests (Article 9(2)(c))")
    SUBSTANTIAL_PUBLIC_INTEREST = "A9-2-g", _("Substantial public interest (Article 9(2)(g))")
    HEALTH_SOCIAL_CARE = "A9-2-h", _("Health or social care (Article 9(2)(h))")
    STATISTICS = "A9-2-j", _("Archiving, research and statistics (Article 9(2)(j))")


class Article10Condition(models.TextChoices):
    """DPA 2018 Schedule 1 conditions for criminal offence data (Article 10)."""

    CONSENT = "sch1-p29", _("Consent (Schedule 1, paragraph 29)")
    STATUTORY = "sch1-p6", _("Statutory and government purposes (Schedule 1, paragraph 6)")
    SAFEGUARDING = "sch1-p18", _("Safeguarding of children and individuals at risk (Schedule 1, paragraph 18)")
    EMPLOYMENT = "sch1-p1", _("Employment, social security and social protection (Schedule 1, paragraph 1)")


class Frequency(models.TextChoices):
    AD_HOC = "ad_hoc", _("As needed (ad hoc)")
    WEEKLY = "weekly", _("Weekly")
    MONTHLY = "monthly", _("Monthly")
    BIMONTHLY = "bimonthly", _("Every two months")
    QUARTERLY = "quarterly", _("Quarterly")


class OnEnd(models.TextChoices):
    RETURN = "return", _("Returned to the supplier")
    DESTROY = "destroy", _("Securely destroyed")
    ARCHIVE = "archive", _("Archived under the recipient's retention schedule")


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    ENDED = "ended", _("Ended")


class SharingAgreement(models.Model):
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="agreements")
    reference = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reference"]
        constraints = [models.UniqueConstraint(fields=["partnership", "reference"], name="unique_agreement_reference")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(SharingAgreement, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT)
    summary = models.TextField(help_text="Why the partners share, in plain words.")
    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    retention = models.TextField(help_text="How long recipients keep what they receive.")
    retention_months = models.PositiveIntegerField()
    on_end = models.CharField(max_length=10, choices=OnEnd.choices)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    review_on = models.DateField()
    dpia_reference = models.CharField(max_length=100, blank=True)
    security = models.TextField(blank=True, help_text="Agreed security measures and standards.")
    created_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    activated_at = models.DateTimeField(null=True, blank=True)
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["agreement", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="unique_agreement_version"),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=models.Q(status__in=["active", "suspended"]),
                name="one_live_version_per_agreement",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agreement.reference} v{self.number} ({self.get_status_display()})"


class PartyRole(models.TextChoices):
    JOINT_CONTROLLER = "joint_controller", _("Joint controller")
    CONTROLLER = "controller", _("Controller")


class AgreementParty(models.Model):
    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="agreement_parties")
    role = models.CharField(max_length=20, choices=PartyRole.choices, default=PartyRole.JOINT_CONTROLLER)
    signed_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__name"]
        constraints = [models.UniqueConstraint(fields=["version", "organisation"], name="one_party_row_per_org")]

    def __str__(self) -> str:
        return f"{self.organisation} in {self.version}"


class AgreementPurpose(models.Model):
    """One purpose of a version: its lawful basis, conditions, and the categories it covers."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="purposes")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    lawful_basis = models.CharField(max_length=30, choices=LawfulBasis.choices)
    article9_condition = models.CharField(max_length=10, choices=Article9Condition.choices, blank=True)
    article10_condition = models.CharField(max_length=10, choices=Article10Condition.choices, blank=True)
    categories = models.JSONField(default=list)
    why_necessary = models.TextField(blank=True)

    class Meta:
        ordering = ["purpose"]
        constraints = [models.UniqueConstraint(fields=["version", "purpose"], name="one_row_per_purpose")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.get_lawful_basis_display()})"


class NoticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class PrivacyNotice(models.Model):
    """What clients are told. Published notices are never edited: a change is a new version."""

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="privacy_notices")
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="The notice as the client reads it.")
    language = models.CharField(max_length=10, default="en")
    purposes = models.JSONField(default=list)
    categories = models.JSONField(default=list)
    recipient_types = models.JSONField(default=list, help_text="Organisation types named as recipients.")
    recipients = models.ManyToManyField(Organisation, blank=True, related_name="notices_as_recipient")
    controllers = models.ManyToManyField(Organisation, related_name="notices_as_controller")
    retention = models.TextField()
    rights = models.TextField()
    status = models.CharField(max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partnership", "-version"]
        constraints = [models.UniqueConstraint(fields=["partnership", "version"], name="unique_notice_version")]

    def __str__(self) -> str:
        return f"{self.title} (version {self.version})"
