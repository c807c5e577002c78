"""GET /api/v1/clients/{client_id}/services: the services a client may be eligible for.

The policy layer (policy.eligibility) reads the client and derives the facts the decision
permits; a fact it may not use is listed in `unknown` with the reason and is not held against the
client. What was used is written to the access ledger (channel api), as docs/directory.md says.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest
from ninja import Field, P, QueryEx, Router, Schema

from ceangal.api.auth import actor_of
from ceangal.api.schemas import Problem
from ceangal.ledger.models import Channel
from ceangal.policy.eligibility import ServiceOption, ServicesForClient, services_for_client
from ceangal.policy.purposes import Purpose

router = Router(tags=["Clients"])


class UnknownFactOut(Schema):
    fact: str = Field(description="The fact not used, for example 'Benefits'.")
    section: str = Field(description="The section it would come from.")
    reason: str = Field(description="Why it is not known: the decision's reason, or that nothing is recorded.")


class ClientFactsOut(Schema):
    """The facts the services were checked against; null where not known."""

    age: int | None
    local_authority: str | None = Field(description="GSS code of the client's council area.")
    postcode: str | None
    benefits: list[str] | None = Field(description="benefit codes of the claims that have not ended.")
    needs: list[str] | None = Field(description="barrier codes of the support needs not yet resolved.")


class ServiceOptionOut(Schema):
    id: int
    name: str
    organisation: str
    eligible: bool
    unmet: list[str] = Field(description="The criteria the client does not meet, in plain words; empty if eligible.")
    capacity: str = Field(description="How full the service is, in plain words.")
    helps_with: list[str] = Field(description="barrier codes of the client's needs the service helps with.")
    other_criteria: str = Field(description="Criteria in words, not checked: ask the client.")

    @classmethod
    def of(cls, option: ServiceOption, needs: list[str] | None) -> ServiceOptionOut:
        s = option.service
        return cls(
            id=s.pk,
            name=s.name,
            organisation=s.organisation.name,
            eligible=option.eligible,
            unmet=option.unmet,
            capacity=option.capacity,
            helps_with=[code for code in needs or [] if code in s.needs],
            other_criteria=s.other_criteria,
        )


class ClientServicesOut(Schema):
    client_id: uuid.UUID
    reference: str
    name: str = Field(description="The client's name if you may see it, else their reference.")
    facts: ClientFactsOut
    unknown: list[UnknownFactOut]
    services: list[ServiceOptionOut] = Field(description="Eligible services first, then the others, each by name.")

    @classmethod
    def of(cls, found: ServicesForClient) -> ClientServicesOut:
        return cls(
            client_id=found.client_id,
            reference=found.reference,
            name=found.display_name,
            facts=ClientFactsOut(
                age=found.age,
                local_authority=found.local_authority,
                postcode=found.postcode,
                benefits=found.benefits,
                needs=found.needs,
            ),
            unknown=[UnknownFactOut(fact=u.fact, section=u.section, reason=u.reason) for u in found.unknown],
            services=[ServiceOptionOut.of(o, found.needs) for o in found.services],
        )


@router.get(
    "/{client_id}/services",
    response={200: ClientServicesOut, 401: Problem, 403: Problem, 404: Problem, 422: Problem},
    url_name="client_services",
    summary="The services a client may be eligible for",
)
def client_services(
    request: HttpRequest,
    client_id: uuid.UUID,
    stage: QueryEx[str, P(description="Only services at this pipeline_stage code.")] = "",
    need: QueryEx[str, P(description="Only services helping with this barrier code.")] = "",
) -> ClientServicesOut:
    """The partnership's active services, each eligible for the client or with the criteria they do
    not meet, checked against the facts you may see (a hidden fact is in `unknown` with the reason,
    and not held against the client). The name, and the categories whose facts were matched, are
    written to the access ledger. A client you may not see is 404."""
    found = services_for_client(
        actor=actor_of(request),
        client_id=client_id,
        purpose=Purpose.SUPPORT_COORDINATION,
        stage=stage or None,
        need=need or None,
        channel=Channel.API,
    )
    return ClientServicesOut.of(found)
