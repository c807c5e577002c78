"""Import of Open Referral UK / HSDS 3 JSON into a partnership's directory: all or nothing.

The whole file is checked first and, if anything is wrong, refused naming every JSON path at fault
("services[3].minimum_age: must be a whole number"), so a bad file imports nothing; a good one is
written in one transaction, each service with its audit event. Organisations are not created by
an import: they are partners, set up by the partnership; a file's organization is matched to one
by the id Ceangal exported for it or by its exact name.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from ceangal.audit.services import audit_record
from ceangal.directory.hsds import ATTRIBUTE_FIELDS, GSS_URI, TAXONOMY, WAITING, organisation_hsds_id
from ceangal.directory.models import Service, ServiceLocation
from ceangal.directory.services import LocationTerms, ServiceTerms, can_manage, clean_terms, write_service
from ceangal.errors import InvalidInput, NotPermitted
from ceangal.partners.models import Organisation, Partnership, StaffMember

STATUSES = {"active": True, "inactive": False, "defunct": False, "temporarily closed": False}
# Where each ServiceTerms field lives in a service record, to name it in an error.
HSDS_PATH = {
    "name": "name",
    "description": "description",
    "stages": "attributes",
    "needs": "attributes",
    "benefits": "attributes",
    "categories_needed": "attributes",
    "min_age": "minimum_age",
    "max_age": "maximum_age",
    "local_authorities": "service_areas",
    "postcode_areas": "service_areas",
    "other_criteria": "eligibility_description",
    "places_available": "capacities",
    "waiting_days": "attributes",
    "email": "email",
    "phone": "phones",
    "referral_instructions": "application_process",
}


class _Problems:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def obj(self, value: object, path: str) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.add(path, "must be an object.")
            return None
        return value

    def items(self, record: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> list[Any]:
        value = record.get(key)
        if value is None:
            if required:
                self.add(f"{path}{key}", "is required: give a list, which may be empty.")
            return []
        if not isinstance(value, list):
            self.add(f"{path}{key}", "must be a list.")
            return []
        return value

    def text(self, record: Mapping[str, Any], key: str, path: str, *, required: bool = False) -> str:
        value = record.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.add(f"{path}{key}", "is required.")
            return ""
        if not isinstance(value, str):
            self.add(f"{path}{key}", "must be a string.")
            return ""
        return value

    def whole(self, record: Mapping[str, Any], key: str, path: str) -> int | None:
        value = record.get(key)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(f"{path}{key}", "must be a whole number.")
            return None
        if value < 0:
            self.add(f"{path}{key}", "must not be negative.")
            return None
        return value

    def ident(self, record: Mapping[str, Any], key: str, path: str) -> str:
        value = self.text(record, key, path, required=True)
        if value:
            try:
                uuid.UUID(value)
            except ValueError:
                self.add(f"{path}{key}", "must be a UUID, for example 0b9f6c3e-3f0e-4a8e-9d3b-3c1f2a4b5c6d.")
                return ""
        return value


@dataclass(frozen=True)
class _Planned:
    hsds_id: uuid.UUID
    organisation: Organisation
    values: dict[str, object]
    locations: list[LocationTerms]
    active: bool
    existing: Service | None


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int

    def __str__(self) -> str:
        return f"{self.created} services added, {self.updated} changed."


def parse_json(text: str | bytes) -> Any:
    """The JSON of an uploaded file; a syntax error names its line and column."""
    try:
        return json.loads(text)
    except UnicodeDecodeError:
        raise InvalidInput({"file": ["The file is not UTF-8 text; save it as UTF-8 JSON."]}) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput({"file": [f"line {exc.lineno}, column {exc.colno}: {exc.msg}."]}) from None


def _organisations(p: _Problems, document: Mapping[str, Any], partnership: Partnership) -> dict[str, Organisation]:
    ours = list(partnership.organisations.all())
    by_id = {organisation_hsds_id(o): o for o in ours}
    by_name = {o.name.casefold(): o for o in ours}
    found: dict[str, Organisation] = {}
    for index, raw in enumerate(p.items(document, "organizations", "", required=True)):
        path = f"organizations[{index}]."
        record = p.obj(raw, path.rstrip("."))
        if record is None:
            continue
        oid = p.text(record, "id", path, required=True)
        name = p.text(record, "name", path, required=True)
        match = by_id.get(oid) or by_name.get(name.strip().casefold())
        if oid and name and match is None:
            p.add(
                f"{path}name",
                f"no organisation of {partnership.name} is called {name!r}; "
                "an organisation joins the partnership before its services are imported.",
            )
        elif oid and match is not None:
            if oid in found:
                p.add(f"{path}id", "appears twice in organizations.")
            found[oid] = match
    return found


def _locations(p: _Problems, document: Mapping[str, Any]) -> dict[str, LocationTerms]:
    found: dict[str, LocationTerms] = {}
    for index, raw in enumerate(p.items(document, "locations", "")):
        path = f"locations[{index}]."
        record = p.obj(raw, path.rstrip("."))
        if record is None:
            continue
        lid = p.ident(record, "id", path)
        name = p.text(record, "name", path, required=True)
        address, postcode = "", ""
        addresses = p.items(record, "addresses", path)
        if addresses:
            first = p.obj(addresses[0], f"{path}addresses[0]")
            if first is not None:
                where = f"{path}addresses[0]."
                lines = [p.text(first, k, where) for k in ("address_1", "address_2", "city")]
                address = ", ".join(line.strip() for line in lines if line.strip())
                postcode = p.text(first, "postal_code", where)
        if lid:
            found[lid] = LocationTerms(name=name, address=address, postcode=postcode, hsds_id=uuid.UUID(lid))
    return found


def _service_terms(p: _Problems, record: Mapping[str, Any], path: str) -> ServiceTerms:
    coded: dict[str, list[str]] = {name: [] for name in ATTRIBUTE_FIELDS.values()}
    waiting: int | None = None
    for index, raw in enumerate(p.items(record, "attributes", path)):
        where = f"{path}attributes[{index}]"
        attribute = p.obj(raw, where)
        if attribute is None:
            continue
        term = p.obj(attribute.get("taxonomy_term"), f"{where}.taxonomy_term")
        if term is None:
            continue
        taxonomy = p.text(term, "taxonomy", f"{where}.taxonomy_term.", required=True).removeprefix(TAXONOMY)
        code = p.text(term, "code", f"{where}.taxonomy_term.", required=True)
        if taxonomy == WAITING:
            value = attribute.get("value")
            if isinstance(value, str) and value.strip().isdigit():
                waiting = int(value)
            else:
                p.add(f"{where}.value", "must be the waiting time as a whole number of days.")
        elif taxonomy in ATTRIBUTE_FIELDS:
            coded[ATTRIBUTE_FIELDS[taxonomy]].append(code)
        elif taxonomy:
            known = ", ".join(TAXONOMY + t for t in (*ATTRIBUTE_FIELDS, WAITING))
            p.add(f"{where}.taxonomy_term.taxonomy", f"must be one of {known}.")
    councils: list[str] = []
    areas: list[str] = []
    for index, raw in enumerate(p.items(record, "service_areas", path)):
        where = f"{path}service_areas[{index}]."
        area = p.obj(raw, where.rstrip("."))
        if area is None:
            continue
        uri = p.text(area, "uri", where)
        extent = p.text(area, "extent", where) or p.text(area, "name", where)
        if uri.startswith(GSS_URI):
            councils.append(uri.removeprefix(GSS_URI))
        elif extent:
            areas.append(extent)
        else:
            p.add(f"{where}extent", "give a council area (uri) or a postcode area (extent), for example KY1.")
    places: int | None = None
    for index, raw in enumerate(p.items(record, "capacities", path)):
        capacity = p.obj(raw, f"{path}capacities[{index}]")
        if capacity is not None:
            places = p.whole(capacity, "available", f"{path}capacities[{index}].")
    phones = [p.obj(raw, f"{path}phones[{index}]") for index, raw in enumerate(p.items(record, "phones", path))]
    phone = next((p.text(ph, "number", f"{path}phones[0].") for ph in phones[:1] if ph is not None), "")
    return ServiceTerms(
        name=p.text(record, "name", path, required=True),
        description=p.text(record, "description", path, required=True),
        stages=coded["stages"],
        needs=coded["needs"],
        min_age=p.whole(record, "minimum_age", path),
        max_age=p.whole(record, "maximum_age", path),
        local_authorities=councils,
        postcode_areas=areas,
        benefits=coded["benefits"],
        other_criteria=p.text(record, "eligibility_description", path),
        places_available=places,
        waiting_days=waiting,
        email=p.text(record, "email", path),
        phone=phone,
        referral_instructions=p.text(record, "application_process", path),
        categories_needed=coded["categories_needed"],
    )


def _plan(document: object, partnership: Partnership, actor: StaffMember | None) -> list[_Planned]:
    p = _Problems()
    top = p.obj(document, "(file)")
    if top is None:
        raise InvalidInput(p.errors)
    organisations = _organisations(p, top, partnership)
    locations = _locations(p, top)
    located: dict[str, list[LocationTerms]] = {}
    raw_services = p.items(top, "services", "", required=True)
    service_ids: set[str] = set()
    claimed: set[str] = set()
    for index, raw in enumerate(p.items(top, "service_at_locations", "")):
        path = f"service_at_locations[{index}]."
        link = p.obj(raw, path.rstrip("."))
        if link is None:
            continue
        sid, lid = p.text(link, "service_id", path, required=True), p.text(link, "location_id", path, required=True)
        if lid and lid not in locations:
            p.add(f"{path}location_id", "names no location in this file.")
        elif sid:
            # Ceangal keeps a place per service: a location shared by several services is copied,
            # the first keeping the file's id.
            place = locations[lid] if lid not in claimed else dataclasses.replace(locations[lid], hsds_id=None)
            claimed.add(lid)
            located.setdefault(sid, []).append(place)
    existing = {
        str(s.hsds_id): s
        for s in Service.objects.filter(
            hsds_id__in=[r["id"] for r in raw_services if isinstance(r, dict) and _is_uuid(r.get("id"))]
        ).select_related("organisation")
    }
    planned: list[_Planned] = []
    for index, raw in enumerate(raw_services):
        path = f"services[{index}]."
        record = p.obj(raw, path.rstrip("."))
        if record is None:
            continue
        sid = p.ident(record, "id", path)
        if sid in service_ids:
            p.add(f"{path}id", "appears twice in services.")
        service_ids.add(sid)
        oid = p.text(record, "organization_id", path, required=True)
        organisation = organisations.get(oid)
        if oid and organisation is None:
            p.add(f"{path}organization_id", "names no organization in this file that is a partner.")
        status = p.text(record, "status", path, required=True) or "active"
        if status not in STATUSES:
            p.add(f"{path}status", f"must be one of {', '.join(STATUSES)}.")
        terms = _service_terms(p, record, path)
        current = existing.get(sid)
        if (
            current is not None
            and organisation is not None
            and (current.organisation.partnership_id != partnership.pk or current.organisation_id != organisation.pk)
        ):
            p.add(f"{path}organization_id", "this service id belongs to another organisation's service.")
        if organisation is not None and actor is not None and not can_manage(actor, organisation.pk):
            p.add(f"{path}organization_id", "you may import only your own organisation's services.")
        values, _none, errors = clean_terms(terms)
        for name, messages in errors.items():
            target = path + HSDS_PATH.get(name, name)
            for message in messages:
                p.add(target, message)
        if sid and organisation is not None:
            planned.append(
                _Planned(
                    hsds_id=uuid.UUID(sid),
                    organisation=organisation,
                    values=values,
                    locations=located.get(sid, []),
                    active=STATUSES.get(status, True),
                    existing=current,
                )
            )
    for sid in located:
        if sid not in service_ids:
            p.add("service_at_locations", f"service_id {sid} names no service in this file.")
    for index, loc in enumerate(locations.values()):
        _v, _l, loc_errors = clean_terms(
            ServiceTerms(name="x", description="x", stages=["PS1"], email="a@b.org", locations=[loc])
        )
        for name, messages in loc_errors.items():
            p.add(f"locations[{index}]." + ("postal_code" if name.endswith("postcode") else "name"), " ".join(messages))
    if p.errors:
        raise InvalidInput(p.errors)
    return planned


def _is_uuid(value: object) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def directory_import(*, actor: StaffMember | None, partnership: Partnership, document: object) -> ImportResult:
    """Add or change the services in an HSDS document; all or nothing.

    With an actor (a page or the API), only an admin or team leader may import, and only their own
    organisation's services. Without one (the directory_import command, run by an operator), any
    partner's services in the partnership.
    """
    if actor is not None and not can_manage(actor, actor.organisation_id):
        raise NotPermitted("Only an organisation admin or a team leader may import services.")
    if actor is not None and actor.organisation.partnership_id != partnership.pk:
        raise NotPermitted("You may import only into your own partnership's directory.")
    planned = _plan(document, partnership, actor)
    # A location id the file gives that a service outside the file already holds gets a new id.
    held_elsewhere = {
        str(i)
        for i in ServiceLocation.objects.filter(
            hsds_id__in=[loc.hsds_id for item in planned for loc in item.locations if loc.hsds_id]
        )
        .exclude(service__hsds_id__in=[item.hsds_id for item in planned])
        .values_list("hsds_id", flat=True)
    }
    created = updated = 0
    try:
        with transaction.atomic():
            created, updated = _write(actor, partnership, planned, held_elsewhere)
    except IntegrityError:
        # Another import or edit got there first (a new service id, a location moved between services).
        raise InvalidInput(
            {"services": ["The directory changed while this file was imported; nothing was imported. Try again."]}
        ) from None
    return ImportResult(created=created, updated=updated)


def _write(
    actor: StaffMember | None, partnership: Partnership, planned: list[_Planned], held_elsewhere: set[str]
) -> tuple[int, int]:
    created = updated = 0
    for item in planned:
        write_service(
            actor=actor,
            organisation=item.organisation,
            values=item.values,
            locations=[
                dataclasses.replace(loc, hsds_id=None) if str(loc.hsds_id) in held_elsewhere else loc
                for loc in item.locations
            ],
            service=Service.objects.select_for_update().get(pk=item.existing.pk) if item.existing else None,
            hsds_id=item.hsds_id,
            active=item.active,
        )
        if item.existing:
            updated += 1
        else:
            created += 1
    audit_record(
        actor_user_id=actor.user_id if actor else None,
        organisation_id=actor.organisation_id if actor else None,
        action="directory.imported",
        object_type="partners.partnership",
        object_id=partnership.pk,
        detail={"created": created, "updated": updated},
    )
    return created, updated
