"""Uploading a document to a client's record, and downloading one.

Documents are never served from a public URL: a download streams the file through this view after
the decision point has allowed it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ceangal.clients import services
from ceangal.clients.sections import section
from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.policy import selectors
from ceangal.policy.selectors import ClientRecord
from ceangal.web.access import staff_page
from ceangal.web.forms import FieldView, build_form, error_links, field_id, typed_values
from ceangal.web.views import PURPOSE
from ceangal.web.views.sections import (
    record_url,
    refuse_unless_casework,
    refuse_unless_engaged,
    shown_on_form,
    visible_section,
)

DOCUMENTS = section("documents")


def _file_field(errors: Mapping[str, Sequence[str]]) -> FieldView:
    allowed = _("A PDF, JPEG, PNG, Word (.docx) or plain text file.")
    return FieldView(
        name="file",
        id=field_id("file"),
        label=_("File"),
        widget="file",
        hint=allowed,
        errors=tuple(errors.get("file", ())),
        required=True,
    )


def _upload_page(
    request: HttpRequest,
    actor: StaffMember,
    record: ClientRecord,
    values: Mapping[str, Any],
    errors: Mapping[str, Sequence[str]],
    status: int,
) -> HttpResponse:
    fields = (*build_form(DOCUMENTS.fields, values, errors), _file_field(errors))
    shown_on_form(actor, record, DOCUMENTS, None)  # the heading names the client
    return render(
        request,
        "web/document_upload.html",
        {
            "record": record,
            "fields": fields,
            "errors": error_links(fields, errors),
            "back_url": record_url(record.client_id, DOCUMENTS),
        },
        status=status,
    )


@staff_page
def document_upload(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID) -> HttpResponse:
    refuse_unless_casework(actor)
    record, _view = visible_section(actor, client_id, DOCUMENTS)
    refuse_unless_engaged(record)
    if request.method != "POST":
        return _upload_page(request, actor, record, {}, {}, status=200)
    client = selectors.client_for_action(actor=actor, client_id=client_id, purpose=PURPOSE)
    upload = request.FILES.get("file")  # None when no file was chosen: the service says so
    try:
        services.document_upload(
            actor=actor,
            client=client,
            title=request.POST.get("title", ""),
            kind=request.POST.get("kind", ""),
            upload=upload,
        )
    except InvalidInput as exc:
        return _upload_page(
            request, actor, record, typed_values(DOCUMENTS.fields, request.POST), exc.errors, status=exc.status
        )
    messages.success(request, _("The document is uploaded."))
    return redirect(record_url(client_id, DOCUMENTS))


@staff_page
def document_download(request: HttpRequest, actor: StaffMember, client_id: uuid.UUID, document_id: int) -> FileResponse:
    document = selectors.document_for_download(
        actor=actor, client_id=client_id, document_id=document_id, purpose=PURPOSE
    )
    return FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
