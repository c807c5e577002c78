"""The copy of a client's information for an access or portability request: the DPO generates it,
watches its progress (a "check progress" link: no JavaScript, no automatic refresh), decides each
third-party flag, previews it in each format and releases it.

One page, `/dpo/rights/<id>/pack/`: a POST names its action (generate, decide, release); `?file=`
downloads or previews a format. The services decide who may and validate; a member of staff who
is not a DPO finds no such page.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from ceangal.errors import InvalidInput
from ceangal.partners.models import StaffMember
from ceangal.rights import pack_render, pack_services, selectors
from ceangal.rights.models import (
    AccessPack,
    FlagDecision,
    FlagReason,
    PackFlag,
    PackFormat,
    PackStatus,
    RequestKind,
    RightsRequest,
)
from ceangal.web.access import staff_page
from ceangal.web.forms import ErrorLink, FieldView, Option, OptionGroup, error_links, field_id

type Errors = Mapping[str, Sequence[str]]


def pack_panel(actor: StaffMember, rights_request: RightsRequest) -> dict[str, object] | None:
    """What the request page shows of its copy (for access and portability requests, to the DPO)."""
    if rights_request.kind not in pack_services.PACK_KINDS or not selectors.is_dpo(actor):
        return None
    pack = pack_services.pack_for_request(actor=actor, request=rights_request)
    return {"pack": pack, "status_label": PackStatus(pack.status).label if pack else ""}


def _decision_fields(flag: PackFlag, values: Mapping[str, str], errors: Errors) -> tuple[FieldView, ...]:
    prefix = f"flag-{flag.pk}-"
    chosen = values.get("decision", flag.decision)
    options = tuple(
        Option(str(value), str(label), value == chosen)
        for value, label in (
            (FlagDecision.RELEASE, FlagDecision.RELEASE.label),
            (FlagDecision.REDACT, FlagDecision.REDACT.label),
        )
    )
    return (
        FieldView(
            name="decision",
            id=field_id(f"{prefix}decision"),
            label=_("Your decision"),
            widget="radios",
            option_groups=(OptionGroup("", options),),
            errors=tuple(errors.get("decision", ())),
            required=True,
        ),
        FieldView(
            name="reason",
            id=field_id(f"{prefix}reason"),
            label=_("Reason"),
            hint=_(
                "For example: the neighbour is named only as a contact the client chose; or: it names "
                "the client's brother."
            ),
            widget="textarea",
            value=values.get("reason", flag.decision_reason),
            errors=tuple(errors.get("reason", ())),
            required=True,
        ),
    )


def _release_fields(values: Mapping[str, str], errors: Errors) -> tuple[FieldView, ...]:
    return (
        FieldView(
            name="complete",
            id=field_id("release-complete"),
            label=_("Complete the request too"),
            hint=_("The client is sent word that their copy is ready on their own pages."),
            widget="checkbox",
            checked=values.get("complete") == "true",
            errors=tuple(errors.get("complete", ())),
        ),
        FieldView(
            name="note",
            id=field_id("release-note"),
            label=_("What the client was sent or told (optional)"),
            widget="textarea",
            value=values.get("note", ""),
            errors=tuple(errors.get("note", ())),
        ),
    )


def _download(pack: AccessPack, fmt: str, data: bytes, reference: str) -> HttpResponse:
    response = HttpResponse(data, content_type=pack_render.CONTENT_TYPES[PackFormat(fmt)])
    disposition = "inline" if fmt == "html" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="copy-{reference}-{str(pack.pk)[:8]}.{fmt}"'
    response["Cache-Control"] = "no-store"
    if fmt == "html":
        # The pack brings its own styles and no script.
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def _act(actor: StaffMember, rights_request: RightsRequest, pack: AccessPack | None, post: Mapping[str, str]) -> str:
    action = post.get("action", "")
    if action == "generate":
        pack_services.pack_generate(actor=actor, request=rights_request)
        return _("Gathering the client's information. Check progress below.")
    if pack is None:
        raise InvalidInput({"action": [_("Generate the copy first.")]})
    if action == "decide":
        flag_pk = post.get("flag", "")
        flag = pack.flags.filter(pk=int(flag_pk)).first() if flag_pk.isdigit() else None
        if flag is None:
            raise InvalidInput({"flag": [_("That flag is not part of this copy: reload the page.")]})
        pack_services.flag_decide(
            actor=actor, flag=flag, decision=post.get("decision", ""), reason=post.get("reason", "")
        )
        return _("Decision recorded.")
    if action == "release":
        pack_services.pack_release(
            actor=actor, pack=pack, complete=post.get("complete") == "true", note=post.get("note", "")
        )
        return _("Released: the client can download their copy from their own pages.")
    raise InvalidInput({"action": [_("Choose what to do.")]})


@staff_page
def rights_pack(request: HttpRequest, actor: StaffMember, request_id: uuid.UUID) -> HttpResponse:
    if not selectors.is_dpo(actor):
        raise Http404("No such page.")
    rights_request = selectors.request_for(actor=actor, request_id=request_id)
    if rights_request.kind not in pack_services.PACK_KINDS:
        raise Http404("No such page.")
    pack = pack_services.pack_for_request(actor=actor, request=rights_request)
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {}
    posted_flag = ""
    if fmt := request.GET.get("file", ""):
        if pack is None:
            raise Http404("No such copy.")
        try:
            data = pack_services.pack_preview(actor=actor, pack=pack, fmt=fmt)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            return _download(pack, fmt, data, rights_request.client.reference)
    if request.method == "POST":
        values = {k: request.POST.get(k, "") for k in ("action", "flag", "decision", "reason", "complete", "note")}
        posted_flag = values["flag"] if values["action"] == "decide" else ""
        try:
            done = _act(actor, rights_request, pack, values)
        except InvalidInput as exc:
            errors = exc.errors
        else:
            messages.success(request, done)
            return redirect("web:rights_pack", request_id=request_id)
        pack = pack_services.pack_for_request(actor=actor, request=rights_request)
    flags = []
    links: list[ErrorLink] = []
    for flag in pack.flags.select_related("decided_by__user").order_by("pk") if pack else ():
        mine = str(flag.pk) == posted_flag
        fields = _decision_fields(flag, values if mine else {}, errors if mine else {})
        flags.append({"flag": flag, "reason_label": FlagReason(flag.reason).label, "fields": fields})
        if mine:
            links += error_links(fields, errors)
    release_fields = _release_fields(values if values.get("action") == "release" else {}, errors)
    if values.get("action") == "release":
        links += error_links(release_fields, {k: v for k, v in errors.items() if not k.startswith("flag-")})
        links += [ErrorLink(m, f"#{k}") for k, v in errors.items() if k.startswith("flag-") for m in v]
    elif not links and errors:
        links += error_links((), errors)
    undecided = pack.flags.filter(decision=FlagDecision.UNDECIDED).count() if pack else 0
    return render(
        request,
        "web/rights/pack.html",
        {
            "rq": rights_request,
            "kind_label": RequestKind(rights_request.kind).label,
            "pack": pack,
            "status_label": PackStatus(pack.status).label if pack else "",
            "flags": flags,
            "undecided": undecided,
            "formats": [(str(f), str(f.label)) for f in pack_render.formats_for(rights_request.kind)],
            "release_fields": release_fields,
            "errors": tuple(links),
            "nav": "dpo",
        },
        status=422 if errors else 200,
    )
