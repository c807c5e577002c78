"""The client's consents: each record in words, withdrawing all or part of one in one form, and
the receipt for it."""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ceangal.errors import InvalidInput
from ceangal.policy.subject import subject_consent, subject_consents, subject_withdrawal_receipt
from ceangal.portal.access import client_page
from ceangal.portal.views import client_render, error_links
from ceangal.portal.withdrawal import consent_withdraw_by_client


@client_page
def consents(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    return client_render(
        request, client_id, "portal/consents.html", "consents", {"consents": subject_consents(client_id)}
    )


@client_page
@require_http_methods(["GET", "POST"])
def consent_withdraw(request: HttpRequest, client_id: uuid.UUID, record_id: uuid.UUID) -> HttpResponseBase:
    consent = subject_consent(client_id, record_id)
    errors: dict[str, list[str]] = {}
    chosen: list[str] = []
    everything = False
    if request.method == "POST":
        chosen = request.POST.getlist("scopes")
        everything = request.POST.get("everything") == "true"
        try:
            event = consent_withdraw_by_client(
                client_id=client_id, record_id=record_id, scope_ids=chosen, everything=everything
            )
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return redirect("portal:consent_receipt", record_id=record_id, event_id=event.pk)
    labels = {"scopes": _("What to withdraw")}
    return client_render(
        request,
        client_id,
        "portal/consent_withdraw.html",
        "consents",
        {
            "consent": consent,
            "errors": error_links(labels, errors),
            "field_errors": errors,
            "chosen": set(chosen),
            "everything": everything,
        },
        status=422 if errors else 200,
    )


@client_page
def consent_receipt(request: HttpRequest, client_id: uuid.UUID, record_id: uuid.UUID, event_id: int) -> HttpResponse:
    receipt = subject_withdrawal_receipt(client_id, record_id, event_id)
    return client_render(request, client_id, "portal/consent_receipt.html", "consents", {"receipt": receipt})
