"""Writes to the directory: validated in full, atomic, audited.

Only an organisation admin or a team leader of the organisation that owns a service may publish,
change or retire it. Every field is checked before anything is written, and every problem is
reported at once (InvalidInput, field by field).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field, fields

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from ceangal.audit.services import audit_record
from ceangal.directory.eligibility import POSTCODE_AREA_RE, normalise_area, outward_code
from ceangal.directory.models import Service, ServiceLocation
from ceangal.errors import EditConflict, InvalidInput, NotPermitted
from ceangal.partners.models import Organisation, StaffMember
from ceangal.partners.roles import Role
from ceangal.reference import lookups
from ceangal.reference.categories import DataCategory

# Who may publish and change their organisation's services.
SERVICE_MANAGERS: frozenset[Role] = frozenset({Role.ORG_ADMIN, Role.TEAM_LEADER})
MAX_AGE = 120
MAX_WAITING_DAYS = 3650
_PHONE_RE = re.compile(r"^\+?[0-9 ()-]{6,20}$")


@dataclass(frozen=True)
class LocationTerms:
    name: str
    address: str = ""
    postcode: str = ""
    hsds_id: uuid.UUID | None = None


@dataclass(frozen=True)
class ServiceTerms:
    """Everything a service record holds, as plain values (codes, numbers, text)."""

    name: str
    description: str
    stages: Sequence[str] = ()
    needs: Sequence[str] = ()
    min_age: int | None = None
    max_age: int | None = None
    local_authorities: Sequence[str] = ()
    postcode_areas: Sequence[str] = ()
    benefits: Sequence[str] = ()
    other_criteria: str = ""
    places_available: int | None = None
    waiting_days: int | None = None
    email: str = ""
    phone: str = ""
    referral_instructions: str = ""
    categories_needed: Sequence[str] = ()
    locations: Sequence[LocationTerms] = field(default_factory=tuple)

    @classmethod
    def of(cls, service: Service) -> ServiceTerms:
        """The terms of a stored service, to start an edit from."""
        return cls(
            **{f.name: getattr(service, f.name) for f in fields(cls) if f.name != "locations"},
            locations=tuple(
                LocationTerms(name=loc.name, address=loc.address, postcode=loc.postcode, hsds_id=loc.hsds_id)
                for loc in service.locations.all()
            ),
        )


# The stored fields a ServiceTerms sets (locations are rows of their own).
STORED_FIELDS = tuple(f.name for f in fields(ServiceTerms) if f.name != "locations")


def can_manage(actor: StaffMember, organisation_id: int) -> bool:
    return actor.active and actor.organisation_id == organisation_id and Role(actor.role) in SERVICE_MANAGERS


def _require_manager(actor: StaffMember, organisation: Organisation) -> None:
    if not can_manage(actor, organisation.pk):
        raise NotPermitted(
            "Only an organisation admin or a team leader of the organisation that offers a service may change it."
        )


def _codes(list_key: str, values: Sequence[str], field_name: str, errors: dict[str, list[str]]) -> list[str]:
    """The values as current codes of the list (superseded codes mapped on); unknown ones are errors."""
    resolved: list[str] = []
    unknown: list[str] = []
    for value in values:
        try:
            code = lookups.resolve(list_key, str(value))
        except lookups.UnknownCode:
            unknown.append(str(value))
            continue
        if code not in resolved:
            resolved.append(code)
    if unknown:
        errors.setdefault(field_name, []).append(
            f"{', '.join(unknown)} {'is not a code' if len(unknown) == 1 else 'are not codes'} "
            f"in the {list_key.replace('_', ' ')} list."
        )
    return resolved


def _whole_number(value: object, field_name: str, errors: dict[str, list[str]], *, most: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        errors.setdefault(field_name, []).append("Give a whole number.")
        return None
    if value < 0 or value > most:
        errors.setdefault(field_name, []).append(f"Give a whole number from 0 to {most}.")
        return None
    return value


def clean_terms(terms: ServiceTerms) -> tuple[dict[str, object], list[LocationTerms], dict[str, list[str]]]:
    """The values to store, the locations, and every problem found (field name -> messages)."""
    errors: dict[str, list[str]] = {}
    name = terms.name.strip()
    if not name:
        errors["name"] = ["Give the service a name."]
    elif len(name) > 200:
        errors["name"] = ["Keep the name to 200 characters or fewer."]
    description = terms.description.strip()
    if not description:
        errors["description"] = ["Describe what the service offers, in plain words."]
    stages = _codes("pipeline_stage", terms.stages, "stages", errors)
    if not terms.stages:
        errors["stages"] = ["Choose at least one stage of the pipeline the service works at."]
    needs = _codes("barrier", terms.needs, "needs", errors)
    min_age = _whole_number(terms.min_age, "min_age", errors, most=MAX_AGE)
    max_age = _whole_number(terms.max_age, "max_age", errors, most=MAX_AGE)
    if min_age is not None and max_age is not None and min_age > max_age:
        errors["max_age"] = ["The maximum age must be the same as or more than the minimum age."]
    local_authorities = _codes("local_authority", terms.local_authorities, "local_authorities", errors)
    areas: list[str] = []
    bad_areas: list[str] = []
    for raw in terms.postcode_areas:
        area = normalise_area(str(raw))
        if not area:
            continue
        if not POSTCODE_AREA_RE.match(area):
            bad_areas.append(str(raw))
        elif area not in areas:
            areas.append(area)
    if bad_areas:
        errors["postcode_areas"] = [f"{', '.join(bad_areas)}: give postcode areas or districts, for example KY or KY1."]
    benefits = _codes("benefit", terms.benefits, "benefits", errors)
    places = _whole_number(terms.places_available, "places_available", errors, most=100_000)
    waiting = _whole_number(terms.waiting_days, "waiting_days", errors, most=MAX_WAITING_DAYS)
    email = terms.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = ["Give an email address in the form name@example.org."]
    phone = terms.phone.strip()
    if phone and not _PHONE_RE.match(phone):
        errors["phone"] = ["Give a phone number using digits, spaces and brackets, for example 01592 583 000."]
    if not email and not phone and "email" not in errors and "phone" not in errors:
        errors["email"] = ["Give an email address or a phone number for referrals."]
    unknown = [c for c in terms.categories_needed if c not in DataCategory.values]
    if unknown:
        errors["categories_needed"] = [
            f"Unknown categories {', '.join(map(str, unknown))}; choose from {', '.join(DataCategory.values)}."
        ]
    categories = [c for c in DataCategory.values if c in set(terms.categories_needed)]
    locations: list[LocationTerms] = []
    for index, loc in enumerate(terms.locations):
        where = f"locations[{index}]"
        loc_name = loc.name.strip()
        if not loc_name:
            errors[f"{where}.name"] = ["Give the place a name, for example the building."]
        postcode = loc.postcode.strip().upper()
        if postcode:
            if outward_code(postcode) is None:
                errors[f"{where}.postcode"] = ["Give a UK postcode, for example KY1 1XX."]
            else:
                compact = re.sub(r"\s+", "", postcode)
                postcode = f"{compact[:-3]} {compact[-3:]}"
        locations.append(
            LocationTerms(name=loc_name, address=loc.address.strip(), postcode=postcode, hsds_id=loc.hsds_id)
        )
    values: dict[str, object] = {
        "name": name,
        "description": description,
        "stages": stages,
        "needs": needs,
        "min_age": min_age,
        "max_age": max_age,
        "local_authorities": local_authorities,
        "postcode_areas": areas,
        "benefits": benefits,
        "other_criteria": terms.other_criteria.strip(),
        "places_available": places,
        "waiting_days": waiting,
        "email": email,
        "phone": phone,
        "referral_instructions": terms.referral_instructions.strip(),
        "categories_needed": categories,
    }
    return values, locations, errors


def _audit(
    actor: StaffMember | None, action: str, service: Service, changed: Sequence[str] = (), **detail: object
) -> None:
    audit_record(
        actor_user_id=actor.user_id if actor else None,
        organisation_id=actor.organisation_id if actor else service.organisation_id,
        action=action,
        object_type="directory.service",
        object_id=service.pk,
        fields=changed,
        detail={"organisation": service.organisation_id, **detail},
    )


def _write_locations(service: Service, locations: Sequence[LocationTerms]) -> None:
    service.locations.all().delete()
    ServiceLocation.objects.bulk_create(
        ServiceLocation(
            service=service,
            name=loc.name,
            address=loc.address,
            postcode=loc.postcode,
            **({"hsds_id": loc.hsds_id} if loc.hsds_id else {}),
        )
        for loc in locations
    )


def write_service(
    *,
    actor: StaffMember | None,
    organisation: Organisation,
    values: dict[str, object],
    locations: Sequence[LocationTerms],
    service: Service | None = None,
    hsds_id: uuid.UUID | None = None,
    active: bool | None = None,
) -> Service:
    """Store checked values (from clean_terms) as a new or changed service, with its audit event.
    Must run inside a transaction; the import and the services below share it."""
    if service is None:
        service = Service(organisation=organisation, **values)
        if hsds_id is not None:
            service.hsds_id = hsds_id
        if active is not None:
            service.active = active
        service.save()
        _write_locations(service, locations)
        _audit(actor, "service.created", service, sorted(values))
        return service
    before_locations = [(loc.name, loc.address, loc.postcode) for loc in service.locations.all()]
    changed = [name for name, value in values.items() if getattr(service, name) != value]
    for name in changed:
        setattr(service, name, values[name])
    if active is not None and active != service.active:
        service.active = active
        changed.append("active")
    service.version += 1
    service.save()
    if before_locations != [(loc.name, loc.address, loc.postcode) for loc in locations]:
        _write_locations(service, locations)
        changed.append("locations")
    _audit(actor, "service.updated", service, changed)
    return service


def service_create(*, actor: StaffMember, terms: ServiceTerms) -> Service:
    """Publish a new service of the actor's own organisation."""
    _require_manager(actor, actor.organisation)
    values, locations, errors = clean_terms(terms)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        return write_service(actor=actor, organisation=actor.organisation, values=values, locations=locations)


def service_update(
    *, actor: StaffMember, service: Service, terms: ServiceTerms, expected_version: int | None = None
) -> Service:
    """Change a service: every field is replaced by the terms given. With `expected_version` (the
    version the editor loaded), a change saved by someone else in between is refused, not overwritten."""
    _require_manager(actor, service.organisation)
    values, locations, errors = clean_terms(terms)
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        if expected_version is not None and locked.version != expected_version:
            raise EditConflict(
                what=f"The service {locked.name}", expected_version=expected_version, current_version=locked.version
            )
        return write_service(
            actor=actor, organisation=service.organisation, values=values, locations=locations, service=locked
        )


def service_retire(*, actor: StaffMember, service: Service, reason: str) -> Service:
    """Take a service out of the directory: it stays on record but takes no new referrals."""
    _require_manager(actor, service.organisation)
    errors: dict[str, list[str]] = {}
    if not service.active:
        errors["active"] = ["This service is already retired."]
    if not reason.strip():
        errors["retired_reason"] = ["Say why the service is retired, for the record."]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = Service.objects.select_for_update().get(pk=service.pk)
        if not locked.active:
            raise InvalidInput({"active": ["This service is already retired."]})
        locked.active = False
        locked.retired_reason = reason.strip()
        locked.version += 1
        locked.save(update_fields=["active", "retired_reason", "version", "updated_at"])
        _audit(actor, "service.retired", locked, ["active", "retired_reason"])
    return locked
