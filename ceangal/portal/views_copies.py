"""The client's copies of their information: each released copy, to download in each of its
formats for CEANGAL_PACK_AVAILABLE_DAYS after release (then they are asked to request it again).

Only the signed-in client's own released copies are listed or served; any other id, an unreleased
copy, one past its time or an unknown format is the same 404. Each download is audited. The
documents released with a copy (those the DPO did not withhold) download one by one.
"""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from ceangal.errors import InvalidInput, NotFound
from ceangal.portal.access import client_page
from ceangal.portal.views import client_render
from ceangal.rights import pack_render, pack_services
from ceangal.rights.models import PackFormat


@client_page
def copies(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    return client_render(
        request,
        client_id,
        "portal/copies.html",
        "copies",
        {"copies": pack_services.client_copies(client_id, now=timezone.now()), "days": pack_services.available_days()},
    )


@client_page
def copy_download(request: HttpRequest, client_id: uuid.UUID, pack_id: uuid.UUID, fmt: str) -> HttpResponse:
    try:
        data = pack_services.client_copy_download(client_id=client_id, pack_id=pack_id, fmt=fmt)
    except (InvalidInput, NotFound) as exc:
        raise Http404("No such copy.") from exc
    response = HttpResponse(data, content_type=pack_render.CONTENT_TYPES[PackFormat(fmt)])
    response["Content-Disposition"] = f'attachment; filename="your-information-{str(pack_id)[:8]}.{fmt}"'
    return response


@client_page
def copy_document(request: HttpRequest, client_id: uuid.UUID, pack_id: uuid.UUID, document_id: int) -> HttpResponse:
    try:
        document = pack_services.client_copy_document(client_id=client_id, pack_id=pack_id, document_id=document_id)
    except NotFound as exc:
        raise Http404("No such document.") from exc
    response = HttpResponse(document.data, content_type=document.content_type or "application/octet-stream")
    # The name the client's key worker uploaded it with, made safe for a header.
    safe = "".join(c if c.isalnum() or c in "._- " else "_" for c in document.name).strip() or "document"
    response["Content-Disposition"] = f'attachment; filename="{safe}"'
    return response
