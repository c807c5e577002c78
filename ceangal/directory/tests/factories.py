"""Services for tests, made through the real service functions."""

from __future__ import annotations

import dataclasses
from typing import Any

from ceangal.directory.models import Service
from ceangal.directory.services import LocationTerms, ServiceTerms, service_create
from ceangal.partners.models import StaffMember


def service_terms(**overrides: Any) -> ServiceTerms:
    base = ServiceTerms(
        name="Youth Employability Hub",
        description="One-to-one support, CV help and work tasters for young people.",
        stages=["PS1", "PS2"],
        needs=["B_CONF", "B_NOEXP"],
        min_age=16,
        max_age=24,
        local_authorities=["S12000047"],
        postcode_areas=["KY1", "KY2"],
        benefits=[],
        other_criteria="Not in full-time education.",
        places_available=5,
        waiting_days=10,
        email="hub@example.org",
        phone="01592 000 000",
        referral_instructions="Refer through Ceangal; we phone the client within two working days.",
        categories_needed=["identity", "contact", "journey"],
        locations=[LocationTerms(name="Kirkcaldy Hub", address="1 High Street, Kirkcaldy", postcode="KY1 1AA")],
    )
    return dataclasses.replace(base, **overrides)


def make_service(actor: StaffMember, **overrides: Any) -> Service:
    return service_create(actor=actor, terms=service_terms(**overrides))
