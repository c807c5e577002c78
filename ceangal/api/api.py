"""/api/v1: the partner API. OpenAPI 3.1 at /api/v1/openapi.json, reference at /api/v1/docs."""

from __future__ import annotations

from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import OpenAPISchema
from ninja.operation import Operation

from ceangal.api import (
    agreements,
    breakglass,
    client_services,
    clients,
    consent,
    directory,
    ledger,
    matching,
    notifications,
    reference,
    referrals,
    rights,
    rights_actions,
    rights_packs,
)
from ceangal.api.auth import ApiKeyAuth, SessionStaffAuth
from ceangal.api.docs import LocalSwagger
from ceangal.api.errors import PROBLEM_CONTENT_TYPE, install_problem_handlers
from ceangal.api.section_schemas import section_data_components

DESCRIPTION = """\
The API of Ceangal, for partners' case-management systems: the same records, rules and checks as
the staff pages.

**Authentication.** Send an API key, issued by your organisation admin, as
`Authorization: Bearer cgl_...`. A key acts as the staff member it was issued to. A signed-in
browser session also works (changes then need the `X-CSRFToken` header).

**What you see.** Every read goes through the partnership's decision point: you get the categories
your role, your organisation's work with the client, and the sharing agreements and consent
allow, and the reason for each category withheld. A client you may not see is `404`, exactly like
one that does not exist.

**Errors** are RFC 9457 problems (`application/problem+json`) with a stable `type` URI; a
`validation-error` names every bad field in `errors`, and nothing is saved. See docs/api.md.
"""


class CeangalAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Operation functions have unique, domain-named names (client_register, ...).
        return str(operation.view_func.__name__)

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"]["schemas"].update(section_data_components())
        # ninja labels every response with the renderer's type; errors are problem documents.
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if int(status) >= 400 and "application/json" in content:
                        response["content"] = {PROBLEM_CONTENT_TYPE: content["application/json"]}
        if not schema.get("servers"):
            schema.pop("servers", None)
        return schema


api = CeangalAPI(
    title="Ceangal API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # A key, when sent, is judged first, so a bad key is refused rather than passed over for a session.
    auth=[ApiKeyAuth(), SessionStaffAuth()],
    docs=LocalSwagger(),
)
install_problem_handlers(api)
api.add_router("/reference", reference.router)
# Before clients.router: /clients/search must not be taken for /clients/{client_id}.
api.add_router("/clients", matching.router)
api.add_router("/clients", clients.router)
api.add_router("/clients", consent.router)
api.add_router("/clients", breakglass.client_router)
api.add_router("/clients", client_services.router)
api.add_router("/consents", consent.records_router)
api.add_router("/agreements", agreements.router)
api.add_router("/notices", agreements.notices_router)
api.add_router("/break-glass", breakglass.router)
api.add_router("/ledger", ledger.router)
api.add_router("/directory", directory.router)
api.add_router("/me", notifications.me_router)
api.add_router("/webhooks", notifications.router)
api.add_router("/referrals", referrals.router)
api.add_router("/messages", referrals.messages_router)
api.add_router("/provision-gaps", referrals.gaps_router)
api.add_router("/rights-requests", rights.router)
# access packs (subject access and portability copies)
api.add_router("/rights-requests", rights_packs.router)
# rectification, erasure, restriction, objection, legal holds
api.add_router("/rights-requests", rights_actions.router)
api.add_router("/legal-holds", rights_actions.holds_router)
api.add_router("/recipient-notices", rights_actions.notices_router)
