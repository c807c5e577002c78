"""My caseload, and finding a client among those the organisation works with."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ceangal.partners.models import StaffMember
from ceangal.partners.roles import Role
from ceangal.policy import selectors
from ceangal.web.access import staff_page
from ceangal.web.views import PURPOSE

SCOPE_MINE = "mine"
SCOPE_ORGANISATION = "organisation"
MAX_QUERY_LENGTH = 100


def _query(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]


@staff_page
def caseload(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    default_scope = SCOPE_MINE if actor.role == Role.KEY_WORKER else SCOPE_ORGANISATION
    scope = request.GET.get("scope", default_scope)
    if scope not in {SCOPE_MINE, SCOPE_ORGANISATION}:
        scope = default_scope
    query = _query(request)
    rows = selectors.caseload(actor=actor, purpose=PURPOSE, mine_only=scope == SCOPE_MINE, query=query)
    return render(
        request,
        "web/caseload.html",
        {"rows": rows, "scope": scope, "query": query, "nav": "caseload"},
    )


@staff_page
def client_find(request: HttpRequest, actor: StaffMember) -> HttpResponse:
    query = _query(request)
    rows = selectors.caseload(actor=actor, purpose=PURPOSE, query=query) if query else []
    return render(request, "web/client_find.html", {"rows": rows, "query": query, "nav": "find"})
