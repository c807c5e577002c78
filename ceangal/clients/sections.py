"""The shape of a client's record: one spec per section, read by validation, forms, the API and
the data map.

A section is one model of one data category. `fields` are what a person enters; `derived_fields`
are personal data the service computes (a blind index, a file's hash); both count in the data map.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.db.models import QuerySet

from ceangal.clients import models as m
from ceangal.reference.categories import DataCategory


class Kind(StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    DATE = "date"
    CODE = "code"  # one code from a reference code list
    CODES = "codes"  # several codes from a reference code list
    CHOICE = "choice"  # one of a fixed set defined in code
    INTEGER = "integer"
    BOOLEAN = "boolean"
    EMAIL = "email"
    PHONE = "phone"
    POSTCODE = "postcode"
    NI_NUMBER = "ni_number"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: Kind = Kind.TEXT
    required: bool = False
    code_list: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int = 200
    minimum: int | None = None
    maximum: int | None = None
    hint: str = ""
    not_future: bool = False


@dataclass(frozen=True)
class SectionSpec:
    key: str
    label: str
    model: type[m.ClientItem]
    category: DataCategory
    multiple: bool
    fields: tuple[FieldSpec, ...]
    derived_fields: tuple[str, ...] = ()
    description: str = ""
    # Items in a list are shown newest first by this field.
    order_by: str = "-recorded_at"
    # False where items are made by the service itself (follow-ups) or by an upload (documents).
    addable: bool = True

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    def rows(self, client: m.Client | object) -> QuerySet[m.ClientItem]:
        """This section's rows for one client (a one-to-one or a foreign key, both named client)."""
        return self.model._default_manager.filter(**{"client": client})

    def build(self, **values: Any) -> m.ClientItem:
        return self.model(**values)

    def history(self, item_id: int) -> QuerySet[Any]:
        history: QuerySet[Any] = getattr(self.model, "history").filter(id=item_id)  # noqa: B009 (added by simple-history)
        return history


def _choices(enum: type[models.TextChoices]) -> tuple[tuple[str, str], ...]:
    return tuple((str(v), str(lbl)) for v, lbl in enum.choices)


F, K = FieldSpec, Kind
PNS_HINT = "Self-declared. 'Prefer not to say' is always a valid answer."

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        key="identity",
        label="Identity",
        model=m.IdentitySection,
        category=DataCategory.IDENTITY,
        multiple=False,
        order_by="recorded_at",
        fields=(
            F("given_name", "Given name", required=True, max_length=100),
            F("family_name", "Family name", required=True, max_length=100),
            F("preferred_name", "Preferred name", max_length=100, hint="What the person likes to be called."),
            F("date_of_birth", "Date of birth", K.DATE, required=True, not_future=True),
            F("ni_number", "National Insurance number", K.NI_NUMBER, hint="For example AB 12 34 56 C."),
            F("postcode", "Postcode", K.POSTCODE, required=True, hint="A UK postcode, for example KY1 1XX."),
            F("local_authority", "Local authority", K.CODE, required=True, code_list="local_authority"),
        ),
        derived_fields=("ni_number_index",),
    ),
    SectionSpec(
        key="contact",
        label="Contact details",
        model=m.ContactDetails,
        category=DataCategory.CONTACT,
        multiple=False,
        fields=(
            F("email", "Email address", K.EMAIL, max_length=254),
            F("phone", "Phone number", K.PHONE, max_length=20, hint="A UK number, for example 07700 900123."),
            F("address_line_1", "Address line 1"),
            F("address_line_2", "Address line 2"),
            F("town", "Town or city", max_length=100),
            F(
                "preferred_method",
                "How they prefer to be contacted",
                K.CHOICE,
                choices=(
                    ("phone", "Phone"),
                    ("text", "Text message"),
                    ("email", "Email"),
                    ("post", "Post"),
                    ("in_person", "In person"),
                ),
            ),
            F(
                "contact_notes",
                "Safe contact notes",
                K.LONG_TEXT,
                max_length=2000,
                hint="For example, times it is safe to call.",
            ),
        ),
    ),
    SectionSpec(
        key="demographics",
        label="Equality and demographics",
        model=m.Demographics,
        category=DataCategory.DEMOGRAPHICS,
        multiple=False,
        description=PNS_HINT,
        fields=(
            F("sex", "Sex", K.CODE, code_list="sex"),
            F("trans_status", "Trans or has a trans history", K.CODE, code_list="trans_status"),
            F("sexual_orientation", "Sexual orientation", K.CODE, code_list="sexual_orientation"),
            F("ethnicity", "Ethnic group", K.CODE, code_list="ethnicity"),
            F("long_term_condition", "Disability or long-term health condition", K.CODE, code_list="yes_no_pns"),
            F("care_experience", "Care experience", K.CODE, code_list="care_experience"),
            F("parent", "Parent or carer of a child", K.CODE, code_list="yes_no_pns"),
        ),
    ),
    SectionSpec(
        key="qualifications",
        label="Qualifications",
        model=m.Qualification,
        category=DataCategory.QUALIFICATIONS,
        multiple=True,
        fields=(
            F("title", "Qualification", required=True, hint="For example National 5 English."),
            F("scqf_level", "SCQF level", K.CODE, required=True, code_list="scqf_level"),
            F("awarding_body", "Awarding body"),
            F("achieved_on", "Date achieved", K.DATE, not_future=True),
            F("verified", "Certificate seen", K.BOOLEAN),
        ),
    ),
    SectionSpec(
        key="experience",
        label="Experience and background",
        model=m.ExperienceItem,
        category=DataCategory.EXPERIENCE,
        multiple=True,
        fields=(
            F("kind", "Kind of experience", K.CHOICE, required=True, choices=_choices(m.ExperienceKind)),
            F("role_title", "Role", required=True),
            F("organisation_name", "Employer or organisation"),
            F("started_on", "Started", K.DATE, not_future=True),
            F("ended_on", "Ended", K.DATE, not_future=True, hint="Leave blank if it is ongoing."),
            F("description", "What they did", K.LONG_TEXT, max_length=4000),
        ),
    ),
    SectionSpec(
        key="support_needs",
        label="Support needs",
        model=m.SupportNeed,
        category=DataCategory.SUPPORT_NEEDS,
        multiple=True,
        fields=(
            F("need", "Need", K.CODE, required=True, code_list="barrier"),
            F("severity", "How much it holds them back", K.CODE, required=True, code_list="severity"),
            F("identified_by", "Identified by", K.CODE, required=True, code_list="identified_by"),
            F("identified_on", "Date identified", K.DATE, required=True, not_future=True),
            F("notes", "Notes", K.LONG_TEXT, max_length=4000),
            F("resolved_on", "Date resolved", K.DATE, not_future=True),
        ),
    ),
    SectionSpec(
        key="health",
        label="Health and disability",
        model=m.HealthCondition,
        category=DataCategory.HEALTH,
        multiple=True,
        fields=(
            F("condition_type", "Kind of condition", K.CODE, required=True, code_list="condition_type"),
            F(
                "limitation",
                "Does it limit day-to-day activities?",
                K.CODE,
                required=True,
                code_list="disability_limitation",
            ),
            F("details", "Details the person wants partners to know", K.LONG_TEXT, max_length=4000),
            F("adjustments", "Adjustments that help", K.LONG_TEXT, max_length=4000),
        ),
    ),
    SectionSpec(
        key="convictions",
        label="Convictions",
        model=m.Conviction,
        category=DataCategory.CONVICTIONS,
        multiple=True,
        fields=(
            F("status", "Status", K.CHOICE, required=True, choices=_choices(m.ConvictionStatus)),
            F("offence_summary", "Offence, in the person's words", K.LONG_TEXT, max_length=2000),
            F("sentence", "Sentence or disposal", K.LONG_TEXT, max_length=2000),
            F("convicted_on", "Date", K.DATE, not_future=True),
            F("disclosure_notes", "What they need to disclose to employers", K.LONG_TEXT, max_length=2000),
        ),
    ),
    SectionSpec(
        key="caring",
        label="Caring and family",
        model=m.CaringAndFamily,
        category=DataCategory.CARING,
        multiple=False,
        fields=(
            F("unpaid_carer", "Unpaid carer for an adult", K.CODE, code_list="yes_no_pns"),
            F("number_of_children", "Number of children", K.INTEGER, minimum=0, maximum=20),
            F("youngest_child_age", "Age of youngest child", K.INTEGER, minimum=0, maximum=25),
            F("lone_parent", "Lone parent", K.CODE, code_list="yes_no_pns"),
            F("childcare_needed", "Needs childcare to take part", K.CODE, code_list="yes_no_pns"),
            F("priority_family_groups", "Priority family groups", K.CODES, code_list="priority_family"),
            F("notes", "Notes", K.LONG_TEXT, max_length=2000),
        ),
    ),
    SectionSpec(
        key="benefits",
        label="Benefits",
        model=m.BenefitClaim,
        category=DataCategory.BENEFITS,
        multiple=True,
        fields=(
            F("benefit", "Benefit", K.CODE, required=True, code_list="benefit"),
            F("uc_regime", "Universal Credit regime", K.CODE, code_list="uc_regime", hint="Only for Universal Credit."),
            F("started_on", "Started", K.DATE, not_future=True),
            F("ended_on", "Ended", K.DATE, not_future=True),
        ),
    ),
    SectionSpec(
        key="stages",
        label="Pipeline stages",
        model=m.StageChange,
        category=DataCategory.JOURNEY,
        multiple=True,
        order_by="-changed_on",
        fields=(
            F("stage", "Stage", K.CODE, required=True, code_list="pipeline_stage"),
            F("changed_on", "From", K.DATE, required=True, not_future=True),
            F("note", "Why", K.LONG_TEXT, max_length=2000),
        ),
    ),
    SectionSpec(
        key="activities",
        label="Activities",
        model=m.Activity,
        category=DataCategory.JOURNEY,
        multiple=True,
        fields=(
            F("activity_type", "Kind of activity", K.CODE, required=True, code_list="activity_type"),
            F("title", "Activity", required=True),
            F("provider_name", "Provider"),
            F("started_on", "Starts or started", K.DATE),
            F("ended_on", "Ends or ended", K.DATE),
            F("status", "Status", K.CHOICE, required=True, choices=_choices(m.ActivityStatus)),
        ),
    ),
    SectionSpec(
        key="outcomes",
        label="Outcomes",
        model=m.Outcome,
        category=DataCategory.OUTCOMES,
        multiple=True,
        order_by="-achieved_on",
        description="Recording a job start sets up follow-ups at 4, 13, 26 and 52 weeks.",
        fields=(
            F("destination", "Destination", K.CODE, required=True, code_list="destination"),
            F("employment_type", "Kind of employment", K.CODE, code_list="destination_employment_type"),
            F("achieved_on", "Date", K.DATE, required=True, not_future=True),
            F("employer_name", "Employer or provider"),
            F("hours_per_week", "Hours a week", K.INTEGER, minimum=1, maximum=80),
            F("scqf_level", "Qualification gained (SCQF level)", K.CODE, code_list="scqf_level"),
            F("notes", "Notes", K.LONG_TEXT, max_length=2000),
        ),
    ),
    SectionSpec(
        key="follow_ups",
        label="Follow-ups",
        model=m.FollowUp,
        category=DataCategory.OUTCOMES,
        multiple=True,
        order_by="due_on",
        description="Made automatically from an employment outcome; 'Not due' until the due date.",
        addable=False,
        fields=(
            F("status", "Status", K.CODE, required=True, code_list="follow_up_status"),
            F("checked_on", "Date checked", K.DATE, not_future=True),
            F("notes", "Notes", K.LONG_TEXT, max_length=2000),
        ),
        derived_fields=("outcome", "week", "due_on"),
    ),
    SectionSpec(
        key="documents",
        label="Documents",
        model=m.Document,
        category=DataCategory.DOCUMENTS,
        multiple=True,
        fields=(
            F("title", "Title", required=True),
            F("kind", "Kind of document", K.CHOICE, required=True, choices=_choices(m.DocumentKind)),
        ),
        derived_fields=("file", "original_name", "content_type", "size_bytes", "sha256"),
        addable=False,
    ),
)

SECTIONS_BY_KEY: dict[str, SectionSpec] = {s.key: s for s in SECTIONS}
SECTION_FOR_MODEL: dict[type[m.ClientItem], SectionSpec] = {s.model: s for s in SECTIONS}


def section(key: str) -> SectionSpec:
    try:
        return SECTIONS_BY_KEY[key]
    except KeyError:
        raise KeyError(f"No section {key!r}.") from None
