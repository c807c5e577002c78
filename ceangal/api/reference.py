"""GET /reference: the code lists that coded fields take their values from."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from ceangal.api.schemas import CodeListDetailOut, CodeListOut, CodeOut, Problem
from ceangal.errors import NotFound
from ceangal.reference.models import Code, CodeList

router = Router(tags=["Reference"])

# Code lists are published vocabulary, not client data, so they are read here directly. If a
# second reader appears (the web pages' code-list browser), move these two queries next to
# reference.lookups rather than copying them.


@router.get(
    "",
    response={200: list[CodeListOut], 401: Problem},
    url_name="reference_lists",
    summary="List the code lists",
)
def reference_lists(request: HttpRequest) -> list[CodeListOut]:
    rows = CodeList.objects.order_by("key").values("key", "name", "edition", "version")
    return [CodeListOut(**row) for row in rows]


@router.get(
    "/{key}",
    response={200: CodeListDetailOut, 401: Problem, 404: Problem},
    url_name="reference_list",
    summary="One code list and its codes",
)
def reference_list(request: HttpRequest, key: str) -> CodeListDetailOut:
    """Every code, retired ones included (with the code that replaces each), in the list's order."""
    code_list = CodeList.objects.filter(key=key).values("key", "name", "edition", "version").first()
    if code_list is None:
        raise NotFound(f"There is no code list {key!r}; GET /api/v1/reference lists them.")
    codes = Code.objects.filter(code_list_id=key).order_by("sort_order", "code")
    return CodeListDetailOut(
        **code_list,
        codes=[
            CodeOut(code=c.code, label=c.label, group=c.group, active=c.active, superseded_by=c.superseded_by)
            for c in codes
        ],
    )
