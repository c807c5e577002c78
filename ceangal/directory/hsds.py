"""The directory as Open Referral UK / HSDS 3 JSON: the shared vocabulary, and the export.

Export writes the partnership's organisations, services, locations and eligibility in HSDS 3
field names (docs/directory.md has the mapping table); `hsds_import` reads the same shape back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from ceangal.directory.models import Service
from ceangal.partners.models import Organisation, Partnership
from ceangal.reference import lookups
from ceangal.reference.categories import DataCategory

HSDS_VERSION = "3.1"
GSS_URI = "http://statistics.data.gov.uk/id/statistical-geography/"
TAXONOMY = "ceangal:"
# Ceangal's coded criteria, as HSDS attributes: taxonomy (code list) -> ServiceTerms field.
ATTRIBUTE_FIELDS = {
    "pipeline_stage": "stages",
    "barrier": "needs",
    "benefit": "benefits",
    "data_category": "categories_needed",
}
WAITING = "waiting_time"


def _uuid(*parts: object) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "ceangal:" + ":".join(map(str, parts))))


def organisation_hsds_id(organisation: Organisation) -> str:
    """A stable id for an organisation in HSDS files: the same on every export."""
    return _uuid(organisation.partnership.slug, "organisation", organisation.slug)


# --- export -------------------------------------------------------------------------------------


def _service_record(service: Service, labels: Mapping[str, Mapping[str, str]]) -> dict[str, Any]:
    sid = str(service.hsds_id)
    areas = [
        {
            "id": _uuid(sid, "area", code),
            "service_id": sid,
            "name": labels["local_authority"].get(code, code),
            "description": "Council area",
            "extent": code,
            "extent_type": "text",
            "uri": GSS_URI + code,
        }
        for code in service.local_authorities
    ] + [
        {
            "id": _uuid(sid, "area", area),
            "service_id": sid,
            "name": area,
            "description": "Postcode area" if area.isalpha() else "Postcode district",
            "extent": area,
            "extent_type": "text",
        }
        for area in service.postcode_areas
    ]
    attributes: list[dict[str, Any]] = []
    for taxonomy, field_name in ATTRIBUTE_FIELDS.items():
        for code in getattr(service, field_name):
            attributes.append(
                {
                    "id": _uuid(sid, taxonomy, code),
                    "link_id": sid,
                    "link_type": "service",
                    "link_entity": "service",
                    "taxonomy_term_id": _uuid(taxonomy, code),
                    "taxonomy_term": {
                        "id": _uuid(taxonomy, code),
                        "code": code,
                        "name": labels.get(taxonomy, {}).get(code, code),
                        "taxonomy": TAXONOMY + taxonomy,
                    },
                    "value": "",
                }
            )
    if service.waiting_days is not None:
        attributes.append(
            {
                "id": _uuid(sid, WAITING),
                "link_id": sid,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": _uuid(WAITING),
                "taxonomy_term": {
                    "id": _uuid(WAITING),
                    "code": "days",
                    "name": "Waiting time in days",
                    "taxonomy": TAXONOMY + WAITING,
                },
                "value": str(service.waiting_days),
            }
        )
    record: dict[str, Any] = {
        "id": sid,
        "organization_id": organisation_hsds_id(service.organisation),
        "name": service.name,
        "description": service.description,
        "status": "active" if service.active else "inactive",
        "email": service.email or None,
        "eligibility_description": service.other_criteria or None,
        "minimum_age": service.min_age,
        "maximum_age": service.max_age,
        "application_process": service.referral_instructions or None,
        "phones": [{"id": _uuid(sid, "phone"), "number": service.phone}] if service.phone else [],
        "service_areas": areas,
        "capacities": (
            [
                {
                    "id": _uuid(sid, "capacity"),
                    "service_id": sid,
                    "available": service.places_available,
                    "unit": {"id": _uuid("unit", "places"), "name": "places"},
                    "updated": service.updated_at.isoformat(),
                }
            ]
            if service.places_available is not None
            else []
        ),
        "attributes": attributes,
    }
    return record


def export_document(partnership: Partnership) -> dict[str, Any]:
    """The partnership's directory as one HSDS 3 JSON document (retired services as inactive)."""
    labels: dict[str, Mapping[str, str]] = dict(
        lookups.labels_for(["local_authority", "pipeline_stage", "barrier", "benefit"])
    )
    labels["data_category"] = {c.value: str(c.label) for c in DataCategory}
    services = list(
        Service.objects.filter(organisation__partnership=partnership)
        .select_related("organisation__partnership")
        .prefetch_related("locations")
        .order_by("organisation__name", "name", "pk")
    )
    organisations = list(partnership.organisations.filter(active=True).order_by("name"))
    locations: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    for service in services:
        for loc in service.locations.all():
            lid = str(loc.hsds_id)
            address: dict[str, Any] = {
                "id": _uuid(lid, "address"),
                "location_id": lid,
                "address_1": loc.address or loc.name,
                "postal_code": loc.postcode,
                "country": "GB",
                "address_type": "physical",
            }
            locations.append({"id": lid, "name": loc.name, "location_type": "physical", "addresses": [address]})
            links.append(
                {"id": _uuid(service.hsds_id, "at", lid), "service_id": str(service.hsds_id), "location_id": lid}
            )
    return {
        "hsds_version": HSDS_VERSION,
        "publisher": partnership.name,
        "organizations": [
            {
                "id": organisation_hsds_id(o),
                "name": o.name,
                "description": o.get_org_type_display(),
                "email": o.contact_email or None,
                "phones": [{"id": _uuid(organisation_hsds_id(o), "phone"), "number": o.contact_phone}]
                if o.contact_phone
                else [],
            }
            for o in organisations
        ],
        "services": [_service_record(s, labels) for s in services],
        "locations": locations,
        "service_at_locations": links,
    }
