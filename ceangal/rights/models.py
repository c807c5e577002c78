"""Rights requests (access, rectification, erasure, restriction, objection, portability,
complaint) and the timeline of what was done about each.

The request row holds the facts its legal clock is built from (receipt, extension) and its state;
the clock's pauses come from its events (a pause starts when identity or clarification is asked
for and ends when it arrives), so the timeline is the single record of when the clock stood
still. Events are append-only: services only ever add them.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from ceangal.clients.models import Client
from ceangal.crypto import EncryptedTextField
from ceangal.partners.models import Organisation, Partnership, StaffMember


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access (a copy of their information)")
    RECTIFICATION = "rectification", _("Rectification (correct a mistake)")
    ERASURE = "erasure", _("Erasure (delete their information)")
    RESTRICTION = "restriction", _("Restriction (stop using it for now)")
    OBJECTION = "objection", _("Objection (stop using it for a purpose)")
    PORTABILITY = "portability", _("Portability (a machine-readable copy)")
    COMPLAINT = "complaint", _("Complaint about how their information is used")


class Channel(models.TextChoices):
    PORTAL = "portal", _("The client's own pages")
    LETTER = "letter", _("Letter")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call")
    IN_PERSON = "in_person", _("In person")


# Channels staff may log a request from; the portal logs its own.
STAFF_CHANNELS = (Channel.LETTER, Channel.EMAIL, Channel.PHONE, Channel.IN_PERSON)


class RequestStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    AWAITING_IDENTITY = "awaiting_identity", _("Waiting for proof of identity")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
    AWAITING_CLARIFICATION = "awaiting_clarification", _("Waiting for clarification")
    IN_PROGRESS = "in_progress", _("In progress")
    EXTENDED = "extended", _("Extended")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")
    WITHDRAWN = "withdrawn", _("Withdrawn")


_R = RequestStatus
PAUSED_STATUSES = (_R.AWAITING_IDENTITY, _R.AWAITING_CLARIFICATION)
CLOSED_STATUSES = (_R.COMPLETED, _R.REFUSED, _R.WITHDRAWN)
OPEN_STATUSES = tuple(s for s in _R if s not in CLOSED_STATUSES)


class Exemption(models.TextChoices):
    """What a refusal relies on: UK GDPR Art 12(5) and 17(3), and DPA 2018 Schedules 2 to 4."""

    MANIFESTLY_UNFOUNDED = "manifestly_unfounded", _("Manifestly unfounded (UK GDPR Art 12(5))")
    MANIFESTLY_EXCESSIVE = "manifestly_excessive", _("Manifestly excessive (UK GDPR Art 12(5))")
    CRIME_AND_TAXATION = "crime_taxation", _("Crime and taxation (DPA 2018 Sch 2 para 2)")
    LEGAL_PROFESSIONAL_PRIVILEGE = "legal_privilege", _("Legal professional privilege (DPA 2018 Sch 2 para 19)")
    THIRD_PARTY = "third_party", _("Would reveal another person's information (DPA 2018 Sch 2 paras 16-17)")
    MANAGEMENT_FORECASTS = "management_forecasts", _("Management forecasts (DPA 2018 Sch 2 para 22)")
    NEGOTIATIONS = "negotiations", _("Negotiations with the requester (DPA 2018 Sch 2 para 23)")
    CONFIDENTIAL_REFERENCES = "confidential_references", _("Confidential references (DPA 2018 Sch 2 para 24)")
    SERIOUS_HARM = "serious_harm", _("Serious harm: health, social work or education data (DPA 2018 Sch 3)")
    PUBLIC_TASK_ERASURE = "public_task_erasure", _("Erasure: needed for a public task (UK GDPR Art 17(3)(b))")
    LEGAL_CLAIMS = "legal_claims", _("Needed for legal claims (UK GDPR Art 17(3)(e))")
    COMPELLING_GROUNDS = "compelling_grounds", _("Objection: compelling legitimate grounds (UK GDPR Art 21(1))")
    PORTABILITY_NOT_APPLICABLE = (
        "portability_basis",
        _("Portability: the data is not processed on consent or contract (UK GDPR Art 20(1))"),
    )


class IdentityMethod(models.TextChoices):
    PHOTO_ID = "photo_id", _("Photo ID seen")
    KNOWN_TO_KEY_WORKER = "known_to_key_worker", _("Known to their key worker")
    SECURITY_QUESTIONS = "security_questions", _("Answered security questions")
    SIGNED_IN = "signed_in", _("Signed in to their own pages")


class RightsRequest(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="rights_requests")
    # Every request is about one client, complaints included: a complaint is the client's.
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="rights_requests")
    kind = models.CharField(max_length=14, choices=RequestKind.choices)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    received_on = models.DateField()
    # Who logged it; empty when the client made it on their own pages.
    logged_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    received_by = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    # What the client asked for, in their words: may hold anything, so it is encrypted.
    details = EncryptedTextField(blank=True)
    # For a correction, the section of the record the client says is wrong; for an objection, the
    # purpose they object to. Codes, so the DPO's pages can start there.
    section = models.CharField(max_length=40, blank=True)
    purpose = models.CharField(max_length=40, blank=True)
    status = models.CharField(max_length=24, choices=RequestStatus.choices, default=RequestStatus.RECEIVED)
    identity_method = models.CharField(max_length=20, choices=IdentityMethod.choices, blank=True)
    extension_months = models.PositiveSmallIntegerField(null=True, blank=True)
    extended_on = models.DateField(null=True, blank=True)
    # The reason told to the client (Art 12(3)): kept encrypted like every free text about them.
    extension_reason = EncryptedTextField(blank=True)
    exemption = models.CharField(max_length=24, choices=Exemption.choices, blank=True)
    refusal_note = EncryptedTextField(blank=True)
    completed_on = models.DateField(null=True, blank=True)
    acknowledged_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["received_on", "created_at"]
        indexes = [
            models.Index(fields=["partnership", "status"]),
            models.Index(fields=["client", "status"]),
        ]

    def __str__(self) -> str:
        # Deliberately no personal data: str() ends up in logs and admin messages.
        return f"Rights request {self.pk}"


class EventKind(models.TextChoices):
    LOGGED = "logged", _("Logged")
    AWAITING_IDENTITY = "awaiting_identity", _("Asked for proof of identity")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
    AWAITING_CLARIFICATION = "awaiting_clarification", _("Asked the client to clarify")
    RESUMED = "resumed", _("Work resumed")
    EXTENDED = "extended", _("Extended")
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")
    ACKNOWLEDGED = "acknowledged", _("Complaint acknowledged")
    WITHDRAWN = "withdrawn", _("Withdrawn by the client")
    PACK_RELEASED = "pack_released", _("Copy of their information released to the client")


class PauseMark(models.TextChoices):
    NONE = "", _("No change to the clock")
    START = "start", _("Clock stopped")
    END = "end", _("Clock restarted")


class RightsRequestEvent(models.Model):
    """One step in a request's life. `pause` marks where the clock stopped and restarted, on `on`."""

    request = models.ForeignKey(RightsRequest, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=EventKind.choices)
    at = models.DateTimeField()
    on = models.DateField()
    by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = EncryptedTextField(blank=True)
    pause = models.CharField(max_length=5, choices=PauseMark.choices, blank=True, default="")
    # identity | clarification, for a pause mark.
    pause_reason = models.CharField(max_length=14, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.on:%Y-%m-%d}"


# -- access packs ---------------------------------------------------------------------------------


class PackStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    GATHERING = "gathering", _("Gathering")
    READY_FOR_REVIEW = "ready_for_review", _("Ready for review")
    RELEASED = "released", _("Released")
    FAILED = "failed", _("Failed")


class PackFormat(models.TextChoices):
    HTML = "html", _("Web page (HTML)")
    PDF = "pdf", _("PDF document")
    JSON = "json", _("Machine-readable (JSON)")
    CSV = "csv", _("Spreadsheet (CSV)")


class AccessPack(models.Model):
    """The copy of everything the partnership holds about a client, for an access or portability
    request: gathered by a task into `source` (the assembled content, before the DPO's decisions
    on third-party flags), then rendered in each format on release.

    `files` maps a format (and "source") to {"name": storage name, "sha256": of the plain bytes,
    "bytes": size}. Every stored file is encrypted (ceangal.crypto): the storage holds ciphertext
    only. A released pack is never changed again; an unreleased one is replaced by regenerating.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    request = models.ForeignKey(RightsRequest, on_delete=models.PROTECT, related_name="packs")
    status = models.CharField(max_length=16, choices=PackStatus.choices, default=PackStatus.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True, help_text="What the task is doing now, in words.")
    requested_by = models.ForeignKey(StaffMember, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    generated_at = models.DateTimeField(null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    files = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"Access pack {self.pk}"


class FlagReason(models.TextChoices):
    FREE_TEXT = "free_text", _("Free text written by staff or the client: it may name or describe someone else")
    OTHER_PERSON = "other_person", _("Names a person other than the client")
    DOCUMENT = "document", _("A document: it may name or show other people")
    HOUSEHOLD = "household", _("Household and caring: it describes other members of the family")


class FlagDecision(models.TextChoices):
    UNDECIDED = "", _("Not decided")
    RELEASE = "release", _("Release as it is")
    REDACT = "redact", _("Redact")


class PackFlag(models.Model):
    """Something in a pack that may reveal another person: the DPO decides before release."""

    pack = models.ForeignKey(AccessPack, on_delete=models.CASCADE, related_name="flags")
    # Where the flag sits in the pack's content (matches the "flag" key there).
    key = models.CharField(max_length=120)
    where = models.CharField(max_length=300)
    reason = models.CharField(max_length=14, choices=FlagReason.choices)
    # The text at issue: client data, so encrypted like the pack itself.
    text = EncryptedTextField(blank=True)
    decision = models.CharField(max_length=7, choices=FlagDecision.choices, blank=True, default="")
    decision_reason = EncryptedTextField(blank=True)
    decided_by = models.ForeignKey(StaffMember, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["pack", "key"], name="one_flag_per_place")]

    def __str__(self) -> str:
        return f"Flag {self.key} of {self.pack_id}"
