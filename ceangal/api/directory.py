"""/directory: the partnership's service directory, and its Open Referral UK / HSDS 3 JSON.

Services are partnership information, not client data: every member of staff may read them.
Only an organisation admin or a team leader of the owning organisation publishes, changes or
retires one, and imports only their own organisation's services (403 otherwise).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Body, Field, Router, Schema, Status

from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.directory import hsds, hsds_import, selectors, services
from ceangal.directory.eligibility import capacity_note
from ceangal.directory.models import Service

router = Router(tags=["Directory"])

READ_ERRORS: dict[int, type[Problem]] = {401: Problem, 404: Problem, 422: Problem}
WRITE_ERRORS: dict[int, type[Problem]] = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 422: Problem}
UPDATE_ERRORS: dict[int, type[Problem]] = {**WRITE_ERRORS, 409: Problem}


class LocationIn(Schema):
    name: str
    address: str = ""
    postcode: str = ""


class LocationOut(LocationIn):
    id: str = Field(description="The location's HSDS id.")


class ServiceIn(Schema):
    name: str
    description: str
    stages: list[str] = Field(default=[], description="pipeline_stage codes (at least one).")
    needs: list[str] = Field(default=[], description="barrier codes the service helps with.")
    min_age: int | None = None
    max_age: int | None = None
    local_authorities: list[str] = Field(default=[], description="GSS codes of council areas; empty: anywhere.")
    postcode_areas: list[str] = Field(default=[], description='Postcode areas or districts ("KY", "KY1").')
    benefits: list[str] = Field(default=[], description="benefit codes, one of which the client must receive.")
    other_criteria: str = ""
    places_available: int | None = Field(default=None, description="null: not limited; 0: full.")
    waiting_days: int | None = None
    email: str = ""
    phone: str = ""
    referral_instructions: str = ""
    categories_needed: list[str] = Field(default=[], description="Data categories a referral needs.")
    locations: list[LocationIn] = []

    def terms(self) -> services.ServiceTerms:
        data = self.dict(exclude={"version"})
        data["locations"] = [services.LocationTerms(**loc) for loc in data["locations"]]
        return services.ServiceTerms(**data)


class ServiceUpdateIn(ServiceIn):
    version: int | None = Field(
        default=None,
        description="The version you loaded: if someone else changed the service since, 409 edit-conflict.",
    )


class ServiceOut(ServiceIn):
    id: int = Field(description="`service_id` in the paths.")
    hsds_id: str = Field(description="The id in Open Referral UK / HSDS files.")
    organisation_id: int
    organisation: str
    active: bool
    version: int = Field(description="Counts the changes; send it back when you change the service.")
    retired_reason: str
    capacity: str = Field(description="How full the service is, in words.")
    locations: list[LocationOut] = []  # type: ignore[assignment]
    updated_at: str

    @classmethod
    def of(cls, service: Service) -> ServiceOut:
        return cls(
            id=service.pk,
            hsds_id=str(service.hsds_id),
            organisation_id=service.organisation_id,
            organisation=service.organisation.name,
            active=service.active,
            version=service.version,
            retired_reason=service.retired_reason,
            capacity=capacity_note(service),
            updated_at=service.updated_at.isoformat(),
            locations=[
                LocationOut(id=str(loc.hsds_id), name=loc.name, address=loc.address, postcode=loc.postcode)
                for loc in service.locations.all()
            ],
            **{name: getattr(service, name) for name in services.STORED_FIELDS},
        )


class RetireIn(Schema):
    reason: str


class ImportOut(Schema):
    created: int
    updated: int


def _location(service: Service) -> str:
    return reverse("api:directory_get", kwargs={"service_id": service.pk})


@router.get(
    "",
    response={200: list[ServiceOut], **READ_ERRORS},
    url_name="directory_list",
    summary="Services of the partnership, filtered",
)
def directory_list(
    request: HttpRequest,
    stage: str | None = None,
    local_authority: str | None = None,
    need: str | None = None,
    age: int | None = None,
    postcode: str | None = None,
    benefits: str | None = None,
) -> list[ServiceOut]:
    """Active services, by name. `stage`, `local_authority` and `need` (a barrier code) filter the
    list; a service that names no council area is open to all. Give a client's facts (`age`,
    `postcode`, `benefits` as comma-separated codes, with `local_authority`) to keep only services
    whose criteria they meet; a fact not given is not held against them."""
    actor = actor_of(request)
    if age is None and postcode is None and benefits is None:
        found = selectors.services_for(actor, stage=stage, local_authority=local_authority, need=need)
    else:
        found = selectors.services_eligible_for(
            actor,
            age=age,
            local_authority=local_authority,
            postcode=postcode,
            benefits=[b.strip() for b in benefits.split(",") if b.strip()] if benefits is not None else None,
            stage=stage,
            need=need,
        )
    return [ServiceOut.of(s) for s in found]


@router.get(
    "/hsds",
    response={200: dict[str, Any], **READ_ERRORS},
    url_name="directory_hsds_export",
    summary="The directory as Open Referral UK / HSDS 3 JSON",
)
def directory_hsds_export(request: HttpRequest) -> dict[str, Any]:
    """organizations, services (with service_areas, capacities and attributes), locations and
    service_at_locations, in HSDS 3 field names; docs/directory.md has the mapping."""
    return hsds.export_document(actor_of(request).organisation.partnership)


@router.post(
    "/hsds",
    response={200: ImportOut, **WRITE_ERRORS},
    url_name="directory_hsds_import",
    summary="Import your organisation's services from HSDS 3 JSON (admin, team leader)",
)
def directory_hsds_import(request: HttpRequest, body: Body[dict[str, Any]]) -> ImportOut:
    """All or nothing: the whole document is checked first, and a bad one is refused with every
    JSON path at fault (`services[3].minimum_age`) and nothing imported. Services are matched by
    their HSDS id: a known id changes that service, a new one adds a service."""
    actor = actor_of(request)
    result = hsds_import.directory_import(actor=actor, partnership=actor.organisation.partnership, document=body)
    return ImportOut(created=result.created, updated=result.updated)


@router.get(
    "/{service_id}",
    response={200: ServiceOut, **READ_ERRORS},
    url_name="directory_get",
    summary="One service",
)
def directory_get(request: HttpRequest, service_id: int) -> ServiceOut:
    return ServiceOut.of(selectors.service_get(actor_of(request), service_id))


@router.post(
    "",
    response={201: ServiceOut, **WRITE_ERRORS},
    url_name="directory_create",
    summary="Publish a service of your organisation (admin, team leader)",
)
def directory_create(request: HttpRequest, body: ServiceIn, response: HttpResponse) -> Status[ServiceOut]:
    """Every mistake is named at once (`name`, `stages`, `max_age`, `locations[0].postcode`, ...)."""
    actor = actor_of(request)
    service = services.service_create(actor=actor, terms=body.terms())
    response["Location"] = _location(service)
    return Status(201, ServiceOut.of(selectors.service_get(actor, service.pk)))


@router.put(
    "/{service_id}",
    response={200: ServiceOut, **UPDATE_ERRORS},
    url_name="directory_update",
    summary="Change a service (its organisation's admin or team leader)",
)
def directory_update(request: HttpRequest, service_id: int, body: ServiceUpdateIn) -> ServiceOut:
    """Replaces every field, locations included, with the body. Send the `version` you loaded: a
    change saved by someone else since is 409 `edit-conflict`, and nothing is changed."""
    actor = actor_of(request)
    service = services.service_update(
        actor=actor,
        service=selectors.service_get(actor, service_id),
        terms=body.terms(),
        expected_version=body.version,
    )
    return ServiceOut.of(selectors.service_get(actor, service.pk))


@router.post(
    "/{service_id}/retire",
    response={200: ServiceOut, **WRITE_ERRORS},
    url_name="directory_retire",
    summary="Retire a service (its organisation's admin or team leader)",
)
def directory_retire(request: HttpRequest, service_id: int, body: RetireIn) -> ServiceOut:
    """It stays on record, marked inactive, and takes no new referrals."""
    actor = actor_of(request)
    service = services.service_retire(actor=actor, service=selectors.service_get(actor, service_id), reason=body.reason)
    return ServiceOut.of(selectors.service_get(actor, service.pk))
