"""A client and the sections of their record, each section of one data category.

Every item records which organisation supplied it and when (provenance), carries a version number
for optimistic concurrency, and keeps its history (django-simple-history), so a change is never a
silent overwrite. Which category each field belongs to is declared once, in clients.sections.

Nothing outside clients.services writes these models, and nothing outside the policy layer reads
them for display or disclosure.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ceangal.crypto import EncryptedTextField
from ceangal.partners.models import Organisation, StaffMember


class Client(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(max_length=12, unique=True, help_text="The partnership's reference, e.g. CG-7K2M9Q.")
    registered_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="registered_clients")
    registered_at = models.DateTimeField(auto_now_add=True)
    # Whether other partners' searches may be told "this person may be known to ..." (issue: referrals).
    discoverable = models.BooleanField(default=False)
    # Set when a team leader merged this record into another (clients_merge): the row stays as a
    # tombstone so that immutable references to its id (ledger, audit) still lead somewhere.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_duplicates"
    )
    merged_at = models.DateTimeField(null=True, blank=True)
    # Facts the decision reads with the client row, kept in step (in the same transaction) by the
    # restriction and objection services, whose history is in ProcessingRestriction and Objection:
    # a restriction stops all processing but storage; an objection stops one purpose unless the
    # DPO has recorded compelling grounds.
    processing_restricted = models.BooleanField(default=False)
    objected_purposes = models.JSONField(default=list, blank=True)
    # Set when the client's information was erased (Art 17): the row stays as an anonymised
    # tombstone because rights requests, ledger entries and notices still point at its id.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-registered_at"]

    def __str__(self) -> str:
        return self.reference


class ClientItem(models.Model):
    """Provenance and version common to every part of a client's record."""

    supplied_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Deliberately no personal data: str() ends up in logs and admin messages.
        return f"{self._meta.verbose_name} {self.pk}"


class IdentitySection(ClientItem):
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="identity")
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    preferred_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField()
    ni_number = EncryptedTextField(blank=True)
    ni_number_index = models.CharField(max_length=64, blank=True, db_index=True)
    postcode = models.CharField(max_length=8)
    local_authority = models.CharField(max_length=9)
    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ContactDetails(ClientItem):
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="contact")
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=20, blank=True)
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    preferred_method = models.CharField(max_length=20, blank=True)
    contact_notes = models.TextField(blank=True)
    history = HistoricalRecords()


class Demographics(ClientItem):
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="demographics")
    sex = models.CharField(max_length=10, blank=True)
    trans_status = models.CharField(max_length=10, blank=True)
    sexual_orientation = models.CharField(max_length=10, blank=True)
    ethnicity = models.CharField(max_length=10, blank=True)
    long_term_condition = models.CharField(max_length=10, blank=True)
    care_experience = models.CharField(max_length=10, blank=True)
    parent = models.CharField(max_length=10, blank=True)
    history = HistoricalRecords()


class Qualification(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="qualifications")
    title = models.CharField(max_length=200)
    scqf_level = models.CharField(max_length=10)
    awarding_body = models.CharField(max_length=200, blank=True)
    achieved_on = models.DateField(null=True, blank=True)
    verified = models.BooleanField(default=False)
    history = HistoricalRecords()


class ExperienceKind(models.TextChoices):
    EMPLOYMENT = "employment", _("Paid work")
    VOLUNTEERING = "volunteering", _("Volunteering")
    EDUCATION = "education", _("Education or training")
    OTHER = "other", _("Other")


class ExperienceItem(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="experience")
    kind = models.CharField(max_length=20, choices=ExperienceKind.choices)
    organisation_name = models.CharField(max_length=200, blank=True)
    role_title = models.CharField(max_length=200)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()


class SupportNeed(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="support_needs")
    need = models.CharField(max_length=20)
    severity = models.CharField(max_length=10)
    identified_by = models.CharField(max_length=12)
    identified_on = models.DateField()
    notes = models.TextField(blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()


class HealthCondition(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="health_conditions")
    condition_type = models.CharField(max_length=20)
    limitation = models.CharField(max_length=10)
    details = EncryptedTextField(blank=True)
    adjustments = EncryptedTextField(blank=True)
    history = HistoricalRecords()


class ConvictionStatus(models.TextChoices):
    UNSPENT = "unspent", _("Unspent")
    SPENT = "spent", _("Spent")
    PENDING = "pending", _("Charge pending")
    PNS = "PNS", _("Prefer not to say")


class Conviction(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="convictions")
    status = models.CharField(max_length=10, choices=ConvictionStatus.choices)
    offence_summary = EncryptedTextField(blank=True)
    sentence = EncryptedTextField(blank=True)
    convicted_on = models.DateField(null=True, blank=True)
    disclosure_notes = EncryptedTextField(blank=True)
    history = HistoricalRecords()


class CaringAndFamily(ClientItem):
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="caring")
    unpaid_carer = models.CharField(max_length=10, blank=True)
    number_of_children = models.PositiveSmallIntegerField(null=True, blank=True)
    youngest_child_age = models.PositiveSmallIntegerField(null=True, blank=True)
    lone_parent = models.CharField(max_length=10, blank=True)
    childcare_needed = models.CharField(max_length=10, blank=True)
    priority_family_groups = models.JSONField(default=list, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()


class BenefitClaim(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="benefits")
    benefit = models.CharField(max_length=10)
    uc_regime = models.CharField(max_length=10, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()


class StageChange(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="stage_changes")
    stage = models.CharField(max_length=5)
    changed_on = models.DateField()
    note = models.TextField(blank=True)
    history = HistoricalRecords()


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    STOPPED = "stopped", _("Stopped early")


class Activity(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="activities")
    activity_type = models.CharField(max_length=30)
    title = models.CharField(max_length=200)
    provider_name = models.CharField(max_length=200, blank=True)
    started_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED)
    history = HistoricalRecords()


class Outcome(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="outcomes")
    destination = models.CharField(max_length=12)
    employment_type = models.CharField(max_length=6, blank=True)
    achieved_on = models.DateField()
    employer_name = models.CharField(max_length=200, blank=True)
    hours_per_week = models.PositiveSmallIntegerField(null=True, blank=True)
    scqf_level = models.CharField(max_length=10, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()


class FollowUp(ClientItem):
    """An employment follow-up at 4, 13, 26 or 52 weeks: a due-dated task, NOT_DUE until its date."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="follow_ups")
    outcome = models.ForeignKey(Outcome, on_delete=models.CASCADE, related_name="follow_ups")
    week = models.CharField(max_length=4)
    due_on = models.DateField()
    status = models.CharField(max_length=10, default="NOT_DUE")
    checked_on = models.DateField(null=True, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["outcome", "week"], name="one_follow_up_per_week")]


class DocumentKind(models.TextChoices):
    LETTER = "letter", _("Letter")
    FORM = "form", _("Form")
    PHOTOGRAPH = "photograph", _("Photograph")
    CV = "cv", _("CV")
    CERTIFICATE = "certificate", _("Certificate")
    OTHER = "other", _("Other")


class Document(ClientItem):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    # Stored under a generated name; the name the person gave is kept for display only.
    file = models.FileField(upload_to="clients/%Y/%m/")
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    history = HistoricalRecords()


class EngagementStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACTIVE = "active", _("Active")
    CLOSED = "closed", _("Closed")
    # A referral to the organisation is waiting for its answer: it may read the referral packet
    # (purpose "referral") and nothing else. Set and cleared only by the referral services.
    REFERRED = "referred", _("Referred")


LIVE_ENGAGEMENT_STATUSES = (EngagementStatus.REGISTERED, EngagementStatus.ACTIVE)
# The statuses a key worker may set on an engagement themselves.
SETTABLE_ENGAGEMENT_STATUSES = (EngagementStatus.REGISTERED, EngagementStatus.ACTIVE, EngagementStatus.CLOSED)


class Engagement(models.Model):
    """The relationship between a client and an organisation. No engagement, no need to know."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="engagements")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="engagements")
    status = models.CharField(max_length=12, choices=EngagementStatus.choices, default=EngagementStatus.REGISTERED)
    key_worker = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="engagements"
    )
    started_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    closure_reason = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)
    # While referred: the data categories the waiting referrals' packets carry (the only ones the
    # organisation may read, and only for the purpose "referral"). Empty otherwise.
    packet_categories = models.JSONField(default=list, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-started_on"]
        constraints = [
            # One open engagement (live or referred) per client and organisation; closed ones stay
            # as history.
            models.UniqueConstraint(
                fields=["client", "organisation"],
                condition=models.Q(status__in=["registered", "active", "referred"]),
                name="one_live_engagement_per_org",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "status"]),
            # The caseload lists an organisation's newest engagements first.
            models.Index(fields=["organisation", "-started_on", "-id"], name="engagement_caseload_order"),
        ]


class MatchKind(models.TextChoices):
    NI_NUMBER = "ni", _("National Insurance number")
    NAME_DOB_POSTCODE = "name_dob_postcode", _("Name, date of birth and postcode")


class MatchKey(models.Model):
    """A keyed hash (HMAC-SHA256) of a client's normalised identifiers, for finding the same person
    across the partnership without comparing, or revealing, the identifiers themselves.

    Kept by clients.matching whenever the identity section is written; see docs/matching.md.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="match_keys")
    kind = models.CharField(max_length=20, choices=MatchKind.choices)
    digest = models.CharField(max_length=64)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["client", "kind"], name="one_match_key_per_kind")]
        indexes = [models.Index(fields=["kind", "digest"], name="match_key_lookup")]

    def __str__(self) -> str:
        return f"{self.kind} key of {self.client_id}"


class ProcessingRestriction(models.Model):
    """A restriction of processing (UK GDPR Art 18): while it stands, the decision denies every
    purpose; the data is only stored. It is lifted only after the client has been told."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="restrictions")
    started_at = models.DateTimeField()
    started_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField()
    lifted_at = models.DateTimeField(null=True, blank=True)
    lifted_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    client_told_on = models.DateField(null=True, blank=True, help_text="When the client was told it would be lifted.")
    lift_note = EncryptedTextField(blank=True)
    # The rights request it answers, if any (an id: rights sits above clients).
    request_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client"], condition=models.Q(lifted_at__isnull=True), name="one_standing_restriction"
            )
        ]

    def __str__(self) -> str:
        return f"Restriction of {self.client_id} from {self.started_at:%Y-%m-%d}"


class Objection(models.Model):
    """An objection to a purpose (UK GDPR Art 21): the decision denies the purpose unless the DPO
    records compelling grounds; it ends if the client withdraws it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="objections")
    purpose = models.CharField(max_length=40)
    made_on = models.DateField()
    recorded_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    grounds = EncryptedTextField(blank=True, help_text="What the client said.")
    compelling_grounds = EncryptedTextField(blank=True, help_text="The DPO's compelling legitimate grounds.")
    grounds_recorded_by = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grounds_recorded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_note = EncryptedTextField(blank=True)
    request_id = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["-made_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "purpose"], condition=models.Q(ended_at__isnull=True), name="one_open_objection"
            )
        ]

    def __str__(self) -> str:
        return f"Objection of {self.client_id} to {self.purpose}"

    @property
    def in_force(self) -> bool:
        return self.ended_at is None and not self.compelling_grounds


# -- rights: telling recipients, legal holds, erasure ----------------------------------------------


class NoticeKind(models.TextChoices):
    RECTIFICATION = "rectification", _("Corrected")
    ERASURE = "erasure", _("Erased")
    RESTRICTION = "restriction", _("Processing restricted")
    RESTRICTION_LIFTED = "restriction_lifted", _("Restriction lifted")


class RecipientNotice(models.Model):
    """Art 19: an organisation that was disclosed a client's data is told that it was corrected,
    erased or restricted. Which organisations comes from the access ledger. Holds names of fields
    and a category, never values."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="recipient_notices")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="recipient_notices")
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    # The rights request it came from (rights sits above clients, so an id, not a key).
    request_id = models.UUIDField(null=True, blank=True)
    category = models.CharField(max_length=20, blank=True)
    fields_changed = models.JSONField(default=list, blank=True)
    sent_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["organisation", "read_at"], name="recipient_notice_unread")]

    def __str__(self) -> str:
        return f"{self.kind} notice to organisation {self.organisation_id}"


class LegalHold(models.Model):
    """Data that must be kept for a legal claim, an investigation or a court order: while a hold
    stands, nothing about the client may be erased."""

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="legal_holds")
    reason = EncryptedTextField()
    reference = models.CharField(max_length=100, blank=True, help_text="A case or court reference, if any.")
    placed_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_note = EncryptedTextField(blank=True)

    class Meta:
        ordering = ["-placed_at", "-pk"]

    def __str__(self) -> str:
        return f"Legal hold {self.pk} on {self.client_id}"

    @property
    def standing(self) -> bool:
        return self.lifted_at is None


class ErasureRecord(models.Model):
    """The proof that an erasure was carried out (Art 17): what went, per organisation and kind of
    record, what was kept under which exemption, who did it and when. No personal data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="erasure_records")
    request_id = models.UUIDField(null=True, blank=True)
    carried_out_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    carried_out_at = models.DateTimeField()
    # Whether the client row became a tombstone (no organisation kept anything).
    full = models.BooleanField()
    # {"<organisation id or 'partnership'>": {"<kind>": count}}
    counts = models.JSONField(default=dict)
    # [{"organisation_id": ..., "exemption": code, "reason": the DPO's words}]
    exemptions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-carried_out_at"]

    def __str__(self) -> str:
        return f"Erasure {self.pk}"
