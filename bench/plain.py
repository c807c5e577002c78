"""The yardstick for the governed read: a plain Django JSON view of the same client.

It authenticates the caller exactly as the API does (the same API key, checked by the same
service), then reads the client row and every section's rows and serialises them, with no
decision, no consent or agreement facts and no ledger entry. Only the bench mounts it
(`ROOT_URLCONF = "plain"` while it runs); it is never part of the service.
"""

from __future__ import annotations

import json
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path

from ceangal.clients import models as m
from ceangal.clients.sections import SECTIONS, SectionSpec
from ceangal.db import Prepared
from ceangal.partners.services import api_key_authenticate


def _columns(spec: SectionSpec) -> tuple[str, ...]:
    return ("id", "version", "supplied_by_id", *spec.field_names)


def plain_client(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    """Idiomatic Django: the ORM builds each query as it goes."""
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if api_key_authenticate(token) is None:
        return JsonResponse({"detail": "not authenticated"}, status=401)
    client = m.Client.objects.filter(pk=client_id).values("id", "reference").first()
    if client is None:
        return JsonResponse({"detail": "not found"}, status=404)
    sections = {spec.key: list(spec.rows(client_id).values(*_columns(spec))) for spec in SECTIONS}
    body = json.dumps({**client, "sections": sections}, cls=DjangoJSONEncoder)
    return HttpResponse(body, content_type="application/json")


_UUID = m.Client._meta.pk
_CLIENT = Prepared(lambda client_id: m.Client.objects.filter(pk=client_id).values("id", "reference"), client_id=_UUID)
_SECTIONS = {
    spec.key: Prepared(lambda client_id, spec=spec: spec.rows(client_id).values(*_columns(spec)), client_id=_UUID)
    for spec in SECTIONS
}


def plain_client_prepared(request: HttpRequest, client_id: uuid.UUID) -> HttpResponse:
    """The same, with its SQL built once as the governed read's is (ceangal.db.Prepared): the
    difference from the governed read is then the decision, its facts and the ledger alone."""
    token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if api_key_authenticate(token) is None:
        return JsonResponse({"detail": "not authenticated"}, status=401)
    client = _CLIENT.first(client_id=client_id)
    if client is None:
        return JsonResponse({"detail": "not found"}, status=404)
    sections = {key: query.rows(client_id=client_id) for key, query in _SECTIONS.items()}
    body = json.dumps({**client, "sections": sections}, cls=DjangoJSONEncoder)
    return HttpResponse(body, content_type="application/json")


urlpatterns = [
    path("bench/plain/clients/<uuid:client_id>", plain_client),
    path("bench/plain-prepared/clients/<uuid:client_id>", plain_client_prepared),
    path("", include("ceangal.urls")),
]
