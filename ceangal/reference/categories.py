"""The partnership's vocabulary of data categories and sensitivities.

Every personal-data field of a client belongs to exactly one category (see clients.datamap), and
every category has one sensitivity. Roles carry a clearance over sensitivities. This module is the
bottom of the stack: plain enums, no database.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    STANDARD = "standard", _("Standard")
    SENSITIVE = "sensitive", _("Sensitive")
    # UK GDPR Article 9: racial or ethnic origin, health, sex life or sexual orientation, etc.
    SPECIAL_CATEGORY = "special_category", _("Special category (Article 9)")
    # UK GDPR Article 10 and DPA 2018 Schedule 1: kept as a separate, restricted category.
    CRIMINAL_OFFENCE = "criminal_offence", _("Criminal offence data (Article 10)")


class DataCategory(models.TextChoices):
    IDENTITY = "identity", _("Identity")
    CONTACT = "contact", _("Contact details")
    DEMOGRAPHICS = "demographics", _("Equality and demographics")
    QUALIFICATIONS = "qualifications", _("Qualifications")
    EXPERIENCE = "experience", _("Experience and background")
    SUPPORT_NEEDS = "support_needs", _("Support needs")
    HEALTH = "health", _("Health and disability")
    CONVICTIONS = "convictions", _("Convictions")
    CARING = "caring", _("Caring and family")
    BENEFITS = "benefits", _("Benefits")
    JOURNEY = "journey", _("Journey (stages and activities)")
    OUTCOMES = "outcomes", _("Outcomes and follow-ups")
    DOCUMENTS = "documents", _("Documents")


CATEGORY_SENSITIVITY: dict[DataCategory, Sensitivity] = {
    DataCategory.IDENTITY: Sensitivity.STANDARD,
    DataCategory.CONTACT: Sensitivity.STANDARD,
    # Ethnicity, disability and sexual orientation are Article 9 data, so the whole equality
    # monitoring section is special category even though sex and parenthood alone are not.
    DataCategory.DEMOGRAPHICS: Sensitivity.SPECIAL_CATEGORY,
    DataCategory.QUALIFICATIONS: Sensitivity.STANDARD,
    DataCategory.EXPERIENCE: Sensitivity.STANDARD,
    DataCategory.SUPPORT_NEEDS: Sensitivity.SENSITIVE,
    DataCategory.HEALTH: Sensitivity.SPECIAL_CATEGORY,
    DataCategory.CONVICTIONS: Sensitivity.CRIMINAL_OFFENCE,
    DataCategory.CARING: Sensitivity.SENSITIVE,
    DataCategory.BENEFITS: Sensitivity.SENSITIVE,
    DataCategory.JOURNEY: Sensitivity.STANDARD,
    DataCategory.OUTCOMES: Sensitivity.STANDARD,
    # Uploaded letters and forms can hold anything; treat them as sensitive by default.
    DataCategory.DOCUMENTS: Sensitivity.SENSITIVE,
}


def sensitivity_of(category: DataCategory | str) -> Sensitivity:
    return CATEGORY_SENSITIVITY[DataCategory(category)]
