"""Acting on a rights request: correcting (Art 16), erasing (Art 17), restricting (Art 18) and
objecting (Art 21), and telling the organisations the data went to (Art 19).

The clients app does the writing (clients.rectification, clients.erasure, clients.restrictions,
clients.holds, clients.notices); this module is where a request meets them: it checks that the
request is the DPO's to work, of the right kind and under way (identity verified, not paused, not
closed), and reads the recipients from the access ledger, which sits above the clients app.

Recipients, from the ledger:
- a correction: every organisation other than the supplier that was disclosed the item's
  category, from its supplier, for this client between the time the wrong value was recorded and
  the correction;
- an erasure, a restriction or its lifting: every organisation that was disclosed anything about
  the client by another (for a partial erasure, not the organisations that keep their data).

An organisation reading its own items is not a recipient: the ledger's bases say whose each
disclosed category was.

Each step is one transaction: the change, the notices and their audit events. Nothing here moves
the request's own status: the DPO completes the request with the ordinary step once done.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.files.storage import default_storage
from django.db import transaction

from ceangal.clients import models as cm
from ceangal.clients.erasure import (
    CountLine,
    Exemption,
    OrganisationPlan,
    client_erase,
    erasure_plan,
    hold_problem,
)
from ceangal.clients.holds import standing_holds
from ceangal.clients.matching import client_ids_merged_into
from ceangal.clients.notices import notices_send
from ceangal.clients.rectification import Rectified, item_rectify
from ceangal.clients.restrictions import (
    objection_compelling_grounds,
    objection_record,
    restriction_lift,
    restriction_start,
)
from ceangal.clients.sections import SECTIONS
from ceangal.errors import InvalidInput, NotFound, NotPermitted
from ceangal.ledger.models import LedgerEntry
from ceangal.partners.models import Organisation, StaffMember
from ceangal.policy.models import BreakGlassGrant
from ceangal.reference.categories import DataCategory
from ceangal.reference.purposes import Purpose
from ceangal.rights.models import AccessPack, RequestKind, RequestStatus, RightsRequest, RightsRequestEvent
from ceangal.rights.services import _require_dpo

_S = RequestStatus
WORKING_STATUSES = (_S.IDENTITY_VERIFIED, _S.IN_PROGRESS, _S.EXTENDED)
# The kinds of request each action answers. A restriction also fits while a contested correction
# or an objection is being looked into (Art 18(1)(a) and (d)).
ACTION_KINDS: dict[str, tuple[str, ...]] = {
    "rectify": (RequestKind.RECTIFICATION,),
    "erase": (RequestKind.ERASURE,),
    "restrict": (RequestKind.RESTRICTION, RequestKind.RECTIFICATION, RequestKind.OBJECTION),
    "lift": (RequestKind.RESTRICTION, RequestKind.RECTIFICATION, RequestKind.OBJECTION),
    "object": (RequestKind.OBJECTION,),
    "compelling_grounds": (RequestKind.OBJECTION,),
}
# The Art 17(3) grounds on which an organisation may keep a client's data despite an erasure request.
ERASURE_EXEMPTIONS: dict[str, str] = {
    "public_task_erasure": "Needed for a task in the public interest or official authority (UK GDPR Art 17(3)(b))",
    "legal_obligation": "Needed to comply with a legal obligation (UK GDPR Art 17(3)(b))",
    "legal_claims": "Needed for legal claims (UK GDPR Art 17(3)(e))",
}


# -- guards ---------------------------------------------------------------------------------------


def _require_working(actor: StaffMember, request: RightsRequest, action: str) -> None:
    _require_dpo(actor, request)
    if request.kind not in ACTION_KINDS[action]:
        kind = RequestKind(request.kind).label.lower()
        raise InvalidInput({"kind": [f"This cannot be done for a request for {kind}."]})
    if request.status not in WORKING_STATUSES:
        status = RequestStatus(request.status).label.lower()
        raise InvalidInput(
            {"status": [f"The request is {status}: verify the client's identity and start work before acting on it."]}
        )


def can_act(actor: StaffMember, request: RightsRequest, action: str) -> bool:
    try:
        _require_working(actor, request, action)
    except (InvalidInput, NotPermitted):  # any refusal means: do not offer it
        return False
    return True


# -- recipients, from the ledger ------------------------------------------------------------------


def recipients(
    client_id: uuid.UUID,
    *,
    category: str | None = None,
    supplier_id: int | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    exclude: Iterable[int] = (),
) -> list[int]:
    """The organisations the ledger shows were disclosed the client's data by another organisation
    (of `category`, supplied by `supplier_id`, within [since, until], when given), the client's
    merged duplicates' entries included. Reading one's own organisation's items is not receiving."""
    ids = [client_id, *client_ids_merged_into(client_id)]
    rows = LedgerEntry.objects.filter(client_id__in=ids)
    if since is not None:
        rows = rows.filter(at__gte=since)
    if until is not None:
        rows = rows.filter(at__lte=until)
    found: set[int] = set()
    for org, bases in rows.values_list("organisation_id", "bases"):
        for basis in bases or []:
            source = basis.get("supplier_organisation_id")
            if source == org:
                continue
            if category is not None and basis.get("category") != category:
                continue
            if supplier_id is not None and source != supplier_id:
                continue
            found.add(org)
            break
    found -= set(exclude)
    return sorted(Organisation.objects.filter(pk__in=found).values_list("pk", flat=True))


# -- rectification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rectification:
    rectified: Rectified
    notified: tuple[int, ...]


def request_rectify(
    *,
    actor: StaffMember,
    request: RightsRequest,
    section_key: str,
    item_id: object | None,
    data: Mapping[str, Any],
    expected_version: int | None,
) -> Rectification:
    """Correct one item for a rectification request and tell its recipients (Art 16 and 19)."""
    _require_working(actor, request, "rectify")
    with transaction.atomic():
        rectified = item_rectify(
            actor=actor,
            client=request.client,
            section_key=section_key,
            item_id=item_id,
            data=data,
            expected_version=expected_version,
            request_reference=str(request.pk),
        )
        told = recipients(
            request.client_id,
            category=str(rectified.category),
            supplier_id=rectified.supplied_by_id,
            since=rectified.old_value_since,
            until=rectified.corrected_at,
        )
        notices_send(
            client=request.client,
            organisation_ids=told,
            kind=cm.NoticeKind.RECTIFICATION,
            request_id=request.pk,
            category=str(rectified.category),
            fields_changed=rectified.fields_changed,
            from_organisation=rectified.item.supplied_by,
        )
    return Rectification(rectified, tuple(told))


@dataclass(frozen=True)
class ItemChoice:
    """An item the DPO may correct, described by provenance only (no values: choosing what to
    correct is not a read of the record)."""

    section_key: str
    section_label: str
    item_id: int
    version: int
    supplied_by: str
    recorded_at: dt.datetime

    @property
    def value(self) -> str:
        return f"{self.section_key}:{self.item_id}"


def rectifiable_items(*, actor: StaffMember, request: RightsRequest) -> list[ItemChoice]:
    from ceangal.clients.rectification import RECTIFIABLE_SECTIONS

    _require_working(actor, request, "rectify")
    choices: list[ItemChoice] = []
    for spec in RECTIFIABLE_SECTIONS:
        for item in spec.rows(request.client).select_related("supplied_by").order_by("recorded_at", "pk"):
            choices.append(
                ItemChoice(spec.key, spec.label, item.pk, item.version, item.supplied_by.name, item.recorded_at)
            )
    return choices


# -- erasure --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ErasurePlan:
    organisations: tuple[OrganisationPlan, ...]
    hold: str | None
    recipients: tuple[str, ...]
    erased: bool


def _break_glass(client: cm.Client, organisation_ids: set[int] | None) -> Any:
    rows = BreakGlassGrant.objects.filter(client=client)
    return rows if organisation_ids is None else rows.filter(staff__organisation_id__in=organisation_ids)


def _break_glass_lines(client: cm.Client, organisation_ids: set[int] | None) -> list[CountLine]:
    lines: dict[int, int] = {}
    for org in _break_glass(client, organisation_ids).values_list("staff__organisation_id", flat=True):
        lines[org] = lines.get(org, 0) + 1
    return [(org, "break_glass_grants", n) for org, n in lines.items()]


def request_erasure_plan(*, actor: StaffMember, request: RightsRequest) -> ErasurePlan:
    """What erasing everything would remove, per organisation, and who would be told."""
    _require_dpo(actor, request)
    if request.kind != RequestKind.ERASURE:
        raise InvalidInput({"kind": ["Only an erasure request has an erasure plan."]})
    client = request.client
    plans = erasure_plan(actor=actor, client=client, extra=_break_glass_lines(client, None))
    told = Organisation.objects.filter(pk__in=recipients(client.pk)).order_by("name").values_list("name", flat=True)
    return ErasurePlan(tuple(plans), hold_problem(client), tuple(told), client.erased_at is not None)


def _delete_files(names: list[str]) -> None:
    for name in names:
        default_storage.delete(name)


def _forget_request_texts(client: cm.Client) -> None:
    """What the client and the DPO wrote on the client's requests may name them: blank it, and
    delete the copies of their information made for access requests."""
    requests = RightsRequest.objects.filter(client=client)
    requests.update(details="", extension_reason="", refusal_note="")
    RightsRequestEvent.objects.filter(request__in=requests).update(note="")
    for pack in AccessPack.objects.filter(request__in=requests):
        names = [str(f["name"]) for f in (pack.files or {}).values() if isinstance(f, dict) and f.get("name")]
        transaction.on_commit(partial(_delete_files, names))
        pack.delete()


def request_erase(
    *, actor: StaffMember, request: RightsRequest, exemptions: Sequence[Exemption] = ()
) -> cm.ErasureRecord:
    """Erase the client's information for an erasure request, except what organisations keep
    under an Art 17(3) exemption, and tell every organisation the data went to (Art 19)."""
    _require_working(actor, request, "erase")
    client = request.client
    problem = hold_problem(client)
    if problem:
        raise InvalidInput({"hold": [problem]})
    kept = {ex.organisation_id for ex in exemptions}
    with transaction.atomic():
        told = recipients(client.pk, exclude=kept)
        going: set[int] | None = None
        if kept:
            going = {org for org, _kind, _n in _break_glass_lines(client, None) if org is not None} - kept
        lines = _break_glass_lines(client, going)
        record = client_erase(
            actor=actor,
            client=client,
            exemptions=exemptions,
            allowed_exemptions=ERASURE_EXEMPTIONS,
            request_id=request.pk,
            extra_lines=lines,
        )
        _break_glass(client, going).delete()
        if record.full:
            _forget_request_texts(client)
        notices_send(client=client, organisation_ids=told, kind=cm.NoticeKind.ERASURE, request_id=request.pk)
    request.refresh_from_db()
    return record


# -- restriction and objection --------------------------------------------------------------------


def standing_restriction(client_id: uuid.UUID) -> cm.ProcessingRestriction | None:
    return cm.ProcessingRestriction.objects.filter(client_id=client_id, lifted_at__isnull=True).first()


def request_restrict(*, actor: StaffMember, request: RightsRequest, reason: str) -> cm.ProcessingRestriction:
    """Restrict processing of the client's information (Art 18) and tell its recipients (Art 19)."""
    _require_working(actor, request, "restrict")
    with transaction.atomic():
        restriction = restriction_start(actor=actor, client=request.client, reason=reason, request_id=request.pk)
        notices_send(
            client=request.client,
            organisation_ids=recipients(request.client_id),
            kind=cm.NoticeKind.RESTRICTION,
            request_id=request.pk,
        )
    return restriction


def request_restriction_lift(
    *, actor: StaffMember, request: RightsRequest, client_told_on: dt.date | None, note: str = ""
) -> cm.ProcessingRestriction:
    """Lift the standing restriction once the client has been told (Art 18(3)); recipients hear too."""
    _require_working(actor, request, "lift")
    restriction = standing_restriction(request.client_id)
    if restriction is None:
        raise InvalidInput({"restriction": ["Processing of this client's information is not restricted."]})
    with transaction.atomic():
        lifted = restriction_lift(actor=actor, restriction=restriction, client_told_on=client_told_on, note=note)
        notices_send(
            client=request.client,
            organisation_ids=recipients(request.client_id),
            kind=cm.NoticeKind.RESTRICTION_LIFTED,
            request_id=request.pk,
        )
    return lifted


def request_object(*, actor: StaffMember, request: RightsRequest, purpose: str, grounds: str = "") -> cm.Objection:
    """Record the client's objection to a purpose (Art 21): it stops at once for every partner."""
    _require_working(actor, request, "object")
    return objection_record(actor=actor, client=request.client, purpose=purpose, grounds=grounds, request_id=request.pk)


def request_objection_grounds(
    *, actor: StaffMember, request: RightsRequest, objection_id: object, grounds: str
) -> cm.Objection:
    """Record compelling legitimate grounds that override one of the client's objections."""
    _require_working(actor, request, "compelling_grounds")
    try:
        objection = cm.Objection.objects.get(pk=int(str(objection_id)), client_id=request.client_id)
    except (cm.Objection.DoesNotExist, ValueError):
        raise NotFound("No such objection.") from None
    return objection_compelling_grounds(actor=actor, objection=objection, grounds=grounds)


# -- what the page shows --------------------------------------------------------------------------


@dataclass(frozen=True)
class NoticeRow:
    organisation: str
    kind: str
    kind_label: str
    sent_at: dt.datetime
    category_label: str
    read: bool
    # The rights request that led to the notice, when there was one.
    request_id: uuid.UUID | None = None


@dataclass(frozen=True)
class RequestActions:
    """What a request page shows about the client's restriction, objections, holds and notices."""

    restriction: cm.ProcessingRestriction | None
    objections: tuple[cm.Objection, ...]
    holds: tuple[cm.LegalHold, ...]
    notices: tuple[NoticeRow, ...]
    erasures: tuple[cm.ErasureRecord, ...]
    offered: tuple[str, ...]
    purposes: tuple[tuple[str, str], ...]


def _notice_rows(notices: Iterable[cm.RecipientNotice]) -> tuple[NoticeRow, ...]:
    return tuple(
        NoticeRow(
            organisation=n.organisation.name,
            kind=str(n.kind),
            kind_label=str(cm.NoticeKind(n.kind).label),
            sent_at=n.sent_at,
            category_label=str(DataCategory(n.category).label) if n.category in DataCategory.values else "",
            read=n.read_at is not None,
            request_id=n.request_id,
        )
        for n in notices
    )


def request_actions(*, actor: StaffMember, request: RightsRequest) -> RequestActions:
    _require_dpo(actor, request)
    client_id = request.client_id
    offered = tuple(action for action in ACTION_KINDS if can_act(actor, request, action))
    restriction = standing_restriction(client_id)
    if restriction is None:
        offered = tuple(a for a in offered if a != "lift")
    else:
        offered = tuple(a for a in offered if a != "restrict")
    objections = tuple(cm.Objection.objects.filter(client_id=client_id, ended_at__isnull=True))
    if not any(o.in_force for o in objections):
        offered = tuple(a for a in offered if a != "compelling_grounds")
    notices = cm.RecipientNotice.objects.filter(request_id=request.pk).select_related("organisation")
    return RequestActions(
        restriction=restriction,
        objections=objections,
        holds=tuple(standing_holds(client_id).select_related("placed_by")),
        notices=_notice_rows(notices),
        erasures=tuple(cm.ErasureRecord.objects.filter(request_id=request.pk)),
        offered=offered,
        purposes=tuple((str(p.value), str(p.label)) for p in Purpose),
    )


def subject_notices(client_id: uuid.UUID) -> list[NoticeRow]:
    """Who was told that the client's information was corrected, erased or restricted, for the
    client's own pages: organisation, kind, when and the category (never values)."""
    rows = cm.RecipientNotice.objects.filter(client_id=client_id).select_related("organisation")
    return list(_notice_rows(rows))


@dataclass(frozen=True)
class RecipientNoticeView:
    """A notice as its recipient organisation's staff see it: the client's reference (so they can
    find their own copies), what happened, to which category and fields, never values."""

    id: int
    client_reference: str
    kind: str
    kind_label: str
    category_label: str
    fields: tuple[str, ...]
    sent_at: dt.datetime
    read_at: dt.datetime | None


def _field_label(category: str, name: str) -> str:
    for spec in SECTIONS:
        if spec.category == category and name in spec.field_names:
            return spec.field(name).label
    return name


def notice_views(notices: Iterable[cm.RecipientNotice]) -> list[RecipientNoticeView]:
    return [
        RecipientNoticeView(
            id=n.pk,
            client_reference=n.client.reference,
            kind=str(n.kind),
            kind_label=str(cm.NoticeKind(n.kind).label),
            category_label=str(DataCategory(n.category).label) if n.category in DataCategory.values else "",
            fields=tuple(_field_label(n.category, name) for name in n.fields_changed),
            sent_at=n.sent_at,
            read_at=n.read_at,
        )
        for n in notices
    ]
